import RadTensor

/// Random initialisation is only useful when a model is trained from scratch; when weights are
/// about to be loaded from a checkpoint, drawing 135 million normal samples first would cost
/// more than the load itself. Loaders build models inside `WeightInitialization.deferred`, where
/// layers start from zeros instead.
public enum WeightInitialization {
  @TaskLocal static var isDeferred = false

  /// Builds with zero-filled weights (a checkpoint load follows).
  public static func deferred<Result>(_ body: () throws -> Result) rethrows -> Result {
    try $isDeferred.withValue(true) { try body() }
  }

  /// Normal(0, std) samples, or zeros inside `deferred`.
  static func normal(_ shape: [Int], std: Float, using random: inout SeededRandom) -> Tensor {
    isDeferred ? Tensor.zeros(shape) : Tensor.normal(shape, std: std, using: &random)
  }
}
