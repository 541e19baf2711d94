import Foundation
import RadTensor

/// Random initialisation is only useful when a model is trained from scratch; when weights are
/// about to be loaded from a checkpoint, drawing 135 million normal samples first would cost
/// more than the load itself. Loaders build models inside `WeightInitialization.deferred`, where
/// layers start from zeros instead: one copy-on-write zero array per size, shared by every weight
/// of that size, so the placeholders cost no memory (a loader assigns each weight a new array, so
/// the shared zeros are never copied; SmolLM2 would otherwise fill ~540 MB with zeros first).
public enum WeightInitialization {
  @TaskLocal static var sharedZeros: SharedZeros?

  /// Builds with zero-filled weights (a checkpoint load follows).
  public static func deferred<Result>(_ body: () throws -> Result) rethrows -> Result {
    try $sharedZeros.withValue(SharedZeros()) { try body() }
  }

  /// Normal(0, std) samples, or zeros inside `deferred`.
  static func normal(_ shape: [Int], std: Float, using random: inout SeededRandom) -> Tensor {
    guard let sharedZeros else { return Tensor.normal(shape, std: std, using: &random) }
    return Tensor(shape: shape, data: sharedZeros.array(count: shape.reduce(1, *)))
  }
}

/// Zero arrays by length for one `deferred` build (a lock, since a build may be shared by
/// threads; it lives only as long as the build).
final class SharedZeros: @unchecked Sendable {
  private var arrays: [Int: [Float]] = [:]
  private let lock = NSLock()

  func array(count: Int) -> [Float] {
    lock.withLock {
      if let array = arrays[count] { return array }
      let array = [Float](repeating: 0, count: count)
      arrays[count] = array
      return array
    }
  }
}
