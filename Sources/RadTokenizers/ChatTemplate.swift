import Foundation

/// A chat template turns a conversation (system, user and assistant messages) into the exact
/// text an instruction-tuned model was trained on, with its special turn markers. Hugging Face
/// keeps the template beside the tokenizer; RadLM implements the formats real models use.
/// One turn of a conversation.
public struct ChatMessage: Sendable, Equatable, Codable {
  public var role: String
  public var content: String
  public init(role: String, content: String) {
    self.role = role
    self.content = content
  }
}

public enum ChatTemplate: String, Sendable, CaseIterable, Codable {
  /// `<|im_start|>role\ncontent<|im_end|>\n` (SmolLM2, Qwen2). SmolLM2 adds its default system
  /// message when the conversation has none.
  case chatML = "chatml"
  /// Llama 3's header/eot markers.
  case llama3 = "llama3"
  /// No markers: the contents joined by blank lines, for base models (plain completion).
  case plain = "plain"

  public typealias Message = ChatMessage

  /// Picks the template a chat-template source (GGUF `tokenizer.chat_template`, HF
  /// `tokenizer_config.json`) describes, by its markers.
  public static func detect(fromTemplateSource source: String?) -> ChatTemplate {
    guard let source else { return .plain }
    if source.contains("<|im_start|>") { return .chatML }
    if source.contains("<|start_header_id|>") { return .llama3 }
    return .plain
  }

  /// The text that ends an assistant turn (a stop string for generation).
  public var endOfTurn: String? {
    switch self {
    case .chatML: return "<|im_end|>"
    case .llama3: return "<|eot_id|>"
    case .plain: return nil
    }
  }

  /// Picks the template a tokenizer's special tokens imply.
  public static func detect(_ tokenizer: Tokenizer) -> ChatTemplate {
    if tokenizer.tokenToId("<|im_start|>") != nil { return .chatML }
    if tokenizer.tokenToId("<|start_header_id|>") != nil { return .llama3 }
    return .plain
  }

  /// SmolLM2-Instruct's default system message, inserted by its template when none is given.
  public static let smolLM2DefaultSystem = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"

  /// The conversation as text; with `addGenerationPrompt` it ends with the opening of an
  /// assistant turn so the model writes the reply.
  public func render(_ messages: [Message], addGenerationPrompt: Bool = true, defaultSystem: String? = nil) -> String {
    segments(messages, addGenerationPrompt: addGenerationPrompt, defaultSystem: defaultSystem).map(\.text).joined()
  }

  /// The rendered conversation cut into pieces, each marked trainable when it is an assistant's
  /// reply (content and end marker): supervised fine-tuning learns those and masks the rest.
  public func segments(
    _ messages: [Message], addGenerationPrompt: Bool = false, defaultSystem: String? = nil
  ) -> [(text: String, trainable: Bool)] {
    var pieces: [(String, Bool)] = []
    var conversation = messages
    if let defaultSystem, conversation.first?.role != "system" {
      conversation.insert(Message(role: "system", content: defaultSystem), at: 0)
    }
    switch self {
    case .chatML:
      for message in conversation {
        pieces.append(("<|im_start|>\(message.role)\n", false))
        if message.role == "assistant" {
          pieces.append(("\(message.content)<|im_end|>", true))
          pieces.append(("\n", false))
        } else {
          pieces.append(("\(message.content)<|im_end|>\n", false))
        }
      }
      if addGenerationPrompt { pieces.append(("<|im_start|>assistant\n", false)) }
    case .llama3:
      pieces.append(("<|begin_of_text|>", false))
      for message in conversation {
        pieces.append(("<|start_header_id|>\(message.role)<|end_header_id|>\n\n", false))
        // Llama 3's template trims each message.
        let content = message.content.trimmingCharacters(in: .whitespacesAndNewlines)
        pieces.append(("\(content)<|eot_id|>", message.role == "assistant"))
      }
      if addGenerationPrompt { pieces.append(("<|start_header_id|>assistant<|end_header_id|>\n\n", false)) }
    case .plain:
      for (index, message) in conversation.enumerated() {
        if index > 0 { pieces.append(("\n\n", false)) }
        pieces.append((message.content, message.role == "assistant"))
      }
      if addGenerationPrompt && !conversation.isEmpty { pieces.append(("\n\n", false)) }
    }
    return pieces
  }
}
