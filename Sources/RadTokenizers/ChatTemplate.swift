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

  /// The family a stored Jinja chat template (GGUF `tokenizer.chat_template`, `chat_template` of
  /// tokenizer_config.json) belongs to, judged by the turn markers it writes; nil when RadLM does
  /// not render it exactly. Templates that write more than the renderers here (a thinking block
  /// after the assistant header, Llama 3.1's dated system preamble) are unknown, and so is every
  /// other format: `plain` is never recognised, only chosen.
  public static func family(ofSource source: String) -> ChatTemplate? {
    if source.contains("<|im_start|>") && source.contains("<|im_end|>") {
      return source.contains("<think>") || source.contains("enable_thinking") ? nil : .chatML
    }
    if source.contains("<|start_header_id|>") && source.contains("<|eot_id|>") {
      return source.contains("Cutting Knowledge Date") ? nil : .llama3
    }
    return nil
  }

  /// The text that ends an assistant turn (a stop string for generation).
  public var endOfTurn: String? {
    switch self {
    case .chatML: return "<|im_end|>"
    case .llama3: return "<|eot_id|>"
    case .plain: return nil
    }
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

/// A chat template family together with the system prompt a model's own template inserts when a
/// conversation has none (SmolLM2's), which is what transformers renders for that model.
public struct ChatFormat: Sendable, Equatable {
  public var template: ChatTemplate
  public var defaultSystem: String?

  public init(template: ChatTemplate, defaultSystem: String? = nil) {
    self.template = template
    self.defaultSystem = defaultSystem
  }

  /// The conversation in pieces, assistant replies marked trainable (see `ChatTemplate.segments`).
  public func segments(_ messages: [ChatMessage], addGenerationPrompt: Bool = false) -> [(
    text: String, trainable: Bool
  )] {
    template.segments(messages, addGenerationPrompt: addGenerationPrompt, defaultSystem: defaultSystem)
  }
}
