import Foundation
import RadModelFiles
import RadModels
import RadTensor
import RadTokenizers

/// A language model together with everything needed to talk to it: its tokenizer, the token
/// ids that end a reply, and its chat template. Opens a Hugging Face folder (config.json,
/// model.safetensors, tokenizer.json, tokenizer_config.json) or a llama.cpp GGUF file.
public final class ModelBundle: @unchecked Sendable {
  public let model: any LanguageModel
  public let tokenizer: Tokenizer
  public let eosTokenIds: Set<Int>
  public let chatTemplate: ChatTemplate
  /// The system prompt the model's template inserts when a conversation has none.
  public let defaultSystemPrompt: String?
  /// The GGUF file, when the model came from one (for quantised decoding).
  public let ggufFile: GGUFFile?
  /// The Jinja chat template as the model files store it (kept when converting).
  public let chatTemplateSource: String?

  public init(model: any LanguageModel, tokenizer: Tokenizer, eosTokenIds: Set<Int>, chatTemplate: ChatTemplate,
              defaultSystemPrompt: String? = nil, ggufFile: GGUFFile? = nil, chatTemplateSource: String? = nil) {
    self.model = model
    self.tokenizer = tokenizer
    self.eosTokenIds = eosTokenIds
    self.chatTemplate = chatTemplate
    self.defaultSystemPrompt = defaultSystemPrompt
    self.ggufFile = ggufFile
    self.chatTemplateSource = chatTemplateSource
  }

  /// Opens `path`: a `.gguf` file or a model folder.
  public static func open(path: String) throws -> ModelBundle {
    let url = URL(fileURLWithPath: path)
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw ModelError.invalidInput("\(path): no such file or folder")
    }
    if isDirectory.boolValue { return try openFolder(url) }
    return try openGGUF(url)
  }

  static func openGGUF(_ url: URL) throws -> ModelBundle {
    let file = try GGUFFile(url: url)
    let model = try GGUFLlamaLoader.load(file)
    let tokenizer: Tokenizer
    do { tokenizer = try GGUFVocabulary.load(path: url.path) } catch {
      throw ModelError.invalidConfig(file: url.path, field: "tokenizer.ggml.*", reason: "\(error)")
    }
    let templateSource = file["tokenizer.chat_template"]?.stringValue
    let template = ChatTemplate.detect(fromTemplateSource: templateSource)
    var eos = Set(model.config.eosTokenIds)
    if let end = template.endOfTurn, let id = tokenizer.tokenToId(end) { eos.insert(id) }
    return ModelBundle(
      model: model, tokenizer: tokenizer, eosTokenIds: eos, chatTemplate: template,
      defaultSystemPrompt: defaultSystem(in: templateSource), ggufFile: file, chatTemplateSource: templateSource)
  }

  static func openFolder(_ url: URL) throws -> ModelBundle {
    try openFolder(url, loaded: try ModelLoader.load(directory: url))
  }

  /// A folder whose model is already loaded.
  static func openFolder(_ url: URL, loaded: any TransformerModel) throws -> ModelBundle {
    guard let model = loaded as? any LanguageModel else {
      throw ModelError.invalidInput("\(url.path): model_type \"\(loaded.modelType)\" is not a decoder language model")
    }
    let tokenizer = try folderTokenizer(url)
    var eos = folderEndTokenIds(url, config: model.configJSON)
    var templateSource: String?
    if let json = try? ConfigJSON(contentsOf: url.appendingPathComponent("tokenizer_config.json")) {
      templateSource = json.values["chat_template"] as? String
    }
    let template = ChatTemplate.detect(fromTemplateSource: templateSource)
    if let end = template.endOfTurn, let id = tokenizer.tokenToId(end) { eos.insert(id) }
    return ModelBundle(
      model: model, tokenizer: tokenizer, eosTokenIds: eos, chatTemplate: template,
      defaultSystemPrompt: defaultSystem(in: templateSource), chatTemplateSource: templateSource)
  }

  /// A model folder's tokenizer.json, without the padding/truncation settings it may carry
  /// (MiniLM pads to 128): they do not apply to prompts.
  static func folderTokenizer(_ url: URL) throws -> Tokenizer {
    let tokenizerPath = url.appendingPathComponent("tokenizer.json").path
    do { return try TokenizerJSON.load(path: tokenizerPath).with(truncation: nil, padding: nil) } catch {
      throw ModelError.invalidConfig(file: tokenizerPath, field: "(file)", reason: "\(error)")
    }
  }

  /// `eos_token_id` of config.json and generation_config.json together.
  static func folderEndTokenIds(_ url: URL, config: ConfigJSON) -> Set<Int> {
    var eos = Set(config.intList("eos_token_id"))
    let generationConfig = url.appendingPathComponent("generation_config.json")
    if let json = try? ConfigJSON(contentsOf: generationConfig) { eos.formUnion(json.intList("eos_token_id")) }
    return eos
  }

  /// The default system prompt a ChatML template hard-codes (SmolLM2's), if any.
  static func defaultSystem(in template: String?) -> String? {
    guard let template, let start = template.range(of: "<|im_start|>system\n") else { return nil }
    guard let end = template.range(of: "<|im_end|>", range: start.upperBound..<template.endIndex) else { return nil }
    let text = String(template[start.upperBound..<end.lowerBound])
    return text.contains("{") ? nil : text
  }

  /// Token ids of a chat: the rendered template, encoded with special tokens recognised.
  public func chatPromptIds(_ messages: [ChatMessage]) -> [Int] {
    tokenizer.encodeIds(chatTemplate.render(messages, addGenerationPrompt: true, defaultSystem: defaultSystemPrompt))
  }
}
