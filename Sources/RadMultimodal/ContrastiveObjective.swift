import RadTensor
import RadTraining

/// One training example of a contrastive model: a preprocessed image [3, H, W] and the token ids of
/// its matching text (a report sentence, a caption).
public struct ImageTextPair: Sendable {
  public let image: Tensor
  public let ids: [Int]

  public init(image: Tensor, ids: [Int]) {
    precondition(image.rank == 3, "an image is [channels, height, width], got \(image.shape)")
    self.image = image
    self.ids = ids
  }
}

/// CLIP training as a `TrainingObjective`: each micro-batch draws `batchSize` pairs in a seeded
/// order and returns the symmetric InfoNCE loss, so the existing trainer supplies AdamW, the
/// learning-rate schedule, clipping, checkpoints, resume, progress and the loss curve. The logit
/// scale is clamped to [0, ln 100] before every step (CLIP clamps after each update; clamping
/// before the next forward pass is the same sequence of values).
public final class ContrastiveObjective: TrainingObjective {
  public let model: ContrastiveModel
  public let training: [ImageTextPair]
  public let validation: [ImageTextPair]
  public let batchSize: Int
  public let padId: Int
  private var order: DataOrder

  public init(
    model: ContrastiveModel, training: [ImageTextPair], validation: [ImageTextPair], batchSize: Int, padId: Int = 0,
    seed: UInt64
  ) {
    precondition(!training.isEmpty, "no training pairs")
    precondition(batchSize >= 2, "a contrastive batch needs at least two pairs")
    self.model = model
    self.training = training
    self.validation = validation
    self.batchSize = batchSize
    self.padId = padId
    order = DataOrder(count: training.count, seed: seed)
  }

  public var parameters: ParameterStore { model.parameters }
  public var dataPosition: DataOrder.Position { order.position }
  public func restoreDataPosition(_ position: DataOrder.Position) { order.restore(position) }

  public func nextLoss(random: inout SeededRandom) throws -> (loss: Tensor, tokens: Int) {
    model.clampLogitScale()
    let pairs = (0..<batchSize).map { _ in training[order.next()] }
    return (try loss(of: pairs, training: true), pairs.count)
  }

  public func validationLoss() throws -> Float? {
    guard validation.count >= 2 else { return nil }
    var total: Float = 0
    var batches = 0
    var start = 0
    while start < validation.count {
      let end = Swift.min(validation.count, start + batchSize)
      // A final batch of one pair has no negatives; it joins the previous batch instead.
      let slice = end - start < 2 && batches > 0 ? [] : Array(validation[start..<end])
      if !slice.isEmpty {
        total += try Autograd.inferenceMode { try loss(of: slice, training: false).item }
        batches += 1
      }
      start = end
    }
    return batches == 0 ? nil : total / Float(batches)
  }

  /// Symmetric InfoNCE of one batch of pairs.
  public func loss(of pairs: [ImageTextPair], training: Bool) throws -> Tensor {
    let images = Tensor.concatenate(pairs.map { $0.image.reshaped([1] + $0.image.shape) }, axis: 0)
    let (ids, mask) = Self.collate(pairs.map(\.ids), padId: padId)
    let imageEmbeddings = model.imageEmbeddings(images, training: training)
    let textEmbeddings = try model.textEmbeddings(ids: ids, attentionMask: mask)
    return model.loss(imageEmbeddings: imageEmbeddings, textEmbeddings: textEmbeddings)
  }

  /// Right-pads token sequences to a common length with an attention mask.
  public static func collate(_ sequences: [[Int]], padId: Int) -> (ids: [[Int]], mask: [[Int]]) {
    let length = sequences.map(\.count).max() ?? 0
    let ids = sequences.map { $0 + [Int](repeating: padId, count: length - $0.count) }
    let mask = sequences.map { [Int](repeating: 1, count: $0.count) + [Int](repeating: 0, count: length - $0.count) }
    return (ids, mask)
  }
}
