import RadModels
import RadMultimodal
import RadTensor
import RadVision

/// An image "encoder" whose inputs are already the frozen encoder's features, shaped [W, 1, 1]
/// per image so they travel through `ImageTextPair` like images: CLIP training with a locked
/// image tower then computes each image's features once instead of at every step.
public final class PrecomputedImageFeatures: ImageEncoder, @unchecked Sendable {
  public let parameters = ParameterStore()
  public let featureWidth: Int

  public init(featureWidth: Int) { self.featureWidth = featureWidth }

  public func encode(_ images: Tensor, training: Bool) -> Tensor {
    precondition(images.rank == 4 && images.shape[1] == featureWidth, "expected [N, \(featureWidth), 1, 1] features")
    return images.reshaped([images.shape[0], featureWidth])
  }
}

/// A text tower with frozen weights: the wrapped encoder runs in inference mode (no gradient
/// flows into it) and each distinct token sequence is encoded once and remembered, so training
/// a CLIP's projections on top of it costs one pass over the texts.
public final class LockedTextEncoder: TextEncoder, @unchecked Sendable {
  public let base: any TextEncoder
  public let parameters = ParameterStore()
  private var cache: [[Int]: [Float]] = [:]

  public init(_ base: any TextEncoder) { self.base = base }

  public var featureWidth: Int { base.featureWidth }

  public func encode(ids: [[Int]], attentionMask: [[Int]]) throws -> Tensor {
    let width = featureWidth
    var rows: [Float] = []
    for (row, mask) in zip(ids, attentionMask) {
      let real = Array(row.prefix(mask.reduce(0, +)))
      if let known = cache[real] {
        rows += known
        continue
      }
      let vector = try Autograd.inferenceMode {
        try base.encode(ids: [real], attentionMask: [[Int](repeating: 1, count: real.count)]).data
      }
      cache[real] = vector
      rows += vector
    }
    return Tensor(shape: [ids.count, width], data: rows)
  }
}
