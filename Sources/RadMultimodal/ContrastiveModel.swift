import Foundation
import RadTensor
import RadVision

/// A CLIP-style dual encoder: an image encoder and a text encoder, each followed by a linear
/// projection (no bias) into a shared space where both are L2-normalised, and a learnable
/// temperature. Matching image–text pairs are pulled together by the symmetric InfoNCE loss:
/// cross-entropy over exp(logit_scale)·cosine similarities, once per image and once per text.
public final class ContrastiveModel: @unchecked Sendable {
  public let imageEncoder: any ImageEncoder
  public let textEncoder: any TextEncoder
  /// [projection, image feature width]
  public let imageProjection: Parameter
  /// [projection, text feature width]
  public let textProjection: Parameter
  /// ln of the inverse temperature (CLIP initialises it to ln(1/0.07)).
  public let logitScale: Parameter
  /// The store holding every parameter (encoders, projections, logit scale).
  public let parameters: ParameterStore

  /// The cap on logit_scale (ln 100), applied after each optimiser step as CLIP does.
  public static let maximumLogitScale = Float(Foundation.log(100.0))
  /// CLIP's initial logit scale, ln(1/0.07).
  public static let initialLogitScale = Float(Foundation.log(1 / 0.07))

  /// Wires two encoders that already registered their parameters in `store` to projections
  /// registered there too (`visual_projection.weight`, `text_projection.weight`, `logit_scale`).
  public init(
    imageEncoder: any ImageEncoder, textEncoder: any TextEncoder, store: ParameterStore, imageProjection: Tensor,
    textProjection: Tensor, logitScale: Float = ContrastiveModel.initialLogitScale
  ) {
    precondition(imageProjection.shape[1] == imageEncoder.featureWidth, "image projection does not fit the encoder")
    precondition(textProjection.shape[1] == textEncoder.featureWidth, "text projection does not fit the encoder")
    precondition(imageProjection.shape[0] == textProjection.shape[0], "projections differ in width")
    self.imageEncoder = imageEncoder
    self.textEncoder = textEncoder
    parameters = store
    self.imageProjection = store.register("visual_projection.weight", imageProjection)
    self.textProjection = store.register("text_projection.weight", textProjection)
    self.logitScale = store.register("logit_scale", Tensor(scalar: logitScale))
  }

  /// Fresh projections (normal, std width^-0.5) for encoders whose outputs have not been aligned.
  public convenience init(
    imageEncoder: any ImageEncoder, textEncoder: any TextEncoder, store: ParameterStore, projectionWidth: Int,
    seed: UInt64
  ) {
    var random = SeededRandom(seed: seed)
    let image = Tensor.normal(
      [projectionWidth, imageEncoder.featureWidth], std: 1 / Float(imageEncoder.featureWidth).squareRoot(),
      using: &random)
    let text = Tensor.normal(
      [projectionWidth, textEncoder.featureWidth], std: 1 / Float(textEncoder.featureWidth).squareRoot(), using: &random
    )
    self.init(
      imageEncoder: imageEncoder, textEncoder: textEncoder, store: store, imageProjection: image, textProjection: text)
  }

  static func normalized(_ x: Tensor) -> Tensor {
    x / (x * x).sum(axis: -1, keepDims: true).sqrt()
  }

  /// L2-normalised image embeddings [N, projection].
  public func imageEmbeddings(_ images: Tensor, training: Bool = false) -> Tensor {
    Self.normalized(imageEncoder.encode(images, training: training).linear(weight: imageProjection.value))
  }

  /// L2-normalised text embeddings [N, projection].
  public func textEmbeddings(ids: [[Int]], attentionMask: [[Int]]) throws -> Tensor {
    Self.normalized(try textEncoder.encode(ids: ids, attentionMask: attentionMask).linear(weight: textProjection.value))
  }

  /// Scaled similarities: logits per image [images, texts] and per text [texts, images].
  public func logits(imageEmbeddings: Tensor, textEmbeddings: Tensor) -> (perImage: Tensor, perText: Tensor) {
    let perText = textEmbeddings.matmul(imageEmbeddings, transposeOther: true) * logitScale.value.exp()
    return (perText.transposed(0, 1), perText)
  }

  /// Symmetric InfoNCE over a batch of matching pairs (row i of each side belongs together).
  public func loss(imageEmbeddings: Tensor, textEmbeddings: Tensor) -> Tensor {
    let (perImage, perText) = logits(imageEmbeddings: imageEmbeddings, textEmbeddings: textEmbeddings)
    let targets = Array(0..<perText.shape[0])
    return (perText.crossEntropy(targets: targets) + perImage.crossEntropy(targets: targets)) * 0.5
  }

  /// Clamps the logit scale into [0, ln 100] (call after each optimiser step).
  public func clampLogitScale() {
    logitScale.update { values in values[0] = Swift.min(Swift.max(values[0], 0), Self.maximumLogitScale) }
  }
}
