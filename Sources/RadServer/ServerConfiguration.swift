import Foundation

/// How the server runs: where it listens, who may call it and how much work it accepts. The
/// defaults keep it on loopback with no CORS and no request text in the logs.
public struct ServerConfiguration: Sendable {
  public var host = "127.0.0.1"
  /// 0 picks a free port (tests); `onListening` receives the real one.
  public var port = 8080
  /// The bearer token clients must send; nil = no authentication.
  public var apiKey: String?
  /// Generation requests that may wait for a place in the batch before the server answers 429.
  public var maxQueue = 64
  /// Sequences decoded together per step.
  public var maxBatch = 8
  /// Longest prompt plus completion, in tokens (at most the model's own context).
  public var maxContext = 2048
  /// Seconds a generation request may take, queueing included; nil = no limit.
  public var timeout: Double? = 600
  /// Largest request body accepted (413 beyond).
  public var maxBodyBytes = 4 << 20
  /// `max_tokens` when a request gives none (bounded by what the context leaves).
  public var defaultMaxTokens = 512
  /// Allowed origin for browser clients (CORS); nil = no CORS headers.
  public var corsOrigin: String?
  /// Whether logs may contain prompts and generated text.
  public var logContent = false

  public init() {}
}

/// The models a server serves, under the names clients use in `model`, and the retrieval store
/// behind `/v1/rag/search` and grounded chat, if any.
public struct ServedModels: Sendable {
  public let generator: GeneratorModel
  public let embedder: EmbedderModel?
  public let retrieval: StoreSearch?

  public init(generator: GeneratorModel, embedder: EmbedderModel?, retrieval: StoreSearch? = nil) {
    self.generator = generator
    self.embedder = embedder
    self.retrieval = retrieval
  }
}
