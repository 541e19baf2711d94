import ArgumentParser
import Foundation
import RadModels
import RadTensor
import RadTokenizers

/// Where a command gets its model and tokenizer: a Hugging Face folder, a GGUF file, or a
/// `config.json` to initialise from seeded random weights (with `--tokenizer`).
struct ModelSourceOptions: ParsableArguments {
  @Option(help: "A model folder (config.json + safetensors), a .gguf file, or a fetched model name (smollm2, minilm).")
  var model: String?

  @Option(
    name: .customLong("init"), help: "Start from seeded random weights of the architecture this config.json describes.")
  var initConfig: String?

  @Option(help: "Tokenizer (tokenizer.json, model folder, GGUF, vocab.json or vocab.txt); defaults to the model's own.")
  var tokenizer: String?

  func validate() throws {
    if (model == nil) == (initConfig == nil) { throw ValidationError("give exactly one of --model or --init") }
    if initConfig != nil && tokenizer == nil { throw ValidationError("--init needs --tokenizer") }
    try OptionCheck.model(model)
    try OptionCheck.exists(initConfig, "--init")
    try OptionCheck.exists(tokenizer, "--tokenizer")
  }

  /// The resolved path of `--model` when it is a GGUF file.
  var ggufPath: String? {
    get throws {
      guard let model else { return nil }
      let path = try ModelArgument.path(model)
      return path.hasSuffix(".gguf") ? path : nil
    }
  }

  /// The chat template stored with the tokenizer (`--tokenizer`) or the model.
  func storedChatTemplate() throws -> StoredChatTemplate {
    guard let path = try tokenizer ?? model.map({ try ModelArgument.path($0) }) else {
      throw ValidationError("give exactly one of --model or --init")
    }
    return try StoredChatTemplate.read(path: path)
  }

  /// Loads the model (random-initialised from `seed` with `--init`) and its tokenizer.
  func load(seed: UInt64) throws -> (model: any TransformerModel, tokenizer: Tokenizer, source: String) {
    if let initConfig {
      let config = try ConfigJSON(contentsOf: URL(fileURLWithPath: initConfig))
      let model = try ModelRegistry.build(config, seed: seed)
      guard let tokenizer else { throw ValidationError("--init needs --tokenizer") }
      return (model, try TokenizerFiles.load(path: tokenizer), initConfig)
    }
    guard let model else { throw ValidationError("give exactly one of --model or --init") }
    let path = try ModelArgument.path(model)
    if path.hasSuffix(".gguf") {
      let loaded = try GGUFLlamaLoader.load(url: URL(fileURLWithPath: path))
      return (loaded, try TokenizerFiles.load(path: tokenizer ?? path), path)
    }
    let loaded = try ModelLoader.load(directory: URL(fileURLWithPath: path))
    return (loaded, try TokenizerFiles.load(path: tokenizer ?? path), path)
  }
}

/// Special-token helpers the training commands need.
extension Tokenizer {
  /// The end-of-text token used between documents and after completions.
  var endOfTextId: Int? {
    for token in ["<|endoftext|>", "<|im_end|>", "</s>", "<|eot_id|>", "<|end_of_text|>", "[SEP]"] {
      if let id = tokenToId(token) { return id }
    }
    return nil
  }

  /// The padding id (padding positions are masked, so any valid id works when none is defined).
  var paddingId: Int { tokenToId("<|endoftext|>") ?? tokenToId("[PAD]") ?? tokenToId("<pad>") ?? endOfTextId ?? 0 }
}
