import Foundation

/// LongRoPE rotary scaling (`rope_type` "longrope", Phi-3 style): every frequency has its own
/// divisor, taken from `shortFactor` while the sequence fits the original context and from
/// `longFactor` once it is longer (so the table depends on the length, as in transformers'
/// `longrope_frequency_update`); cos and sin are multiplied by an attention factor,
/// √(1 + ln(factor)/ln(original)) unless the config gives one.
public struct LongRopeScaling: Sendable, Equatable {
  /// One divisor per frequency (headDim/2 of them) for sequences within the original context.
  public var shortFactor: [Double]
  /// One divisor per frequency for sequences longer than the original context.
  public var longFactor: [Double]
  /// The context the model was pretrained on.
  public var originalMaxPositions: Int
  /// `max_position_embeddings`, which with the original context gives the default `factor`.
  public var maxPositions: Int
  /// `factor` and `attention_factor` as the config gave them (nil: absent).
  public var factor: Double?
  public var explicitAttentionFactor: Double?

  public init(
    shortFactor: [Double], longFactor: [Double], originalMaxPositions: Int, maxPositions: Int, factor: Double? = nil,
    attentionFactor: Double? = nil
  ) {
    self.shortFactor = shortFactor
    self.longFactor = longFactor
    self.originalMaxPositions = originalMaxPositions
    self.maxPositions = maxPositions
    self.factor = factor
    self.explicitAttentionFactor = attentionFactor
  }

  /// Reads a longrope `rope_parameters` object; both lists must hold headDim/2 positive numbers.
  init(_ json: ConfigJSON, maxPositions: Int, headDim: Int, topLevelOriginalMaxPositions: Int?) throws {
    func factors(_ key: String) throws -> [Double] {
      guard json.has(key) else { throw ModelError.invalidConfig(file: json.source, field: key, reason: "is missing") }
      let list = json.values[key] as? [Any] ?? []
      let values = list.compactMap { ($0 as? NSNumber)?.doubleValue }
      guard json.values[key] is [Any], values.count == list.count else {
        throw ModelError.invalidConfig(file: json.source, field: key, reason: "is not a list of numbers")
      }
      guard values.count == headDim / 2 else {
        throw ModelError.invalidConfig(
          file: json.source, field: key, reason: "has \(values.count) values; head_dim \(headDim) needs \(headDim / 2)")
      }
      if let bad = values.first(where: { !($0 > 0 && $0.isFinite) }) {
        throw ModelError.invalidConfig(
          file: json.source, field: key, reason: "holds \(bad); every factor must be positive")
      }
      return values
    }
    func positive(_ key: String) throws -> Double? {
      guard json.has(key) else { return nil }
      let value = try json.double(key)
      guard value > 0, value.isFinite else {
        throw ModelError.invalidConfig(file: json.source, field: key, reason: "must be positive, got \(value)")
      }
      return value
    }
    self.init(
      shortFactor: try factors("short_factor"), longFactor: try factors("long_factor"),
      originalMaxPositions: try RopeScaling.originalMaxPositions(
        json, maxPositions: maxPositions, topLevel: topLevelOriginalMaxPositions),
      maxPositions: maxPositions, factor: try positive("factor"), attentionFactor: try positive("attention_factor"))
  }

  /// The `rope_parameters` entries (besides `rope_type` and `rope_theta`).
  var parameters: [String: Any] {
    var values: [String: Any] = [
      "short_factor": shortFactor, "long_factor": longFactor, "original_max_position_embeddings": originalMaxPositions,
    ]
    if let factor { values["factor"] = factor }
    if let explicitAttentionFactor { values["attention_factor"] = explicitAttentionFactor }
    return values
  }

  /// The factor cos and sin are multiplied by (the same for short and long sequences).
  public var attentionFactor: Double {
    if let explicitAttentionFactor { return explicitAttentionFactor }
    let factor = self.factor ?? Double(maxPositions) / Double(originalMaxPositions)
    if factor <= 1 { return 1 }
    return (1 + Foundation.log(factor) / Foundation.log(Double(originalMaxPositions))).squareRoot()
  }

  /// inv_freq = 1/(factor_i · p_i) in float32 for the float32 powers p_i = theta^(2i/headDim),
  /// with the long factors when the longest position is at or past the original context.
  func inverseFrequencies(powers: [Float], length: Int) -> [Float] {
    let divisors = length > originalMaxPositions ? longFactor : shortFactor
    return zip(powers, divisors).map { power, divisor in 1 / (Float(divisor) * power) }
  }
}
