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
  /// The ids that end a reply: the model's end-of-text ids and, when its chat template is
  /// recognised, the template's end-of-turn token.
  public let eosTokenIds: Set<Int>
  /// The chat template the model's files store, and where.
  public let storedChatTemplate: StoredChatTemplate
  /// The GGUF file, when the model came from one (for quantised decoding).
  public let ggufFile: GGUFFile?

  public init(
    model: any LanguageModel, tokenizer: Tokenizer, eosTokenIds: Set<Int>, storedChatTemplate: StoredChatTemplate,
    ggufFile: GGUFFile? = nil
  ) {
    self.model = model
    self.tokenizer = tokenizer
    self.storedChatTemplate = storedChatTemplate
    var eos = eosTokenIds
    if let end = storedChatTemplate.family?.endOfTurn, let id = tokenizer.tokenToId(end) { eos.insert(id) }
    self.eosTokenIds = eos
    self.ggufFile = ggufFile
  }

  /// The family of the model's chat template; nil when it has none or RadLM does not recognise it.
  public var chatTemplate: ChatTemplate? { storedChatTemplate.family }
  /// The Jinja chat template as the model files store it (kept when converting).
  public var chatTemplateSource: String? { storedChatTemplate.source }
  /// The system prompt the model's template inserts when a conversation has none.
  public var defaultSystemPrompt: String? { storedChatTemplate.defaultSystemPrompt }

  /// The template conversations are rendered with: `choice` when given, else the model's own
  /// (an error naming the file when it has none, or one RadLM does not recognise).
  public func conversationTemplate(choice: ChatTemplate? = nil) throws(ChatTemplateError) -> ChatTemplate {
    try storedChatTemplate.resolve(choice: choice)
  }

  /// The ids that end a reply rendered with `template`.
  public func endTokenIds(for template: ChatTemplate) -> Set<Int> {
    guard let end = template.endOfTurn, let id = tokenizer.tokenToId(end) else { return eosTokenIds }
    return eosTokenIds.union([id])
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
    let stored = StoredChatTemplate(source: file["tokenizer.chat_template"]?.stringValue, origin: url.path)
    return ModelBundle(
      model: model, tokenizer: tokenizer, eosTokenIds: Set(model.config.eosTokenIds), storedChatTemplate: stored,
      ggufFile: file)
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
    let stored: StoredChatTemplate
    do { stored = try StoredChatTemplate.read(path: url.path) } catch {
      throw ModelError.invalidConfig(
        file: url.appendingPathComponent("tokenizer_config.json").path, field: "chat_template", reason: "\(error)")
    }
    return ModelBundle(
      model: model, tokenizer: tokenizer, eosTokenIds: folderEndTokenIds(url, config: model.configJSON),
      storedChatTemplate: stored)
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

  /// Token ids of a chat rendered with `template` (the model's own when nil, an error when RadLM
  /// does not recognise it), ending with the opening of the assistant's turn; special tokens
  /// are recognised. The model's default system prompt is added when its own template is used.
  public func chatPromptIds(_ messages: [ChatMessage], template: ChatTemplate? = nil) throws(ChatTemplateError) -> [Int]
  {
    let format = try storedChatTemplate.format(choice: template)
    return tokenizer.encodeIds(
      format.template.render(messages, addGenerationPrompt: true, defaultSystem: format.defaultSystem))
  }
}
