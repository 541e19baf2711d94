import Foundation

/// YaRN rotary scaling (`rope_type` "yarn": Qwen2.5 long-context and DeepSeek-style configs).
/// Low frequencies (long wavelengths) are interpolated by `factor`, high ones kept, with a linear
/// ramp between the dimensions that turn `betaFast` and `betaSlow` times over the original
/// context; cos and sin are then multiplied by an attention factor (0.1·ln(factor) + 1 unless the
/// config gives one or an mscale pair), as transformers' `_compute_yarn_parameters` does.
public struct YarnRopeScaling: Sendable, Equatable {
  /// Context stretch: interpolated frequencies are divided by it.
  public var factor: Double
  /// The context the model was pretrained on (where the ramp's rotation counts are measured).
  public var originalMaxPositions: Int
  /// Optional settings exactly as the config gave them (nil: absent), so a saved config says the
  /// same; `effective…` and `attentionFactor` apply transformers' defaults.
  public var betaFast: Double?
  public var betaSlow: Double?
  public var mscale: Double?
  public var mscaleAllDim: Double?
  public var explicitAttentionFactor: Double?
  public var truncate: Bool?

  public init(
    factor: Double, originalMaxPositions: Int, betaFast: Double? = nil, betaSlow: Double? = nil, mscale: Double? = nil,
    mscaleAllDim: Double? = nil, attentionFactor: Double? = nil, truncate: Bool? = nil
  ) {
    self.factor = factor
    self.originalMaxPositions = originalMaxPositions
    self.betaFast = betaFast
    self.betaSlow = betaSlow
    self.mscale = mscale
    self.mscaleAllDim = mscaleAllDim
    self.explicitAttentionFactor = attentionFactor
    self.truncate = truncate
  }

  /// Reads a yarn `rope_parameters` object. `factor` may be null (then the ratio of
  /// `max_position_embeddings` to the original context); a top-level
  /// `original_max_position_embeddings` wins over the nested one, as in transformers.
  init(_ json: ConfigJSON, maxPositions: Int, topLevelOriginalMaxPositions: Int?) throws {
    let original = try RopeScaling.originalMaxPositions(
      json, maxPositions: maxPositions, topLevel: topLevelOriginalMaxPositions)
    guard json.values["factor"] != nil else {
      throw ModelError.invalidConfig(
        file: json.source, field: "factor",
        reason: "is missing (yarn needs it; null means max_position_embeddings / original_max_position_embeddings)")
    }
    let factor = json.has("factor") ? try json.double("factor") : Double(maxPositions) / Double(original)
    guard factor > 0, factor.isFinite else {
      throw ModelError.invalidConfig(
        file: json.source, field: "factor", reason: "must be a positive number, got \(factor)")
    }
    func optional(_ key: String) throws -> Double? { json.has(key) ? try json.double(key) : nil }
    self.init(
      factor: factor, originalMaxPositions: original, betaFast: try optional("beta_fast"),
      betaSlow: try optional("beta_slow"),
      mscale: try optional("mscale"), mscaleAllDim: try optional("mscale_all_dim"),
      attentionFactor: try optional("attention_factor"),
      truncate: json.has("truncate") ? try json.bool("truncate", default: true) : nil)
    for (key, value) in [("beta_fast", betaFast), ("beta_slow", betaSlow)] {
      // transformers takes the log of original/(beta·2π): a negative beta has none (0 means the default).
      if let value, !(value >= 0 && value.isFinite) {
        throw ModelError.invalidConfig(
          file: json.source, field: key, reason: "must be a non-negative number, got \(value)")
      }
    }
    if let explicitAttentionFactor, !(explicitAttentionFactor > 0 && explicitAttentionFactor.isFinite) {
      throw ModelError.invalidConfig(
        file: json.source, field: "attention_factor", reason: "must be positive, got \(explicitAttentionFactor)")
    }
    let attention = attentionFactor
    guard attention > 0, attention.isFinite else {
      throw ModelError.invalidConfig(
        file: json.source, field: "mscale_all_dim",
        reason: "gives the attention factor \(attention); it must be positive")
    }
  }

  /// The `rope_parameters` entries (besides `rope_type` and `rope_theta`).
  var parameters: [String: Any] {
    var values: [String: Any] = ["factor": factor, "original_max_position_embeddings": originalMaxPositions]
    let optional: [(String, Any?)] = [
      ("beta_fast", betaFast), ("beta_slow", betaSlow), ("mscale", mscale), ("mscale_all_dim", mscaleAllDim),
      ("attention_factor", explicitAttentionFactor), ("truncate", truncate),
    ]
    for case (let key, let value?) in optional { values[key] = value }
    return values
  }

  /// transformers' `beta_fast or 32` and `beta_slow or 1` (an absent or zero value is the default).
  public var effectiveBetaFast: Double { betaFast.flatMap { $0 == 0 ? nil : $0 } ?? 32 }
  public var effectiveBetaSlow: Double { betaSlow.flatMap { $0 == 0 ? nil : $0 } ?? 1 }

  /// 0.1·m·ln(scale) + 1 for scale > 1, else 1 (YaRN's magnitude correction).
  static func magnitudeScale(_ scale: Double, _ m: Double = 1) -> Double {
    scale <= 1 ? 1 : 0.1 * m * Foundation.log(scale) + 1
  }

  /// The factor cos and sin are multiplied by: the config's `attention_factor`, else
  /// mscale(factor, mscale)/mscale(factor, mscale_all_dim) when both are given and non-zero,
  /// else mscale(factor).
  public var attentionFactor: Double {
    if let explicitAttentionFactor { return explicitAttentionFactor }
    if let mscale, let mscaleAllDim, mscale != 0, mscaleAllDim != 0 {
      return Self.magnitudeScale(factor, mscale) / Self.magnitudeScale(factor, mscaleAllDim)
    }
    return Self.magnitudeScale(factor)
  }

  /// The ramp's first and last dimension: where a frequency turns betaFast (resp. betaSlow)
  /// times over the original context, floored/ceiled unless `truncate` is false, clamped to [0, dim − 1].
  func correctionRange(headDim: Int, theta: Double) -> (low: Double, high: Double) {
    func dimension(_ rotations: Double) -> Double {
      Double(headDim) * Foundation.log(Double(originalMaxPositions) / (rotations * 2 * Double.pi))
        / (2 * Foundation.log(theta))
    }
    var low = dimension(effectiveBetaFast)
    var high = dimension(effectiveBetaSlow)
    if truncate ?? true {
      low = low.rounded(.down)
      high = high.rounded(.up)
    }
    return (max(low, 0), min(high, Double(headDim - 1)))
  }

  /// inv_freq from the float32 powers theta^(2i/headDim), mixed as transformers does in float32:
  /// interpolated 1/(factor·p) where the ramp is 1, extrapolated 1/p where it is 0.
  func inverseFrequencies(powers: [Float], headDim: Int, theta: Double) -> [Float] {
    var (low, high) = correctionRange(headDim: headDim, theta: theta)
    if low == high { high += 0.001 }  // transformers avoids a zero-width ramp this way
    let lowF = Float(low), width = Float(high - low), f = Float(factor)
    return powers.enumerated().map { i, power in
      let ramp = min(max((Float(i) - lowF) / width, 0), 1)
      let extrapolation = 1 - ramp
      let interpolated = 1 / (f * power), extrapolated = 1 / power
      return interpolated * (1 - extrapolation) + extrapolated * extrapolation
    }
  }
}
