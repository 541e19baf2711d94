import Foundation
import RadModelFiles
import RadTensor

/// How scaled rotary frequencies are stored in a llama.cpp GGUF file, as llama.cpp's
/// `convert_hf_to_gguf.py` writes them: linear scaling as `<arch>.rope.scaling.type` "linear"
/// and `<arch>.rope.scaling.factor`; Llama 3.1 scaling as a `rope_freqs.weight` tensor of one
/// divisor per frequency (llama.cpp divides each angle by it); YaRN as type "yarn", `factor` and
/// `original_context_length` (plus the yarn_* keys the converter copies when the config has them).
/// Dynamic NTK and LongRoPE have no GGUF form that llama.cpp's llama architecture runs.
public enum GGUFLlamaRopeScaling {
  /// Name of llama.cpp's per-frequency divisor tensor.
  public static let frequencyTensorName = "rope_freqs.weight"

  /// Metadata entries for `scaling` (none for llama3, whose factors go in the tensor).
  static func metadata(
    _ scaling: RopeScaling, architecture: String, destination: String
  ) throws -> [(key: String, value: GGUFValue)] {
    switch scaling {
    case .none, .llama3, .frequencyFactors: return []
    case .linear(let factor):
      return [
        ("\(architecture).rope.scaling.type", .string("linear")),
        ("\(architecture).rope.scaling.factor", .float32(Float(factor))),
      ]
    case .dynamic:
      throw ModelError.invalidConfig(
        file: destination, field: "rope_parameters",
        reason:
          "dynamic (NTK) RoPE scaling has no GGUF form: llama.cpp's converter writes none and llama.cpp would run the model unscaled"
      )
    case .longRope:
      throw ModelError.invalidConfig(
        file: destination, field: "rope_parameters",
        reason:
          "longrope RoPE scaling has no GGUF form for the llama architecture: llama.cpp's converter writes only the type, "
          + "without the factor lists or attention factor, and llama.cpp would run the model unscaled")
    case .yarn(let yarn):
      if let difference = differenceFromLlamaCpp(yarn) {
        throw ModelError.invalidConfig(
          file: destination, field: "rope_parameters",
          reason: "this yarn scaling cannot be run by llama.cpp from a GGUF file: \(difference)")
      }
      // The keys and types convert_hf_to_gguf.py writes (TextModel.set_gguf_parameters).
      var entries: [(key: String, value: GGUFValue)] = [
        ("\(architecture).rope.scaling.type", .string("yarn")),
        ("\(architecture).rope.scaling.factor", .float32(Float(yarn.factor))),
        ("\(architecture).rope.scaling.original_context_length", .uint32(UInt32(yarn.originalMaxPositions))),
      ]
      let optional: [(String, Double?)] = [
        ("yarn_attn_factor", yarn.explicitAttentionFactor), ("yarn_beta_fast", yarn.betaFast),
        ("yarn_beta_slow", yarn.betaSlow),
      ]
      for case (let name, let value?) in optional {
        entries.append(("\(architecture).rope.scaling.\(name)", .float32(Float(value))))
      }
      return entries
    }
  }

  /// What llama.cpp's llama architecture does differently from transformers for `yarn`, or nil.
  /// llama.cpp (llama-context.cpp) always uses beta_fast 32, beta_slow 1, a truncated ramp and the
  /// attention factor 0.1·ln(factor) + 1: it reads none of the yarn_* keys for this architecture.
  static func differenceFromLlamaCpp(_ yarn: YarnRopeScaling) -> String? {
    if yarn.effectiveBetaFast != 32 || yarn.effectiveBetaSlow != 1 {
      return "beta_fast \(yarn.effectiveBetaFast) and beta_slow \(yarn.effectiveBetaSlow) (llama.cpp uses 32 and 1)"
    }
    if !(yarn.truncate ?? true) { return "truncate false (llama.cpp always truncates the correction range)" }
    let llamaCpp = YarnRopeScaling.magnitudeScale(yarn.factor)
    if Float(yarn.attentionFactor) != Float(llamaCpp) {
      return
        "attention factor \(yarn.attentionFactor) (from attention_factor/mscale/mscale_all_dim; llama.cpp uses 0.1·ln(factor) + 1 = \(llamaCpp))"
    }
    return nil
  }

  /// The `rope_freqs.weight` values for `scaling`, or nil when the file needs none.
  static func frequencyFactors(_ scaling: RopeScaling, headDim: Int, theta: Double) -> [Float]? {
    switch scaling {
    case .frequencyFactors(let factors): return factors
    case .llama3(let factor, let low, let high, let original):
      return llama3Factors(headDim: headDim, theta: theta, factor: factor, low: low, high: high, original: original)
    case .none, .linear, .dynamic, .yarn, .longRope: return nil
    }
  }

  /// `LlamaModel.generate_extra_tensors` of convert_hf_to_gguf.py, rounding as it does: each
  /// frequency is a float32 torch scalar, `a / tensor` is PyTorch's `reciprocal(tensor) * a`,
  /// and Python numbers meet it as float32. Kept frequencies get 1, divided ones `factor`, the
  /// band between 1 / ((1 − smooth)/factor + smooth).
  static func llama3Factors(headDim: Int, theta: Double, factor: Double, low: Double, high: Double, original: Int)
    -> [Float]
  {
    let frequencies = RopeScaling.none.inverseFrequencies(headDim: headDim, theta: theta, length: 0)
    let lowWavelength = Float(Double(original) / low)
    let highWavelength = Float(Double(original) / high)
    let twoPi = Float(2 * Double.pi)
    return frequencies.map { frequency -> Float in
      let wavelength = (1 / frequency) * twoPi
      if wavelength < highWavelength { return 1 }
      if wavelength > lowWavelength { return Float(factor) }
      let smooth = ((1 / wavelength) * Float(original) - Float(low)) / Float(high - low)
      return 1 / ((1 - smooth) / Float(factor) + smooth)
    }
  }

  /// The scaling a GGUF file describes: its `rope_freqs.weight` tensor, else its
  /// `<arch>.rope.scaling.*` keys; types llama.cpp stores but RadLM cannot run are typed errors.
  public static func read(_ file: GGUFFile, architecture: String, headDim: Int) throws -> RopeScaling {
    let path = file.url.path
    if file.tensorNames.contains(frequencyTensorName) {
      let factors = try file.tensor(frequencyTensorName)
      guard factors.shape == [headDim / 2] else {
        throw ModelError.shapeMismatch(
          file: path, name: frequencyTensorName, expected: [headDim / 2], found: factors.shape)
      }
      guard factors.data.allSatisfy({ $0.isFinite && $0 > 0 }) else {
        throw ModelError.invalidConfig(
          file: path, field: frequencyTensorName, reason: "factors must be positive and finite")
      }
      return .frequencyFactors(factors.data)
    }
    let typeKey = "\(architecture).rope.scaling.type"
    guard let value = file[typeKey] else { return .none }
    guard let type = value.stringValue else {
      throw ModelError.invalidConfig(file: path, field: typeKey, reason: "is not a string")
    }
    switch type {
    case "none": return .none
    case "linear":
      let factorKey = "\(architecture).rope.scaling.factor"
      guard let factor = file[factorKey]?.doubleValue, factor > 0 else {
        throw ModelError.invalidConfig(file: path, field: factorKey, reason: "is missing or not a positive number")
      }
      return .linear(factor: factor)
    case "yarn":
      return .yarn(try readYarn(file, architecture: architecture))
    default:
      throw ModelError.invalidConfig(
        file: path, field: typeKey, reason: "\"\(type)\" is not supported (none, linear, yarn, or a rope_freqs tensor)")
    }
  }

  /// YaRN as llama.cpp runs it: `factor`, `original_context_length` (default: the context
  /// length). The yarn_* keys llama.cpp ignores must agree with what it does instead, or the
  /// file means two different models and loading it is a typed error naming the key.
  static func readYarn(_ file: GGUFFile, architecture: String) throws -> YarnRopeScaling {
    let path = file.url.path
    let prefix = "\(architecture).rope.scaling."
    guard let factor = file[prefix + "factor"]?.doubleValue, factor > 0, factor.isFinite else {
      throw ModelError.invalidConfig(
        file: path, field: prefix + "factor", reason: "is missing or not a positive number")
    }
    let originalKey = prefix + "original_context_length"
    let original = file[originalKey]?.intValue ?? file["\(architecture).context_length"]?.intValue ?? 0
    guard original > 0 else {
      throw ModelError.invalidConfig(file: path, field: originalKey, reason: "is missing or not a positive integer")
    }
    let yarn = YarnRopeScaling(factor: factor, originalMaxPositions: original)
    let runs: [(String, Double)] = [
      ("yarn_beta_fast", 32), ("yarn_beta_slow", 1), ("yarn_attn_factor", yarn.attentionFactor), ("yarn_ext_factor", 1),
      ("attn_factor", 1),
    ]
    for (name, used) in runs {
      guard let value = file[prefix + name] else { continue }
      guard let number = value.doubleValue, Float(number) == Float(used) else {
        throw ModelError.invalidConfig(
          file: path, field: prefix + name,
          reason: "is \(value); llama.cpp runs yarn on this architecture with \(Float(used)) instead")
      }
    }
    return yarn
  }
}
