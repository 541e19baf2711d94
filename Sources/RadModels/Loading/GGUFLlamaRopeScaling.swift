import Foundation
import RadTensor

/// How scaled rotary frequencies are stored in a llama.cpp GGUF file, as llama.cpp's
/// `convert_hf_to_gguf.py` writes them: linear scaling as `<arch>.rope.scaling.type` "linear"
/// and `<arch>.rope.scaling.factor`; Llama 3.1 scaling as a `rope_freqs.weight` tensor of one
/// divisor per frequency (llama.cpp divides each angle by it). Dynamic NTK has no GGUF form.
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
        reason: "dynamic (NTK) RoPE scaling has no GGUF form: llama.cpp's converter writes none and llama.cpp would run the model unscaled")
    }
  }

  /// The `rope_freqs.weight` values for `scaling`, or nil when the file needs none.
  static func frequencyFactors(_ scaling: RopeScaling, headDim: Int, theta: Double) -> [Float]? {
    switch scaling {
    case .frequencyFactors(let factors): return factors
    case .llama3(let factor, let low, let high, let original):
      return llama3Factors(headDim: headDim, theta: theta, factor: factor, low: low, high: high, original: original)
    case .none, .linear, .dynamic: return nil
    }
  }

  /// `LlamaModel.generate_extra_tensors` of convert_hf_to_gguf.py, rounding as it does: each
  /// frequency is a float32 torch scalar, `a / tensor` is PyTorch's `reciprocal(tensor) * a`,
  /// and Python numbers meet it as float32. Kept frequencies get 1, divided ones `factor`, the
  /// band between 1 / ((1 − smooth)/factor + smooth).
  static func llama3Factors(headDim: Int, theta: Double, factor: Double, low: Double, high: Double, original: Int) -> [Float] {
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
        throw ModelError.shapeMismatch(file: path, name: frequencyTensorName, expected: [headDim / 2], found: factors.shape)
      }
      guard factors.data.allSatisfy({ $0.isFinite && $0 > 0 }) else {
        throw ModelError.invalidConfig(file: path, field: frequencyTensorName, reason: "factors must be positive and finite")
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
    default:
      throw ModelError.invalidConfig(file: path, field: typeKey, reason: "\"\(type)\" is not supported (none, linear, or a rope_freqs tensor)")
    }
  }
}
