import ArgumentParser
import Foundation
import RadInference
import RadModelFiles
import RadModels
import RadTensor
import RadTokenizers

/// `radlm convert`: rewrites a model as a Hugging Face folder (config.json, model.safetensors,
/// tokenizer.json) that both RadLM and transformers load: from a llama.cpp GGUF (weights
/// dequantised to F32 or F16/BF16, q/k rows un-permuted) or from another folder (e.g. a sharded
/// checkpoint to a single file, or F32 to F16); or, with `--to gguf`, writes a Llama-family
/// model as a llama.cpp GGUF file (F32, F16, Q8_0 or Q4_1, tokenizer included).
struct ConvertCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "convert",
    abstract:
      "Convert a GGUF file or model folder into a Hugging Face folder, (--to int8) an int8 weight-only folder, or (--to gguf) a Llama-family model into a GGUF file.",
    discussion: """
      --to hf (default): --dtype F32, F16 or BF16; the output is a folder. --to gguf: --dtype f32, \
      f16, q8_0 or q4_1 (matrices; norms stay F32), tokenizer.ggml.* from the model's tokenizer \
      (byte-level BPE), q/k rows permuted as llama.cpp expects, scaled RoPE as llama.cpp's converter \
      writes it (llama3: rope_freqs.weight; linear: rope.scaling.*; dynamic is refused); llama and \
      qwen2 models only. \
      Without --output the result is written to the current folder as NAME-hf or NAME-DTYPE.gguf.
      """)

  @Argument(help: "A .gguf file, a model folder, or a fetched model name.") var source: String?
  @Option(help: "The model (instead of the argument).") var model: String?
  @Option(help: "Output folder (hf) or file (gguf).") var output: String?
  @Option(help: "Target format: hf, int8 (I8 weights with F32 scales, docs/int8-weight-format.md) or gguf.") var to =
    "hf"
  @Option(help: "Stored precision: F32, F16 or BF16 (hf); f32, f16, q8_0 or q4_1 (gguf).") var dtype: String?

  func validate() throws {
    if (source == nil) == (model == nil) {
      throw ValidationError("give the model once: as the argument or with --model")
    }
    try OptionCheck.model(source, "<source>")
    try OptionCheck.model(model)
    if !["hf", "gguf", "int8"].contains(to) { throw ValidationError("--to must be hf, gguf or int8") }
    if to == "int8" && dtype != nil { throw ValidationError("--dtype does not apply to --to int8") }
    if let dtype, to == "gguf", GGUFLlamaWriter.StoredType(rawValue: dtype.lowercased()) == nil {
      throw ValidationError("--dtype must be f32, f16, q8_0 or q4_1 for --to gguf (got \(dtype))")
    }
    if let dtype, to == "hf", SafetensorsWriter.StoredType(rawValue: dtype.uppercased()) == nil {
      throw ValidationError("--dtype must be F32, F16 or BF16 for --to hf (got \(dtype))")
    }
  }

  func run() throws {
    let path = try ModelArgument.path(source ?? model ?? "")
    let base = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    if to == "gguf" {
      let name = (dtype ?? "f32").lowercased()
      guard let stored = GGUFLlamaWriter.StoredType(rawValue: name) else {
        throw ValidationError("--dtype must be f32, f16, q8_0 or q4_1 for --to gguf")
      }
      let bundle = try ModelBundle.open(path: path)
      guard let llama = bundle.model as? LlamaModel else {
        throw ValidationError(
          "\(path): model_type \(bundle.model.modelType) cannot be written to GGUF (llama and qwen2 only)")
      }
      let destination = URL(fileURLWithPath: output ?? "\(base)-\(name).gguf")
      try GGUFLlamaWriter.write(
        llama, tokenizer: bundle.tokenizer, chatTemplate: bundle.chatTemplateSource, name: base, dtype: stored,
        to: destination)
      print(destination.path)
      return
    }
    guard let stored = SafetensorsWriter.StoredType(rawValue: (dtype ?? "F32").uppercased()) else {
      throw ValidationError("--dtype must be F32, F16 or BF16")
    }
    let destination = URL(fileURLWithPath: output ?? "\(base)-hf")
    let loaded: any TransformerModel
    let tokenizer: Tokenizer?
    var chatTemplate: String?
    if path.hasSuffix(".gguf") {
      let bundle = try ModelBundle.open(path: path)
      loaded = bundle.model
      // transformers has no rope_type for llama.cpp's bare per-frequency divisors.
      if let llama = loaded as? LlamaModel, case .frequencyFactors = llama.config.ropeScaling {
        throw ModelError.invalidConfig(
          file: path, field: GGUFLlamaRopeScaling.frequencyTensorName,
          reason:
            "Llama 3.1 RoPE scaling stored as per-frequency factors has no config.json form; convert the original folder instead"
        )
      }
      tokenizer = bundle.tokenizer
      chatTemplate = bundle.chatTemplateSource
    } else {
      loaded = try ModelLoader.load(directory: URL(fileURLWithPath: path))
      tokenizer = try? TokenizerFiles.load(path: path)
    }
    if to == "int8" {
      try Int8WeightFormat.save(loaded, to: destination)
    } else {
      try WeightLoader.save(loaded, to: destination, dtype: stored)
    }
    if let tokenizer {
      try TokenizerJSON.save(tokenizer, path: destination.appendingPathComponent("tokenizer.json").path)
    }
    if let chatTemplate {
      let json = try JSONSerialization.data(
        withJSONObject: ["chat_template": chatTemplate], options: [.prettyPrinted, .sortedKeys])
      try AtomicFile.write([UInt8](json), to: destination.appendingPathComponent("tokenizer_config.json"))
    }
    print(destination.path)
  }
}
