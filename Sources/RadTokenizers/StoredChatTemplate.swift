import Foundation
import RadModelFiles

/// The chat template a model's files store — the Jinja text of GGUF `tokenizer.chat_template` or
/// of `chat_template` in tokenizer_config.json — and the family RadLM renders it as. RadLM writes
/// a few template families natively instead of running Jinja, so a stored template is matched to
/// one of them; one it does not recognise (or none at all) is an error unless the caller picks a
/// family explicitly, so a conversation is never rendered in a format the model was not trained on.
public struct StoredChatTemplate: Sendable, Equatable {
  /// The Jinja text; nil when the files hold no chat template.
  public let source: String?
  /// The file it was read from (or looked for in), for messages.
  public let origin: String

  public init(source: String?, origin: String) {
    self.source = source
    self.origin = origin
  }

  /// The family RadLM recognises the template as; nil when it is missing or unknown.
  public var family: ChatTemplate? { source.flatMap(ChatTemplate.family(ofSource:)) }

  /// The template to render conversations with: `choice` when given, else the recognised family.
  public func resolve(choice: ChatTemplate? = nil) throws(ChatTemplateError) -> ChatTemplate {
    if let choice { return choice }
    guard let source else { throw .missing(origin: origin) }
    guard let family = ChatTemplate.family(ofSource: source) else {
      throw .unrecognised(origin: origin, opening: String(source.prefix(60)))
    }
    return family
  }

  /// The family and default system prompt conversations are rendered with: `choice` when given,
  /// else the recognised family; the stored template's default system prompt is kept when the
  /// family is the template's own.
  public func format(choice: ChatTemplate? = nil) throws(ChatTemplateError) -> ChatFormat {
    let template = try resolve(choice: choice)
    return ChatFormat(template: template, defaultSystem: template == family ? defaultSystemPrompt : nil)
  }

  /// The system prompt a ChatML template writes when a conversation has none (SmolLM2's "You are
  /// a helpful AI assistant named SmolLM…"), when it is plain text in the template.
  public var defaultSystemPrompt: String? {
    guard let source, family == .chatML else { return nil }
    for opening in ["<|im_start|>system\n", "<|im_start|>system\\n"] {
      guard let start = source.range(of: opening),
        let end = source.range(of: "<|im_end|>", range: start.upperBound..<source.endIndex)
      else { continue }
      let text = String(source[start.upperBound..<end.lowerBound])
      // A message written by the template's code (not literal text) cannot be read out of it.
      if text.contains("{") || text.contains("'") || text.contains("\"") || text.contains("\\") { return nil }
      return text
    }
    return nil
  }

  /// Reads the template stored with the model or tokenizer at `path`: a `.gguf` file, a
  /// folder (its tokenizer_config.json), or a tokenizer.json / tokenizer_config.json file (the
  /// tokenizer_config.json beside it). Files without a template give `source` nil.
  public static func read(path: String) throws(TokenizerError) -> StoredChatTemplate {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
      throw .io(path: path, message: "no such file or directory")
    }
    let url = URL(fileURLWithPath: path)
    if !isFolder.boolValue && url.pathExtension.lowercased() == "gguf" {
      let file: GGUFFile
      do { file = try GGUFFile(url: url) } catch { throw .io(path: path, message: "cannot open GGUF: \(error)") }
      return StoredChatTemplate(source: file["tokenizer.chat_template"]?.stringValue, origin: path)
    }
    let folder = isFolder.boolValue ? url : url.deletingLastPathComponent()
    let config = folder.appendingPathComponent("tokenizer_config.json")
    guard FileManager.default.fileExists(atPath: config.path) else {
      return StoredChatTemplate(source: nil, origin: config.path)
    }
    return StoredChatTemplate(source: try tokenizerConfigTemplate(config), origin: config.path)
  }

  /// `chat_template` of a tokenizer_config.json: a string, or a list of named templates of
  /// which the one named "default" is used.
  static func tokenizerConfigTemplate(_ url: URL) throws(TokenizerError) -> String? {
    let object: Any
    do { object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) } catch {
      throw .io(path: url.path, message: "not readable as JSON: \(error.localizedDescription)")
    }
    guard let json = object as? [String: Any] else { throw .io(path: url.path, message: "not a JSON object") }
    switch json["chat_template"] {
    case let text as String: return text
    case let named as [[String: Any]]:
      return named.first { $0["name"] as? String == "default" }?["template"] as? String
    default: return nil
    }
  }
}

/// Why a conversation cannot be rendered with a model's stored chat template.
public enum ChatTemplateError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The model's files hold no chat template.
  case missing(origin: String)
  /// The stored template is none of the families RadLM renders.
  case unrecognised(origin: String, opening: String)

  public var description: String {
    let families = ChatTemplate.allCases.map(\.rawValue).joined(separator: ", ")
    switch self {
    case .missing(let origin):
      return "\(origin): no chat template; choose one explicitly (\(families); radlm: --chat-template NAME)"
    case .unrecognised(let origin, let opening):
      let start = opening.replacingOccurrences(of: "\n", with: "\\n")
      return "\(origin): the chat template (\"\(start)…\") is not one RadLM renders; "
        + "choose one explicitly if the model was trained on it (\(families); radlm: --chat-template NAME)"
    }
  }
}
