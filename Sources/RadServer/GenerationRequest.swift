import RadInference
import RadTokenizers

/// What a chat or text completion request's `response_format` asks for. `text` is plain
/// generation; the JSON forms go through the constrained decoder (`ResponseFormatCompiler`), so the
/// output parses as JSON and, for `json_schema`, validates against the schema.
public enum ResponseFormat: Sendable, Equatable {
  case text
  case jsonObject
  /// The schema as the request sent it (JSON text).
  case jsonSchema(name: String?, schema: String)
}

/// A parsed `/v1/chat/completions` or `/v1/completions` request: the prompt ids, sampling
/// settings and response options, each field checked with an error naming it.
struct GenerationRequest {
  enum Kind { case chat, completion }

  var kind: Kind
  var promptIds: [Int]
  var settings: GenerationSettings
  var stream: Bool
  var includeUsage: Bool
  var responseFormat: ResponseFormat
  /// Prompt text for logging with --log-content.
  var promptText: String

  static func parse(
    _ fields: RequestFields, kind: Kind, model: GeneratorModel, configuration: ServerConfiguration,
    formats: ResponseFormatCompiler? = nil, grounding: Grounding? = nil
  ) throws(APIError) -> GenerationRequest {
    let name = try fields.requiredString("model")
    guard name == model.id else { throw APIError.unknownModel(name) }
    let bundle = model.bundle
    var stops: [String] = []
    let promptText: String
    let promptIds: [Int]
    switch kind {
    case .chat:
      guard let list = try fields.array("messages") else { throw APIError.missing("messages") }
      guard !list.isEmpty else { throw APIError.invalid("messages", "'messages' must contain at least one message") }
      var messages: [ChatMessage] = []
      for (i, item) in list.enumerated() {
        guard case .object(let object) = item else {
          throw APIError.invalid("messages[\(i)]", "'messages[\(i)]' must be an object")
        }
        let message = RequestFields(object, prefix: "messages[\(i)].")
        let role = try message.requiredString("role")
        guard ["system", "user", "assistant", "developer"].contains(role) else {
          throw APIError.invalid(
            "messages[\(i)].role", "'messages[\(i)].role' must be one of system, user, assistant (got '\(role)')")
        }
        messages.append(ChatMessage(role: role == "developer" ? "system" : role, content: try content(of: message)))
      }
      if let grounding { messages = grounding.messages(replacing: messages) }
      if let end = bundle.chatTemplate?.endOfTurn { stops.append(end) }
      do { promptIds = try bundle.chatPromptIds(messages) } catch {
        throw APIError(.badRequest, "The model's chat template cannot render 'messages': \(error)", param: "messages")
      }
      promptText = messages.map(\.content).joined(separator: "\n")
    case .completion:
      guard let prompts = try fields.strings("prompt") else { throw APIError.missing("prompt") }
      guard prompts.count == 1 else {
        throw APIError.invalid("prompt", "'prompt' must be one string (batches of prompts are not supported)")
      }
      promptText = prompts[0]
      promptIds = bundle.tokenizer.encode(promptText).ids
    }
    let promptParam = kind == .chat ? "messages" : "prompt"
    guard !promptIds.isEmpty else { throw APIError.invalid(promptParam, "'\(promptParam)' encodes to no tokens") }
    if let n = try fields.integer("n", in: 1...Int.max), n != 1 {
      throw APIError.invalid("n", "'n' must be 1 (one choice per request)")
    }
    let temperature = try fields.number("temperature", in: 0...2) ?? 1
    let topP = try fields.number("top_p", in: 0...1) ?? 1
    if topP == 0 { throw APIError.invalid("top_p", "'top_p' must be greater than 0") }
    let seed = try fields.integer("seed", in: Int.min...Int.max) ?? 0
    stops += try fields.strings("stop") ?? []
    let context = min(configuration.maxContext, bundle.model.maxPositions ?? Int.max)
    let limitParam = fields.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens"
    let maxCompletionTokens = try fields.integer("max_completion_tokens", in: 1...Int.max)
    var requested = maxCompletionTokens
    if requested == nil { requested = try fields.integer("max_tokens", in: 1...Int.max) }
    if promptIds.count >= context {
      throw APIError(
        .badRequest,
        "This model's maximum context length is \(context) tokens; the \(promptParam) has \(promptIds.count) tokens",
        param: promptParam, code: "context_length_exceeded")
    }
    if let requested, promptIds.count + requested > context {
      throw APIError(
        .badRequest,
        "This model's maximum context length is \(context) tokens; \(promptIds.count) in the \(promptParam) plus "
          + "\(requested) requested in '\(limitParam)' is \(promptIds.count + requested)",
        param: limitParam, code: "context_length_exceeded")
    }
    let maxTokens = requested ?? min(configuration.defaultMaxTokens, context - promptIds.count)
    var includeUsage = false
    if let options = try fields.object("stream_options") { includeUsage = try options.bool("include_usage") ?? false }
    let format = try responseFormat(fields)
    let grammar = try formats?.grammar(for: format)
    if let grammar, grammar.grammar.shortestDocument > maxTokens {
      throw APIError.invalid(
        limitParam,
        "'\(limitParam)' is \(maxTokens) tokens; the shortest document of the response format needs "
          + "\(grammar.grammar.shortestDocument)")
    }
    return GenerationRequest(
      kind: kind, promptIds: promptIds,
      settings: GenerationSettings(
        maxTokens: maxTokens, temperature: Float(temperature), topP: Float(topP), seed: UInt64(bitPattern: Int64(seed)),
        stopStrings: stops, eosTokenIds: bundle.eosTokenIds, jsonSchema: grammar),
      stream: try fields.bool("stream") ?? false, includeUsage: includeUsage, responseFormat: format,
      promptText: promptText)
  }

  /// A message's `content`: a string, or a list of `{"type":"text","text":…}` parts.
  static func content(of message: RequestFields) throws(APIError) -> String {
    let key = message.prefix + "content"
    guard message.has("content") else { throw APIError.missing(key) }
    if let text = try? message.string("content") { return text }
    guard let parts = try? message.array("content") else {
      throw APIError.invalid(key, "'\(key)' must be a string or an array of text parts")
    }
    var text = ""
    for part in parts {
      guard case .object(let object) = part, case .string("text") = object["type"],
        case .string(let piece) = object["text"]
      else {
        throw APIError.invalid(key, "'\(key)' parts must be {\"type\":\"text\",\"text\":…} (only text is supported)")
      }
      text += piece
    }
    return text
  }

  static func responseFormat(_ fields: RequestFields) throws(APIError) -> ResponseFormat {
    guard let format = try fields.object("response_format") else { return .text }
    switch try format.requiredString("type") {
    case "text": return .text
    case "json_object": return .jsonObject
    case "json_schema":
      guard let schema = try format.object("json_schema") else { throw APIError.missing("response_format.json_schema") }
      guard case .object = schema.values["schema"] else {
        throw APIError.missing("response_format.json_schema.schema")
      }
      return .jsonSchema(name: try schema.string("name"), schema: schema.values["schema"].map(JSONInput.text) ?? "{}")
    case let other:
      throw APIError.invalid(
        "response_format.type", "'response_format.type' must be text, json_object or json_schema (got '\(other)')")
    }
  }
}

extension JSONInput {
  /// Compact JSON text of the value.
  static func text(_ value: JSONInput) -> String { value.jsonText.serialized }

  var jsonText: JSONText {
    switch self {
    case .null: .null
    case .bool(let b): .bool(b)
    case .number(let n): Int(exactly: n).map(JSONText.int) ?? .double(n)
    case .string(let s): .string(s)
    case .array(let items): .array(items.map(\.jsonText))
    case .object(let members): .object(members.keys.sorted().map { ($0, members[$0]!.jsonText) })
    }
  }
}
