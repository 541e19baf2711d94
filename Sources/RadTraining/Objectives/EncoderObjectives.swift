import RadModels
import RadTensor

/// Masked-LM pretraining of a BERT model: each step masks a fresh 15% of the batch's tokens with
/// the trainer's seeded generator (so resumed runs mask identically) and scores the hidden ones.
public final class MaskedLanguageModelingObjective: TrainingObjective {
  public let model: BertModel
  public let masker: MaskedLanguageModelingMasker
  public let sequences: [[Int]]
  public let validation: [[Int]]
  public let batchSize: Int
  public let padId: Int
  private var order: DataOrder
  /// Fixed masks for validation so its loss is comparable across evaluations.
  private let validationMasks: [(inputs: [Int], labels: [Int])]

  public init(
    model: BertModel, masker: MaskedLanguageModelingMasker, sequences: [[Int]], validation: [[Int]], batchSize: Int,
    padId: Int, seed: UInt64
  ) throws {
    guard !sequences.isEmpty else { throw TrainingDataError.noExamples(what: "training sequences") }
    guard batchSize >= 1 else {
      throw TrainingDataError.invalidSetting(name: "batch size", value: "\(batchSize)", rule: "at least 1")
    }
    self.model = model
    self.masker = masker
    self.sequences = sequences
    self.validation = validation
    self.batchSize = batchSize
    self.padId = padId
    order = DataOrder(count: sequences.count, seed: seed)
    var random = SeededRandom(seed: seed ^ 0xBEEF)
    validationMasks = validation.map { masker.mask($0, random: &random) }
  }

  public var parameters: ParameterStore { model.parameters }
  public var dataPosition: DataOrder.Position { order.position }
  public func restoreDataPosition(_ position: DataOrder.Position) { order.restore(position) }

  public func nextLoss(random: inout SeededRandom) throws -> (loss: Tensor, tokens: Int) {
    let masked = (0..<batchSize).map { _ in masker.mask(sequences[order.next()], random: &random) }
    return try loss(masked)
  }

  public func validationLoss() throws -> Float? {
    try ValidationTally.over(validationMasks, batchSize: batchSize) { batch in
      let (value, tokens) = try loss(batch)
      return (value.item, tokens, 0)
    }.meanLoss
  }

  /// Mean cross-entropy over the labelled positions of already-masked sequences (right-padded
  /// into one batch) and the number of labelled positions. `nextLoss` masks with the trainer's
  /// generator and calls this; parity tests feed it masks drawn by another implementation.
  public func loss(_ masked: [(inputs: [Int], labels: [Int])]) throws -> (Tensor, Int) {
    let examples = masked.map { LabeledSequence(ids: $0.inputs, labels: $0.labels) }
    let (batch, labels) = CausalLanguageModelingObjective.collate(examples, padId: padId)
    let logits = try model.maskedLMLogits(batch)
    let targets = labels.filter { $0 != -100 }.count
    return (logits.reshaped([batch.batch * batch.length, -1]).crossEntropy(targets: labels), targets)
  }
}

/// Sequence classification on a BERT encoder (BertForSequenceClassification): the pooled [CLS]
/// vector goes through a `classifier` layer to one score per label, trained with cross-entropy.
public final class SequenceClassificationObjective: TrainingObjective {
  public let head: BertSequenceClassifier
  public var model: BertModel { head.encoder }
  public var classifier: Linear { head.classifier }
  public let examples: [(ids: [Int], label: Int)]
  public let validation: [(ids: [Int], label: Int)]
  public let batchSize: Int
  public let padId: Int
  private var order: DataOrder

  /// Trains `head` (a new one from `BertSequenceClassifier(encoder:labels:seed:)` or a loaded one).
  public init(
    head: BertSequenceClassifier, examples: [(ids: [Int], label: Int)], validation: [(ids: [Int], label: Int)],
    batchSize: Int, padId: Int, seed: UInt64
  ) throws {
    guard !examples.isEmpty else { throw TrainingDataError.noExamples(what: "training examples") }
    guard batchSize >= 1 else {
      throw TrainingDataError.invalidSetting(name: "batch size", value: "\(batchSize)", rule: "at least 1")
    }
    self.head = head
    self.examples = examples
    self.validation = validation
    self.batchSize = batchSize
    self.padId = padId
    order = DataOrder(count: examples.count, seed: seed)
  }

  /// Adds a new seeded classifier with `labelCount` unnamed labels to `model`.
  public convenience init(
    model: BertModel, labelCount: Int, examples: [(ids: [Int], label: Int)], validation: [(ids: [Int], label: Int)],
    batchSize: Int, padId: Int, seed: UInt64
  ) throws {
    try self.init(
      head: BertSequenceClassifier(encoder: model, labels: (0..<labelCount).map { "LABEL_\($0)" }, seed: seed),
      examples: examples, validation: validation, batchSize: batchSize, padId: padId, seed: seed)
  }

  public var parameters: ParameterStore { model.parameters }
  public var dataPosition: DataOrder.Position { order.position }
  public func restoreDataPosition(_ position: DataOrder.Position) { order.restore(position) }

  /// Label scores [batch, labels] for token sequences.
  public func logits(_ sequences: [[Int]]) throws -> Tensor {
    let (batch, _) = CausalLanguageModelingObjective.collate(
      sequences.map { LabeledSequence(ids: $0, labels: $0) }, padId: padId)
    return try head.logits(batch)
  }

  public func nextLoss(random: inout SeededRandom) throws -> (loss: Tensor, tokens: Int) {
    let batch = (0..<batchSize).map { _ in examples[order.next()] }
    return (try logits(batch.map(\.ids)).crossEntropy(targets: batch.map(\.label)), batch.count)
  }

  public func validationLoss() throws -> Float? {
    guard !validation.isEmpty else { return nil }
    return try accuracyAndLoss().loss
  }

  /// Validation accuracy and mean loss.
  public func accuracyAndLoss() throws -> (accuracy: Double, loss: Float) {
    let tally = try ValidationTally.over(validation, batchSize: batchSize) { batch in
      let scores = try Autograd.inferenceMode { try logits(batch.map(\.ids)) }
      let correct = zip(scores.argmax(axis: -1), batch).filter { $0 == $1.label }.count
      return (scores.crossEntropy(targets: batch.map(\.label)).item, batch.count, correct)
    }
    return (tally.accuracy, tally.meanLoss ?? 0)
  }
}

/// The reward model of RLHF: a language model's final hidden state at each answer's last token
/// goes through a `score` layer (as Hugging Face's *ForSequenceClassification with one label) and is
/// trained with the Bradley–Terry loss so chosen answers outscore rejected ones.
public final class RewardModelObjective: TrainingObjective {
  public let model: any LanguageModel
  public let score: Linear
  public let pairs: [PreferencePair]
  public let validationPairs: [PreferencePair]
  public let batchSize: Int
  public let padId: Int
  private var order: DataOrder

  public init(
    model: any LanguageModel, width: Int, pairs: [PreferencePair], validationPairs: [PreferencePair], batchSize: Int,
    padId: Int, seed: UInt64
  ) throws {
    guard !pairs.isEmpty else { throw TrainingDataError.noExamples(what: "preference pairs") }
    guard batchSize >= 1 else {
      throw TrainingDataError.invalidSetting(name: "batch size", value: "\(batchSize)", rule: "at least 1")
    }
    self.model = model
    var random = SeededRandom(seed: seed ^ 0x5C0E)
    score = Linear(model.parameters.scoped("score"), inFeatures: width, outFeatures: 1, bias: false, random: &random)
    self.pairs = pairs
    self.validationPairs = validationPairs
    self.batchSize = batchSize
    self.padId = padId
    order = DataOrder(count: pairs.count, seed: seed)
  }

  public var parameters: ParameterStore { model.parameters }
  public var dataPosition: DataOrder.Position { order.position }
  public func restoreDataPosition(_ position: DataOrder.Position) { order.restore(position) }

  /// Scalar rewards [n] of complete sequences (prompt + answer).
  public func rewards(_ sequences: [[Int]]) throws -> Tensor {
    let (batch, _) = CausalLanguageModelingObjective.collate(
      sequences.map { LabeledSequence(ids: $0, labels: $0) }, padId: padId)
    let hidden = try finalHiddenStates(batch)
    let width = hidden.shape[2]
    // The hidden state of each sequence's last real token.
    let last = sequences.enumerated().map { $0.offset * batch.length + $0.element.count - 1 }
    let rows = hidden.reshaped([batch.batch * batch.length, width])
    let picked = Tensor.concatenate(last.map { rows.slice(axis: 0, $0..<($0 + 1)) }, axis: 0)
    return score(picked).reshaped([sequences.count])
  }

  func finalHiddenStates(_ batch: TokenBatch) throws -> Tensor {
    if let llama = model as? LlamaModel { return try llama.hiddenStates(batch) }
    if let gpt2 = model as? GPT2Model { return try gpt2.hiddenStates(batch) }
    throw ModelError.invalidInput("reward models need a GPT-2 or Llama-family model, got \(model.modelType)")
  }

  public func nextLoss(random: inout SeededRandom) throws -> (loss: Tensor, tokens: Int) {
    try loss((0..<batchSize).map { _ in pairs[order.next()] })
  }

  func loss(_ batch: [PreferencePair]) throws -> (Tensor, Int) {
    let chosen = try rewards(batch.map { $0.prompt + $0.chosen })
    let rejected = try rewards(batch.map { $0.prompt + $0.rejected })
    return (bradleyTerryLoss(chosenRewards: chosen, rejectedRewards: rejected), batch.count)
  }

  public func validationLoss() throws -> Float? {
    guard !validationPairs.isEmpty else { return nil }
    return try accuracyAndLoss().loss
  }

  /// How often the chosen answer outscores the rejected one on validation, and the mean loss.
  public func accuracyAndLoss() throws -> (accuracy: Double, loss: Float) {
    let tally = try ValidationTally.over(validationPairs, batchSize: batchSize) { batch in
      let chosen = try Autograd.inferenceMode { try rewards(batch.map { $0.prompt + $0.chosen }) }
      let rejected = try Autograd.inferenceMode { try rewards(batch.map { $0.prompt + $0.rejected }) }
      let wins = zip(chosen.data, rejected.data).filter { $0 > $1 }.count
      return (bradleyTerryLoss(chosenRewards: chosen, rejectedRewards: rejected).item, batch.count, wins)
    }
    return (tally.accuracy, tally.meanLoss ?? 0)
  }
}
