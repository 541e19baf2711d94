import RadModels
import RadTensor

/// Causal language modelling: predict each next token from the tokens before it. Used for
/// self-supervised pretraining on packed blocks and, with masked labels, for supervised
/// fine-tuning on prompt/completion pairs (the loss then covers only the completion).
public final class CausalLanguageModelingObjective: TrainingObjective {
  public let model: any LanguageModel
  public let training: [LabeledSequence]
  public let validation: [LabeledSequence]
  public let batchSize: Int
  public let padId: Int
  /// LoRA dropout's random stream, reseeded from the trainer's generator each step.
  public var dropoutSource: DropoutSource?
  private var order: DataOrder

  /// - Parameters:
  ///   - training, validation: examples; blocks from `TokenBlocks.pack` use labels equal to ids.
  ///   - padId: id used to pad shorter sequences of a batch (they are masked out).
  public init(
    model: any LanguageModel, training: [LabeledSequence], validation: [LabeledSequence], batchSize: Int,
    padId: Int = 0, seed: UInt64
  ) throws {
    guard !training.isEmpty else { throw TrainingDataError.noExamples(what: "training examples") }
    guard batchSize >= 1 else {
      throw TrainingDataError.invalidSetting(name: "batch size", value: "\(batchSize)", rule: "at least 1")
    }
    self.model = model
    self.training = training
    self.validation = validation
    self.batchSize = batchSize
    self.padId = padId
    order = DataOrder(count: training.count, seed: seed)
  }

  /// Plain pretraining blocks (every token is a target).
  public convenience init(
    model: any LanguageModel, blocks: [[Int]], validationBlocks: [[Int]], batchSize: Int, seed: UInt64
  ) throws {
    try self.init(
      model: model, training: blocks.map { LabeledSequence(ids: $0, labels: $0) },
      validation: validationBlocks.map { LabeledSequence(ids: $0, labels: $0) }, batchSize: batchSize, seed: seed)
  }

  public var parameters: ParameterStore { model.parameters }
  public var dataPosition: DataOrder.Position { order.position }
  public func restoreDataPosition(_ position: DataOrder.Position) { order.restore(position) }

  public func nextLoss(random: inout SeededRandom) throws -> (loss: Tensor, tokens: Int) {
    if let dropoutSource {
      dropoutSource.reseed(random.next())
      dropoutSource.training = true
    }
    let examples = (0..<batchSize).map { _ in training[order.next()] }
    return try loss(of: examples)
  }

  public func validationLoss() throws -> Float? {
    guard !validation.isEmpty else { return nil }
    dropoutSource?.training = false
    defer { dropoutSource?.training = true }
    return try ValidationTally.over(validation, batchSize: batchSize) { batch in
      let (loss, tokens) = try loss(of: batch)
      return (loss.item, tokens, 0)
    }.meanLoss
  }

  /// Mean loss over the target tokens of `examples`, right-padded to a common length.
  public func loss(of examples: [LabeledSequence]) throws -> (Tensor, Int) {
    let (batch, labels) = Self.collate(examples, padId: padId)
    let targets = Self.targetCount(labels: labels, batch: batch)
    return (try model.languageModelingLoss(batch, labels: labels), targets)
  }

  /// Right-pads a list of sequences into one batch with its attention mask and labels.
  public static func collate(_ examples: [LabeledSequence], padId: Int) -> (TokenBatch, [Int]) {
    let length = examples.map(\.ids.count).max() ?? 0
    var ids: [Int] = []
    var labels: [Int] = []
    var mask: [[Int]] = []
    for example in examples {
      let padding = length - example.ids.count
      ids += example.ids + [Int](repeating: padId, count: padding)
      labels += example.labels + [Int](repeating: -100, count: padding)
      mask.append([Int](repeating: 1, count: example.ids.count) + [Int](repeating: 0, count: padding))
    }
    let padded = mask.contains { $0.contains(0) }
    return (TokenBatch(ids: ids, batch: examples.count, length: length, attentionMask: padded ? mask : nil), labels)
  }

  /// Positions whose next-token label is learned.
  static func targetCount(labels: [Int], batch: TokenBatch) -> Int {
    var count = 0
    for b in 0..<batch.batch {
      for t in 1..<Swift.max(batch.length, 1) where labels[b * batch.length + t] != -100 { count += 1 }
    }
    return count
  }
}
