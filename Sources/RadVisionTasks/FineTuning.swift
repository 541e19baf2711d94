import Foundation
import RadImaging
import RadTensor
import RadTraining
import RadVision

/// Fine-tuning EfficientNet-Lite0 on a binary image task as a `TrainingObjective`: every layer
/// trains (batch norm in training mode, updating its running statistics), the ImageNet
/// classifier is set aside and a fresh two-class head (`head.weight`, `head.bias`) is learned;
/// micro-batches are drawn in a seeded order, optionally augmented, with cross-entropy loss. The
/// shared trainer supplies AdamW, the schedule, clipping, checkpoints and progress.
public final class ImageClassifierFineTuning: TrainingObjective {
  public let model: EfficientNetLite
  public let head: (weight: Parameter, bias: Parameter)
  public let training: LabelledImages
  public let validation: LabelledImages
  public let size: Int
  public let batchSize: Int
  public let augmentation: ImageAugmentation?
  private var order: DataOrder
  private var generator: SeededGenerator

  public init(
    model: EfficientNetLite, training: LabelledImages, validation: LabelledImages, size: Int, batchSize: Int,
    augmentation: ImageAugmentation? = nil, seed: UInt64
  ) {
    precondition(batchSize >= 2, "batch norm in training mode needs at least two images per batch")
    self.model = model
    self.training = training
    self.validation = validation
    self.size = size
    self.batchSize = batchSize
    self.augmentation = augmentation
    model.classifier.weight.setTrainable(false)
    model.classifier.bias.setTrainable(false)
    var random = SeededRandom(seed: seed)
    let width = model.featureWidth
    head = (
      model.parameters.register(
        "head.weight", Tensor.normal([2, width], std: 1 / Float(width).squareRoot(), using: &random)),
      model.parameters.register("head.bias", Tensor(shape: [2], data: [0, 0]))
    )
    order = DataOrder(count: training.count, seed: seed)
    generator = SeededGenerator(seed: seed ^ 0x5EED)
  }

  public var parameters: ParameterStore { model.parameters }
  public var dataPosition: DataOrder.Position { order.position }
  public func restoreDataPosition(_ position: DataOrder.Position) { order.restore(position) }

  /// Two-class logits [N, 2] of a prepared batch.
  public func logits(_ input: Tensor, training: Bool) -> Tensor {
    model.encode(input, training: training).linear(weight: head.weight.value, bias: head.bias.value)
  }

  public func nextLoss(random: inout SeededRandom) throws -> (loss: Tensor, tokens: Int) {
    let indices = (0..<batchSize).map { _ in order.next() }
    var images: [Image] = []
    for index in indices {
      var image = try training.image(index)
      if let augmentation { image = try augmentation.apply(to: image, using: &generator) }
      images.append(image)
    }
    let input = try EfficientNetInput.batch(images, size: size)
    let loss = logits(input, training: true).crossEntropy(targets: indices.map { training.labels[$0] })
    return (loss, batchSize)
  }

  public func validationLoss() throws -> Float? {
    guard validation.count > 0 else { return nil }
    let probabilities = try self.probabilities(validation)
    var total = 0.0
    for (p, label) in zip(probabilities, validation.labels) {
      total -= Foundation.log(Swift.max(label == 1 ? p : 1 - p, 1e-12))
    }
    return Float(total / Double(validation.count))
  }

  /// P(label 1) of every image, in inference mode with the running batch-norm statistics.
  public func probabilities(_ images: LabelledImages, batch: Int = 32) throws -> [Double] {
    var out: [Double] = []
    var start = 0
    while start < images.count {
      let end = Swift.min(images.count, start + batch)
      let input = try EfficientNetInput.batch(try (start..<end).map { try images.image($0) }, size: size)
      let probabilities = Autograd.inferenceMode { logits(input, training: false).softmax() }
      for b in 0..<(end - start) { out.append(Double(probabilities.data[b * 2 + 1])) }
      start = end
    }
    return out
  }
}
