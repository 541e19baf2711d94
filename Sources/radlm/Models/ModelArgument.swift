import ArgumentParser
import Foundation
import RadInference
import RadModelFiles
import RadModels
import RadTensor

/// Resolves `--model`: a path (model folder or .gguf file) or the name of a fetched model
/// (`smollm2`, `minilm`).
enum ModelArgument {
  static func path(_ value: String) throws -> String {
    if FileManager.default.fileExists(atPath: value) { return value }
    if ModelCache.catalog.contains(where: { $0.name == value }) { return try ModelCache().path(of: value).path }
    throw ValidationError("--model \(value): no such file or folder, and not a fetched model name")
  }

  /// Opens a language model with its tokenizer, quantised to `dtype`.
  static func bundle(_ value: String, dtype: WeightDType) throws -> ModelBundle {
    guard case .decoderOnly(let bundle) = try generationModel(value, dtype: dtype) else {
      throw ValidationError(
        "--model \(value): an encoder–decoder model; this command needs a decoder-only language model")
    }
    return bundle
  }

  /// Opens a decoder-only model (quantised to `dtype`) or an encoder–decoder folder (f32 only).
  static func generationModel(_ value: String, dtype: WeightDType) throws -> GenerationModel {
    let opened = try GenerationModel.open(path: try path(value))
    switch opened {
    case .decoderOnly(let bundle):
      if dtype != .f32 { try ModelQuantizer.quantize(bundle.model, to: dtype, gguf: bundle.ggufFile) }
    case .encoderDecoder:
      if dtype != .f32 {
        throw ValidationError("--dtype \(dtype.rawValue) is for decoder-only models; encoder–decoder models run in f32")
      }
    }
    return opened
  }
}

extension WeightDType: ExpressibleByArgument {}

/// Minimal JSON text for the commands' one-line outputs (keys in the order the docs give).
enum ModelJSON {
  static func string(_ s: String) -> String { GGUFValue.quoted(s) }

  static func number(_ x: Float) -> String { x.isFinite ? "\(x)" : "null" }
  static func number(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
  static func ints(_ xs: [Int]) -> String { "[" + xs.map(String.init).joined(separator: ",") + "]" }
  static func floats(_ xs: [Float]) -> String { "[" + xs.map { number($0) }.joined(separator: ",") + "]" }
}

/// Writes text to stdout immediately (streamed generation).
enum StandardOutput {
  static func write(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
  }
}
