import ArgumentParser
import Foundation
import RadInference
import RadModels
import RadTensor
import RadTokenizers

/// `radlm convert`: rewrites a model as a Hugging Face folder (config.json, model.safetensors,
/// tokenizer.json) that both RadLM and transformers load: from a llama.cpp GGUF (weights
/// dequantised to F32 or F16/BF16, q/k rows un-permuted) or from another folder (e.g. a sharded
/// checkpoint to a single file, or F32 to F16).
struct ConvertCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "convert",
    abstract: "Convert a GGUF file or model folder into a Hugging Face folder (config.json + model.safetensors + tokenizer.json).",
    discussion: "Writing GGUF is not supported yet.")

  @Option(help: "A .gguf file, a model folder, or a fetched model name.") var model: String
  @Option(help: "Output folder (created).") var output: String
  @Option(help: "Stored precision: F32, F16 or BF16.") var dtype = "F32"

  func run() throws {
    guard let stored = SafetensorsWriter.StoredType(rawValue: dtype.uppercased()) else {
      throw ValidationError("--dtype must be F32, F16 or BF16")
    }
    let path = try ModelArgument.path(model)
    let destination = URL(fileURLWithPath: output)
    let loaded: any TransformerModel
    let tokenizer: Tokenizer?
    var chatTemplate: String?
    if path.hasSuffix(".gguf") {
      let bundle = try ModelBundle.open(path: path)
      loaded = bundle.model
      tokenizer = bundle.tokenizer
      chatTemplate = bundle.chatTemplateSource
    } else {
      loaded = try ModelLoader.load(directory: URL(fileURLWithPath: path))
      tokenizer = try? TokenizerFiles.load(path: path)
    }
    try WeightLoader.save(loaded, to: destination, dtype: stored)
    if let tokenizer {
      try TokenizerJSON.save(tokenizer, path: destination.appendingPathComponent("tokenizer.json").path)
    }
    if let chatTemplate {
      let json = try JSONSerialization.data(withJSONObject: ["chat_template": chatTemplate], options: [.prettyPrinted, .sortedKeys])
      try AtomicFile.write([UInt8](json), to: destination.appendingPathComponent("tokenizer_config.json"))
    }
    print(destination.path)
  }
}
