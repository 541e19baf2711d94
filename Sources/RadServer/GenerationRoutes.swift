import Foundation
import Hummingbird
import NIOCore
import RadRetrieval

/// `/v1/chat/completions` and `/v1/completions`: parse and check the request (context length
/// before any work), queue it on the engine, and answer with one JSON body or, with `stream`,
/// server-sent events ending in `data: [DONE]`. A client that disconnects cancels its generation.
/// A chat request with `rag` is grounded first: the store's best chunks for the last user message
/// become numbered sources in the prompt, and the answer carries `sources` and `citations`; when
/// the best source scores below `min_score` the server declines without generating.
extension RadLMServer {
  func generate(_ request: Request, context: ServerContext, kind: GenerationRequest.Kind) async throws -> Response {
    let (models, engine) = try ready()
    let fields = try await readFields(request)
    var grounding: Grounding?
    if kind == .chat, let options = try RetrievalOptions.chat(fields) {
      let name = try fields.requiredString("model")
      guard name == models.generator.id else { throw APIError.unknownModel(name) }
      let question = try Grounding.question(fields)
      let sources = try await search(models, question, options)
      grounding = Grounding(
        question: question, sources: sources, refused: (sources.first?.score ?? -.infinity) < options.minScore)
    }
    let parsed = try GenerationRequest.parse(
      fields, kind: kind, model: models.generator, configuration: configuration, formats: engine.formats,
      grounding: grounding)
    if configuration.logContent {
      context.logger.info("prompt: \(parsed.promptText)")
    }
    let id: UInt64
    let events: AsyncStream<GenerationEvent>
    if let grounding, grounding.refused {
      // Nothing relevant: the refusal is the answer, and the model does no work.
      id = 0
      events = Self.refusalEvents()
    } else {
      let job = GenerationJob(
        promptIds: parsed.promptIds, settings: parsed.settings,
        deadline: configuration.timeout.map { ContinuousClock.now + .milliseconds(Int64($0 * 1000)) },
        responseFormat: parsed.responseFormat)
      let submitted = try await engine.submit(job)
      id = submitted.id
      events = submitted.events
    }
    let grounded = grounding
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
        var text = ""
        if kind == .chat {
          try await writer.write(
            stream.event(stream.first(extra: grounded.map { [("sources", $0.sourcesJSON)] } ?? [])))
        }
        for await event in events {
          switch event {
          case .text(let piece):
            text += piece
            try await writer.write(stream.event(stream.delta(piece)))
          case .finished(let outcome):
            let extra = grounded.map { [("citations", $0.citationsJSON(text))] } ?? []
            try await writer.write(stream.event(stream.end(finishReason: outcome.finishReason, extra: extra)))
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
    var body: [(String, JSONText)] = [
      ("id", .string(responseId)), ("object", .string(kind == .chat ? "chat.completion" : "text_completion")),
      ("created", .int(created)), ("model", .string(modelId)), ("choices", .array([choice])), ("usage", usage),
    ]
    if let grounding {
      body += [
        ("sources", grounding.sourcesJSON), ("citations", grounding.citationsJSON(outcome.text)),
        ("refused", .bool(grounding.refused)),
      ]
    }
    return Self.json(.object(body))
  }

  /// The events of a declined grounded chat: the refusal text, then the end (no tokens used).
  static func refusalEvents() -> AsyncStream<GenerationEvent> {
    let (stream, continuation) = AsyncStream.makeStream(of: GenerationEvent.self)
    continuation.yield(.text(GroundedAnswerer.refusal))
    continuation.yield(
      .finished(GenerationOutcome(text: GroundedAnswerer.refusal, tokens: [], promptTokens: 0, finishReason: "stop")))
    continuation.finish()
    return stream
  }

  /// The store's best chunks, with retrieval errors as 400s (bad query) or 500s (the store).
  func search(_ models: ServedModels, _ query: String, _ options: RetrievalOptions) async throws(APIError)
    -> [SearchResult]
  {
    guard let retrieval = models.retrieval else {
      throw APIError(
        .badRequest, "This server has no retrieval store (start it with --rag-db)", param: "rag",
        code: "rag_not_available")
    }
    do {
      return try await retrieval.search(query, k: options.k, mode: options.mode, filter: options.filter)
    } catch let error as RetrievalError {
      if case .badQuery(let reason) = error { throw APIError.invalid("query", "Bad query: \(reason)") }
      throw APIError(.internalServerError, "The retrieval store failed: \(error)", type: "server_error")
    } catch {
      throw APIError(.internalServerError, "The retrieval store failed: \(error)", type: "server_error")
    }
  }

  /// `POST /v1/rag/search`: `{"query", "k", "mode", "filter"}` → `{"object":"list","results":[…]}`.
  func ragSearch(_ request: Request, context: ServerContext) async throws -> Response {
    let (models, _) = try ready()
    let fields = try await readFields(request)
    let query = try fields.requiredString("query")
    let options = try RetrievalOptions.parse(fields, defaultK: 10, defaultMode: .hybrid)
    if configuration.logContent { context.logger.info("rag query: \(query)") }
    let results = try await search(models, query, options)
    return Self.json(
      .object([
        ("object", .string("list")), ("mode", .string(options.mode.rawValue)), ("results", .array(results.map(\.json))),
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

  func first(extra: [(String, JSONText)] = []) -> JSONText { chunk([choice("", role: true)], extra: extra) }
  func delta(_ piece: String) -> JSONText { chunk([choice(piece)]) }
  func end(finishReason: String, extra: [(String, JSONText)] = []) -> JSONText {
    chunk([choice(nil, finishReason: finishReason)], extra: extra)
  }
  func usage(_ outcome: GenerationOutcome) -> JSONText { chunk([], extra: [("usage", Self.usageObject(outcome))]) }

  static func usageObject(_ outcome: GenerationOutcome) -> JSONText {
    .object([
      ("prompt_tokens", .int(outcome.promptTokens)), ("completion_tokens", .int(outcome.tokens.count)),
      ("total_tokens", .int(outcome.promptTokens + outcome.tokens.count)),
    ])
  }
}
