import Foundation
import Hummingbird
import NIOCore

/// `/v1/chat/completions` and `/v1/completions`: parse and check the request (context length
/// before any work), queue it on the engine, and answer with one JSON body or, with `stream`,
/// server-sent events ending in `data: [DONE]`. A client that disconnects cancels its generation.
extension RadLMServer {
  func generate(_ request: Request, context: ServerContext, kind: GenerationRequest.Kind) async throws -> Response {
    let (models, engine) = try ready()
    let fields = try await readFields(request)
    let parsed = try GenerationRequest.parse(fields, kind: kind, model: models.generator, configuration: configuration)
    if parsed.responseFormat != .text, formatDecoder == nil {
      throw APIError(
        .badRequest,
        "'response_format' with type json_object or json_schema needs the constrained decoder, which this server "
          + "does not have yet", param: "response_format", code: "unsupported_response_format")
    }
    if configuration.logContent {
      context.logger.info("prompt: \(parsed.promptText)")
    }
    let job = GenerationJob(
      promptIds: parsed.promptIds, settings: parsed.settings,
      deadline: configuration.timeout.map { ContinuousClock.now + .milliseconds(Int64($0 * 1000)) },
      responseFormat: parsed.responseFormat)
    let (id, events) = try await engine.submit(job)
    let watcher = await DisconnectWatcher.install(on: context.channel) { Task { await engine.cancel(id) } }
    let created = Int(Date().timeIntervalSince1970)
    let responseId = (kind == .chat ? "chatcmpl-" : "cmpl-") + String(id)
    let modelId = models.generator.id
    let logContent = configuration.logContent
    let logger = context.logger
    if parsed.stream {
      let channel = context.channel
      let body = ResponseBody { writer in
        defer { DisconnectWatcher.remove(watcher, from: channel) }
        let stream = StreamChunks(kind: kind, id: responseId, created: created, model: modelId)
        if kind == .chat { try await writer.write(stream.event(stream.first())) }
        for await event in events {
          switch event {
          case .text(let piece):
            try await writer.write(stream.event(stream.delta(piece)))
          case .finished(let outcome):
            try await writer.write(stream.event(stream.end(finishReason: outcome.finishReason)))
            if parsed.includeUsage { try await writer.write(stream.event(stream.usage(outcome))) }
            if logContent { logger.info("completion: \(outcome.text)") }
          case .failed(let error):
            try await writer.write(stream.event(error.body))
          }
        }
        try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
        try await writer.finish(nil)
      }
      return Response(
        status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }
    defer { DisconnectWatcher.remove(watcher, from: context.channel) }
    var outcome: GenerationOutcome?
    for await event in events {
      switch event {
      case .text: continue
      case .finished(let result): outcome = result
      case .failed(let error): throw error
      }
    }
    guard let outcome else {
      throw APIError(.badRequest, "The request was cancelled", type: "invalid_request_error", code: "cancelled")
    }
    if logContent { logger.info("completion: \(outcome.text)") }
    let usage = StreamChunks.usageObject(outcome)
    let choice: JSONText =
      kind == .chat
      ? .object([
        ("index", .int(0)),
        ("message", .object([("role", .string("assistant")), ("content", .string(outcome.text))])),
        ("logprobs", .null), ("finish_reason", .string(outcome.finishReason)),
      ])
      : .object([
        ("index", .int(0)), ("text", .string(outcome.text)), ("logprobs", .null),
        ("finish_reason", .string(outcome.finishReason)),
      ])
    return Self.json(
      .object([
        ("id", .string(responseId)), ("object", .string(kind == .chat ? "chat.completion" : "text_completion")),
        ("created", .int(created)), ("model", .string(modelId)), ("choices", .array([choice])), ("usage", usage),
      ]))
  }
}

/// The server-sent events of one streamed completion, shaped as OpenAI's chunks.
struct StreamChunks {
  let kind: GenerationRequest.Kind
  let id: String
  let created: Int
  let model: String

  func event(_ value: JSONText) -> ByteBuffer { ByteBuffer(string: "data: \(value.serialized)\n\n") }

  private func chunk(_ choices: [JSONText], extra: [(String, JSONText)] = []) -> JSONText {
    .object(
      [
        ("id", .string(id)), ("object", .string(kind == .chat ? "chat.completion.chunk" : "text_completion")),
        ("created", .int(created)), ("model", .string(model)), ("choices", .array(choices)),
      ] + extra)
  }

  private func choice(_ content: String?, role: Bool = false, finishReason: String? = nil) -> JSONText {
    let finish: (String, JSONText) = ("finish_reason", finishReason.map(JSONText.string) ?? .null)
    if kind == .completion {
      return .object([("index", .int(0)), ("text", .string(content ?? "")), ("logprobs", .null), finish])
    }
    var delta: [(String, JSONText)] = []
    if role { delta.append(("role", .string("assistant"))) }
    if let content { delta.append(("content", .string(content))) }
    return .object([("index", .int(0)), ("delta", .object(delta)), ("logprobs", .null), finish])
  }

  func first() -> JSONText { chunk([choice("", role: true)]) }
  func delta(_ piece: String) -> JSONText { chunk([choice(piece)]) }
  func end(finishReason: String) -> JSONText { chunk([choice(nil, finishReason: finishReason)]) }
  func usage(_ outcome: GenerationOutcome) -> JSONText { chunk([], extra: [("usage", Self.usageObject(outcome))]) }

  static func usageObject(_ outcome: GenerationOutcome) -> JSONText {
    .object([
      ("prompt_tokens", .int(outcome.promptTokens)), ("completion_tokens", .int(outcome.tokens.count)),
      ("total_tokens", .int(outcome.promptTokens + outcome.tokens.count)),
    ])
  }
}
