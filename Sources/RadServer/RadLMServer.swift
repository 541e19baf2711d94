import Foundation
import Hummingbird
import NIOCore
import RadInference
import RadModels
import Synchronization

/// The OpenAI-compatible HTTP server: Hummingbird 2 routes for chat and text completions,
/// embeddings, models, health and metrics in front of one `GenerationEngine`. It listens at once
/// and answers 503 until `load` has produced the models; every error is an OpenAI-style body.
public final class RadLMServer: Sendable {
  public let configuration: ServerConfiguration
  public let metrics: ServerMetrics

  enum LoadState {
    case loading
    case ready(ServedModels, GenerationEngine)
    case failed(String)
  }

  private let state = Mutex(LoadState.loading)

  public init(configuration: ServerConfiguration) {
    self.configuration = configuration
    metrics = ServerMetrics(maxBatch: configuration.maxBatch)
  }

  /// Makes the models available (the end of loading).
  public func install(_ models: ServedModels) {
    let engine = GenerationEngine(
      bundle: models.generator.bundle, embedder: models.embedder?.embedder, maxQueue: configuration.maxQueue,
      maxBatch: configuration.maxBatch, metrics: metrics)
    state.withLock { $0 = .ready(models, engine) }
  }

  /// The models and engine, or 503 while loading.
  func ready() throws(APIError) -> (ServedModels, GenerationEngine) {
    let current = state.withLock { s -> LoadState in s }
    switch current {
    case .ready(let models, let engine): return (models, engine)
    case .loading: throw APIError.notLoaded
    case .failed(let message):
      throw APIError(
        .serviceUnavailable, "The model failed to load: \(message)", type: "server_error", code: "model_not_loaded")
    }
  }

  /// Listens on the configured address, loads the models in the background, and serves until the
  /// calling task is cancelled. `onListening` receives the bound port.
  public func run(
    load: @escaping @Sendable () throws -> ServedModels, onListening: @escaping @Sendable (Int) async -> Void = { _ in }
  ) async throws {
    let router = Router(context: ServerContext.self)
    router.add(middleware: APIMiddleware(server: self))
    addRoutes(to: router)
    let app = Application(
      router: router,
      configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "radlm"),
      onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) })
    let loader = Task.detached { [self] in
      do { install(try load()) } catch { state.withLock { $0 = .failed("\(error)") } }
    }
    defer { loader.cancel() }
    try await app.run()
  }

  func addRoutes(to router: Router<ServerContext>) {
    router.get("/health") { _, _ in
      let current = self.state.withLock { s -> LoadState in s }
      switch current {
      case .ready: return Self.json(.object([("status", .string("ok"))]))
      case .loading: return Self.json(.object([("status", .string("loading"))]), status: .serviceUnavailable)
      case .failed(let message):
        return Self.json(
          .object([("status", .string("failed")), ("error", .string(message))]), status: .serviceUnavailable)
      }
    }
    router.get("/metrics") { _, _ in
      Response(
        status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(string: self.metrics.render())))
    }
    router.get("/v1/models") { _, _ in
      let (models, _) = try self.ready()
      var list: [JSONText] = [Self.modelEntry(models.generator.id)]
      if let embedder = models.embedder { list.append(Self.modelEntry(embedder.id)) }
      return Self.json(.object([("object", .string("list")), ("data", .array(list))]))
    }
    router.post("/v1/chat/completions") { request, context in
      try await self.generate(request, context: context, kind: .chat)
    }
    router.post("/v1/completions") { request, context in
      try await self.generate(request, context: context, kind: .completion)
    }
    router.post("/v1/embeddings") { request, context in
      try await self.embeddings(request, context: context)
    }
    router.post("/v1/rag/search") { request, context in
      try await self.ragSearch(request, context: context)
    }
  }

  static func modelEntry(_ id: String) -> JSONText {
    .object([("id", .string(id)), ("object", .string("model")), ("created", .int(0)), ("owned_by", .string("radlm"))])
  }

  static func json(_ value: JSONText, status: HTTPResponse.Status = .ok) -> Response {
    Response(
      status: status, headers: [.contentType: "application/json"],
      body: .init(byteBuffer: ByteBuffer(string: value.serialized)))
  }

  /// The body as a JSON object: 413 beyond the size limit, 400 when it does not parse.
  func readFields(_ request: Request) async throws -> RequestFields {
    let limit = configuration.maxBodyBytes
    if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw Self.tooLarge(limit) }
    var request = request
    let buffer: ByteBuffer
    do { buffer = try await request.collectBody(upTo: limit) } catch is NIOTooManyBytesError {
      throw Self.tooLarge(limit)
    }
    return try RequestFields(json: Array(buffer.readableBytesView))
  }

  static func tooLarge(_ limit: Int) -> APIError {
    APIError(.contentTooLarge, "The request body is larger than \(limit) bytes", code: "request_too_large")
  }

  // MARK: Embeddings

  func embeddings(_ request: Request, context: ServerContext) async throws -> Response {
    let (models, engine) = try ready()
    let fields = try await readFields(request)
    let name = try fields.requiredString("model")
    guard let embedder = models.embedder else {
      throw APIError(
        .notFound, "This server has no embedding model (start it with --embedding-model)", param: "model",
        code: "model_not_found")
    }
    guard name == embedder.id else { throw APIError.unknownModel(name) }
    guard let inputs = try fields.strings("input") else { throw APIError.missing("input") }
    guard !inputs.isEmpty, inputs.allSatisfy({ !$0.isEmpty }) else {
      throw APIError.invalid("input", "'input' must be a non-empty string or a list of non-empty strings")
    }
    let format = try fields.string("encoding_format") ?? "float"
    guard format == "float" || format == "base64" else {
      throw APIError.invalid("encoding_format", "'encoding_format' must be float or base64")
    }
    let vectors = try await engine.embed(inputs)
    let tokens = inputs.reduce(0) { $0 + embedder.embedder.tokenizer.encode($1).ids.count }
    let data: [JSONText] = vectors.enumerated().map { index, vector in
      let embedding: JSONText =
        format == "float"
        ? .array(vector.map(JSONText.float))
        : .string(vector.withUnsafeBufferPointer { Data(buffer: $0) }.base64EncodedString())
      return .object([("object", .string("embedding")), ("index", .int(index)), ("embedding", embedding)])
    }
    return Self.json(
      .object([
        ("object", .string("list")), ("data", .array(data)), ("model", .string(embedder.id)),
        ("usage", .object([("prompt_tokens", .int(tokens)), ("total_tokens", .int(tokens))])),
      ]))
  }
}
