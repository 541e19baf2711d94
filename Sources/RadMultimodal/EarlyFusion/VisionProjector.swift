import RadModels
import RadTensor

/// The projector of an early-fusion model: maps image tokens to the language model's input
/// width so they can stand between token embeddings. "mlp2x_gelu" (LLaVA-1.5: linear, GELU,
/// linear) or "linear". Weights are named `multi_modal_projector.linear_1.weight` etc., as in
/// Hugging Face's LLaVA.
public final class VisionProjector: @unchecked Sendable {
  public static let prefix = "multi_modal_projector"
  public static let kinds = ["mlp2x_gelu", "linear"]
  public let kind: String
  public let first: Linear
  public let second: Linear?

  /// Registers fresh weights (normal, std 0.02; zero biases) in `store` under `prefix`.
  public init(kind: String, inputWidth: Int, outputWidth: Int, store: ParameterStore, seed: UInt64) throws {
    guard Self.kinds.contains(kind) else {
      throw VisionLanguageError.invalidConfiguration("projector \"\(kind)\" is not one of \(Self.kinds)")
    }
    var random = SeededRandom(seed: seed)
    let scope = store.scoped(Self.prefix)
    self.kind = kind
    first = Linear(scope.scoped("linear_1"), inFeatures: inputWidth, outFeatures: outputWidth, random: &random)
    second =
      kind == "linear"
      ? nil : Linear(scope.scoped("linear_2"), inFeatures: outputWidth, outFeatures: outputWidth, random: &random)
  }

  /// Its parameters (weights and biases of both layers).
  public var parameters: [Parameter] { [first.weight, first.bias, second?.weight, second?.bias].compactMap { $0 } }

  /// Projects tokens [..., inputWidth] to [..., outputWidth].
  public func callAsFunction(_ tokens: Tensor) -> Tensor {
    let hidden = first(tokens)
    guard let second else { return hidden }
    return second(hidden.gelu())
  }
}
