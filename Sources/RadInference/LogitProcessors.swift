import Foundation

/// Divides every score by the temperature: below 1 sharpens the distribution, above 1 flattens it.
public struct TemperatureProcessor: LogitProcessor, Sendable {
  public let temperature: Float
  public init(temperature: Float) { self.temperature = temperature }
  public mutating func process(logits: inout [Float], history: [Int]) {
    guard temperature > 0, temperature != 1 else { return }
    let inverse = 1 / temperature
    for i in logits.indices { logits[i] *= inverse }
  }
}

/// Keeps the k highest scores and sets the rest to −∞ (Hugging Face's `TopKLogitsWarper`; ties
/// with the k-th score survive, as there).
public struct TopKProcessor: LogitProcessor, Sendable {
  public let k: Int
  public init(k: Int) { self.k = k }
  public mutating func process(logits: inout [Float], history: [Int]) {
    guard k > 0, k < logits.count else { return }
    let threshold = logits.sorted(by: >)[k - 1]
    for i in logits.indices where logits[i] < threshold { logits[i] = -.infinity }
  }
}

/// Nucleus sampling (Holtzman et al. 2020): keeps the most probable tokens whose probabilities
/// add up to at least p. As in Hugging Face's `TopPLogitsWarper`, tokens are sorted by score
/// and those whose cumulative probability from the bottom is ≤ 1 − p are removed, always keeping
/// the single most probable token.
public struct TopPProcessor: LogitProcessor, Sendable {
  public let p: Float
  public init(p: Float) { self.p = p }
  public mutating func process(logits: inout [Float], history: [Int]) {
    guard p < 1 else { return }
    let order = logits.indices.sorted { logits[$0] < logits[$1] }
    let probabilities = softmax(logits)
    var cumulative: Float = 0
    for (rank, index) in order.enumerated() {
      cumulative += probabilities[index]
      if cumulative <= 1 - p && rank < order.count - 1 { logits[index] = -.infinity }
    }
  }
}

/// Min-p sampling: removes tokens whose probability is below `minP` times the most probable
/// token's (Hugging Face's `MinPLogitsWarper`).
public struct MinPProcessor: LogitProcessor, Sendable {
  public let minP: Float
  public init(minP: Float) { self.minP = minP }
  public mutating func process(logits: inout [Float], history: [Int]) {
    guard minP > 0 else { return }
    let probabilities = softmax(logits)
    let threshold = (probabilities.max() ?? 0) * minP
    for i in logits.indices where probabilities[i] < threshold { logits[i] = -.infinity }
  }
}

/// Discourages repeating tokens already in the prompt or output (Keskar et al. 2019; Hugging
/// Face's `RepetitionPenaltyLogitsProcessor`): a positive score is divided by the penalty, a
/// negative one multiplied, once per distinct token.
public struct RepetitionPenaltyProcessor: LogitProcessor, Sendable {
  public let penalty: Float
  public init(penalty: Float) { self.penalty = penalty }
  public mutating func process(logits: inout [Float], history: [Int]) {
    guard penalty != 1 else { return }
    for token in Set(history) where token >= 0 && token < logits.count {
      logits[token] = logits[token] < 0 ? logits[token] * penalty : logits[token] / penalty
    }
  }
}

/// Numerically stable softmax of a score vector (−∞ entries get probability 0).
public func softmax(_ logits: [Float]) -> [Float] {
  let maximum = logits.max() ?? 0
  guard maximum.isFinite else { return logits.map { _ in 1 / Float(max(logits.count, 1)) } }
  var exps = logits.map { Foundation.exp($0 - maximum) }
  let total = exps.reduce(0, +)
  for i in exps.indices { exps[i] /= total }
  return exps
}
