import Foundation
import RadModels
import RadTensor

/// One preference example: a prompt with a chosen and a rejected completion, as token ids.
public struct PreferencePair: Sendable, Equatable {
  public var prompt: [Int]
  public var chosen: [Int]
  public var rejected: [Int]
  public init(prompt: [Int], chosen: [Int], rejected: [Int]) {
    self.prompt = prompt
    self.chosen = chosen
    self.rejected = rejected
  }
}

/// DPO training: each step scores a batch of pairs under the policy and compares with the
/// reference log-probabilities, which are computed once up front (from a frozen copy of the base,
/// from the policy with its LoRA adapters switched off, or read from a cache file) as TRL's
/// `precompute_ref_log_probs` does.
public final class DirectPreferenceObjective: TrainingObjective {
  public let policy: any LanguageModel
  public let pairs: [PreferencePair]
  public let validationPairs: [PreferencePair]
  public let loss: PreferenceLoss
  public let beta: Float
  public let batchSize: Int
  public let padId: Int
  public var dropoutSource: DropoutSource?
  /// Reference log-probabilities (chosen, rejected) per pair, training then validation.
  public let referenceLogProbabilities: [(chosen: Float, rejected: Float)]
  private var order: DataOrder

  public init(
    policy: any LanguageModel, pairs: [PreferencePair], validationPairs: [PreferencePair],
    referenceLogProbabilities: [(chosen: Float, rejected: Float)], loss: PreferenceLoss, beta: Float, batchSize: Int,
    padId: Int, seed: UInt64
  ) throws {
    guard !pairs.isEmpty else { throw TrainingDataError.noExamples(what: "preference pairs") }
    guard batchSize >= 1 else {
      throw TrainingDataError.invalidSetting(name: "batch size", value: "\(batchSize)", rule: "at least 1")
    }
    guard referenceLogProbabilities.count == pairs.count + validationPairs.count else {
      throw TrainingDataError.invalidSetting(
        name: "reference log-probabilities", value: "\(referenceLogProbabilities.count)",
        rule: "one per pair (\(pairs.count + validationPairs.count))")
    }
    self.policy = policy
    self.pairs = pairs
    self.validationPairs = validationPairs
    self.referenceLogProbabilities = referenceLogProbabilities
    self.loss = loss
    self.beta = beta
    self.batchSize = batchSize
    self.padId = padId
    order = DataOrder(count: pairs.count, seed: seed)
  }

  /// Log-probabilities of chosen and rejected completions under `model` (summed, or averaged for IPO).
  public static func logProbabilities(
    model: any LanguageModel, pairs: [PreferencePair], average: Bool, padId: Int, batchSize: Int = 8
  ) throws -> [(chosen: Float, rejected: Float)] {
    var result: [(Float, Float)] = []
    var start = 0
    while start < pairs.count {
      let slice = Array(pairs[start..<Swift.min(start + batchSize, pairs.count)])
      let values = try Autograd.inferenceMode { try scores(model: model, pairs: slice, average: average, padId: padId) }
      let n = slice.count
      for index in 0..<n { result.append((values.data[index], values.data[n + index])) }
      start += batchSize
    }
    return result
  }

  /// [chosen…, rejected…] log-probabilities of a batch of pairs.
  static func scores(model: any LanguageModel, pairs: [PreferencePair], average: Bool, padId: Int) throws -> Tensor {
    let examples =
      pairs.map { LabeledSequence(prompt: $0.prompt, completion: $0.chosen) }
      + pairs.map { LabeledSequence(prompt: $0.prompt, completion: $0.rejected) }
    let (batch, labels) = CausalLanguageModelingObjective.collate(examples, padId: padId)
    return sequenceLogProbabilities(logits: try model.logits(batch), labels: labels, average: average)
  }

  public var parameters: ParameterStore { policy.parameters }
  public var dataPosition: DataOrder.Position { order.position }
  public func restoreDataPosition(_ position: DataOrder.Position) { order.restore(position) }

  public func nextLoss(random: inout SeededRandom) throws -> (loss: Tensor, tokens: Int) {
    if let dropoutSource {
      dropoutSource.reseed(random.next())
      dropoutSource.training = true
    }
    let indices = (0..<batchSize).map { _ in order.next() }
    return (
      try batchLoss(indices.map { pairs[$0] }, references: indices.map { referenceLogProbabilities[$0] }), indices.count
    )
  }

  public func validationLoss() throws -> Float? {
    guard !validationPairs.isEmpty else { return nil }
    dropoutSource?.training = false
    defer { dropoutSource?.training = true }
    return try ValidationTally.over(Array(validationPairs.indices), batchSize: batchSize) { batch in
      let references = batch.map { referenceLogProbabilities[pairs.count + $0] }
      return (try batchLoss(batch.map { validationPairs[$0] }, references: references).item, batch.count, 0)
    }.meanLoss
  }

  /// The mean preference loss of `batch` under the policy, given each pair's reference
  /// log-probabilities (as `logProbabilities` returns them); what each training step minimises.
  public func batchLoss(_ batch: [PreferencePair], references: [(chosen: Float, rejected: Float)]) throws -> Tensor {
    let n = batch.count
    let policyScores = try Self.scores(model: policy, pairs: batch, average: loss == .ipo, padId: padId)
    return loss.loss(
      policyChosen: policyScores.slice(axis: 0, 0..<n), policyRejected: policyScores.slice(axis: 0, n..<(2 * n)),
      referenceChosen: Tensor(shape: [n], data: references.map(\.chosen)),
      referenceRejected: Tensor(shape: [n], data: references.map(\.rejected)), beta: beta)
  }
}
