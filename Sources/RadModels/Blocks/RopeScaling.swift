import Foundation

/// How a model stretches its rotary frequencies beyond the context it was trained on
/// (`rope_parameters` / legacy `rope_scaling` in config.json). Each case rescales the plain
/// inv_freq table exactly as transformers' `ROPE_INIT_FUNCTIONS` do, in float32 like PyTorch;
/// "dynamic" (NTK) grows the base with the current sequence length and "longrope" switches factor
/// lists at the original context, so their tables depend on it; "yarn" and "longrope" also scale
/// cos and sin by an attention factor.
public enum RopeScaling: Sendable, Equatable {
  case none
  /// Every frequency divided by `factor` (positions interpolated).
  case linear(factor: Double)
  /// Llama 3.1: long wavelengths divided by `factor`, short ones kept, the band between smoothed.
  case llama3(factor: Double, lowFrequencyFactor: Double, highFrequencyFactor: Double, originalMaxPositions: Int)
  /// Dynamic NTK: beyond `maxPositions` tokens the base grows as
  /// base·(factor·length/maxPositions − (factor − 1))^(dim/(dim−2)).
  case dynamic(factor: Double, maxPositions: Int)
  /// One divisor per frequency, as llama.cpp's `rope_freqs.weight` tensor stores Llama 3.1
  /// scaling in GGUF files (the llama3 parameters themselves are not kept there).
  case frequencyFactors([Float])
  /// YaRN: a ramp between interpolated and kept frequencies, and an attention factor.
  case yarn(YarnRopeScaling)
  /// LongRoPE: per-frequency divisors chosen by sequence length, and an attention factor.
  case longRope(LongRopeScaling)

  /// Reads the `rope_parameters`/`rope_scaling` object `json` of the model config `config`
  /// (which gives max_position_embeddings, the head size and a top-level
  /// original_max_position_embeddings); unknown types and bad values are typed errors.
  public init(_ json: ConfigJSON, in config: ConfigJSON) throws {
    let maxPositions = try config.int("max_position_embeddings", default: 2048)
    let heads = try config.int("num_attention_heads", default: 1)
    let headDim = try config.int("head_dim", default: try config.int("hidden_size", default: 0) / max(heads, 1))
    try self.init(
      json, maxPositions: maxPositions, headDim: headDim,
      originalMaxPositions: config.optionalInt("original_max_position_embeddings"))
  }

  /// Reads a `rope_parameters`/`rope_scaling` object for a model of `maxPositions` positions and
  /// heads of `headDim` features; `originalMaxPositions` (a top-level config value) overrides the
  /// object's original_max_position_embeddings, as transformers' standardize_rope_params does.
  public init(_ json: ConfigJSON, maxPositions: Int, headDim: Int, originalMaxPositions: Int? = nil) throws {
    let type = try json.string("rope_type", default: try json.string("type", default: "default"))
    func factor() throws -> Double {
      let value = try json.double("factor")
      guard value > 0 else {
        throw ModelError.invalidConfig(file: json.source, field: "factor", reason: "must be positive")
      }
      return value
    }
    switch type {
    case "default": self = .none
    case "linear": self = .linear(factor: try factor())
    case "dynamic": self = .dynamic(factor: try factor(), maxPositions: maxPositions)
    case "llama3":
      let low = try json.double("low_freq_factor")
      let high = try json.double("high_freq_factor")
      guard high != low else {
        throw ModelError.invalidConfig(
          file: json.source, field: "high_freq_factor", reason: "must differ from low_freq_factor")
      }
      self = .llama3(
        factor: try factor(), lowFrequencyFactor: low, highFrequencyFactor: high,
        originalMaxPositions: try Self.originalMaxPositions(
          json, maxPositions: maxPositions, topLevel: originalMaxPositions))
    case "yarn":
      self = .yarn(
        try YarnRopeScaling(json, maxPositions: maxPositions, topLevelOriginalMaxPositions: originalMaxPositions))
    case "longrope":
      self = .longRope(
        try LongRopeScaling(
          json, maxPositions: maxPositions, headDim: headDim, topLevelOriginalMaxPositions: originalMaxPositions))
    default:
      throw ModelError.invalidConfig(
        file: json.source, field: "rope_type",
        reason: "\"\(type)\" is not supported (default, linear, dynamic, llama3, yarn, longrope)")
    }
  }

  /// The pretraining context of llama3/yarn/longrope: a top-level value wins, else the object's, else
  /// max_position_embeddings; it must be a positive integer.
  static func originalMaxPositions(_ json: ConfigJSON, maxPositions: Int, topLevel: Int?) throws -> Int {
    let value = try topLevel ?? json.int("original_max_position_embeddings", default: maxPositions)
    guard value > 0 else {
      throw ModelError.invalidConfig(
        file: json.source, field: "original_max_position_embeddings", reason: "must be positive, got \(value)")
    }
    return value
  }

  /// The `rope_parameters` entries (besides `rope_theta`) that describe this scaling.
  public var parameters: [String: Any] {
    switch self {
    case .none: return ["rope_type": "default"]
    case .linear(let factor): return ["rope_type": "linear", "factor": factor]
    case .dynamic(let factor, _): return ["rope_type": "dynamic", "factor": factor]
    // Not a transformers rope_type: only a GGUF file holds this form (see GGUFLlamaWriter).
    case .frequencyFactors(let factors): return ["rope_type": "frequency_factors", "factors": factors.map(Double.init)]
    case .llama3(let factor, let low, let high, let original):
      return [
        "rope_type": "llama3", "factor": factor, "low_freq_factor": low, "high_freq_factor": high,
        "original_max_position_embeddings": original,
      ]
    case .yarn(let yarn): return yarn.parameters.merging(["rope_type": "yarn"]) { a, _ in a }
    case .longRope(let longRope): return longRope.parameters.merging(["rope_type": "longrope"]) { a, _ in a }
    }
  }

  /// The factor transformers multiplies cos and sin by (`attention_scaling`): 1 except for yarn and longrope.
  public var attentionFactor: Double {
    switch self {
    case .yarn(let yarn): return yarn.attentionFactor
    case .longRope(let longRope): return longRope.attentionFactor
    case .none, .linear, .llama3, .dynamic, .frequencyFactors: return 1
    }
  }

  /// Whether the table depends on the sequence length (dynamic NTK and longrope).
  public var dependsOnLength: Bool {
    switch self {
    case .dynamic, .longRope: return true
    case .none, .linear, .llama3, .frequencyFactors, .yarn: return false
    }
  }

  /// inv_freq for `headDim` features and base `theta` when the longest position is `length − 1`.
  public func inverseFrequencies(headDim: Int, theta: Double, length: Int) -> [Float] {
    var base = Float(theta)
    if case .dynamic(let factor, let maxPositions) = self, length > maxPositions {
      // transformers mixes float32 tensors here (seq_len is a tensor), so the new base is float32.
      let f = Float(factor)
      let growth = f * Float(length) / Float(maxPositions) - (f - 1)
      base *= Float(Foundation.pow(Double(growth), Double(headDim) / Double(headDim - 2)))
    }
    let powers = (0..<(headDim / 2)).map { i -> Float in
      // torch: base ** (arange(0, dim, 2).float() / dim) in float32.
      let exponent = Float(2 * i) / Float(headDim)
      return Float(Foundation.pow(Double(base), Double(exponent)))
    }
    let plain = powers.map { 1 / $0 }
    switch self {
    case .none, .dynamic: return plain
    case .yarn(let yarn): return yarn.inverseFrequencies(powers: powers, headDim: headDim, theta: theta)
    case .longRope(let longRope): return longRope.inverseFrequencies(powers: powers, length: length)
    case .linear(let factor): return plain.map { $0 / Float(factor) }
    case .frequencyFactors(let factors): return zip(plain, factors).map { $0 / $1 }
    case .llama3(let factor, let low, let high, let original):
      let f = Float(factor), lowF = Float(low), highF = Float(high), context = Float(original)
      let lowWavelength = Float(Double(original) / low)
      let highWavelength = Float(Double(original) / high)
      return plain.map { frequency in
        let wavelength = 2 * Float.pi / frequency
        if wavelength < highWavelength { return frequency }
        if wavelength > lowWavelength { return frequency / f }
        let smooth = (context / wavelength - lowF) / (highF - lowF)
        return (1 - smooth) * frequency / f + smooth * frequency
      }
    }
  }
}
