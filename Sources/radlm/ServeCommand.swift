import ArgumentParser
import Foundation
import RadInference
import RadModelFiles
import RadModels
import RadRetrieval
import RadServer
import RadTensor

/// `radlm serve`: the OpenAI-compatible HTTP server on loopback.
struct ServeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve a model over an OpenAI-compatible HTTP API (chat, completions, embeddings; loopback by default).",
    discussion: """
      Routes: POST /v1/chat/completions, POST /v1/completions, POST /v1/embeddings, GET /v1/models, \
      GET /health (503 until the model is loaded), GET /metrics (Prometheus text), and with --rag-db \
      POST /v1/rag/search and chat grounded in the store (a chat request with "rag"). Requests name the \
      model by --model-name (default: the --model argument's file or folder name). With \
      --api-key-file, /v1/ routes need 'Authorization: Bearer <key>'. See docs/server.md.
      """)

  @Option(help: "Model folder, .gguf file, or fetched model name.") var model: String
  @Option(help: "Name clients use for the model (default: from --model).") var modelName: String?
  @Option(help: "Weights for decoding: f32, q8 or q4.") var dtype: WeightDType = .f32
  @Option(help: "Sentence-transformers model for /v1/embeddings (folder or fetched name such as minilm).")
  var embeddingModel: String?
  @Option(help: "Retrieval store (radlm rag index) for /v1/rag/search and grounded chat.") var ragDb: String?
  @Option(help: "Address to listen on.") var host = "127.0.0.1"
  @Option(help: "Port to listen on (0 = any free port).") var port = 8080
  @Option(help: "File holding the API key clients must send as a bearer token.") var apiKeyFile: String?
  @Option(help: "Requests that may wait for the batch before the server answers 429.") var maxQueue = 64
  @Option(help: "Sequences decoded together per step.") var maxBatch = 8
  @Option(help: "Longest prompt plus completion in tokens (capped by the model's context).") var maxContext = 2048
  @Option(help: "Seconds a generation request may take, queueing included.") var timeout: Double = 600
  @Option(help: "Largest request body in bytes.") var maxBodyBytes = 4 << 20
  @Option(help: "Origin allowed for browser clients (CORS); off by default.") var corsOrigin: String?
  @Flag(help: "Allow prompts and generated text in the logs.") var logContent = false

  func validate() throws {
    if port < 0 || port > 65_535 { throw ValidationError("--port must be in 0...65535") }
    try OptionCheck.count(maxQueue, "--max-queue")
    if maxBatch < 1 || maxBatch > 256 { throw ValidationError("--max-batch must be in 1...256") }
    try OptionCheck.count(maxContext, "--max-context", minimum: 2)
    try OptionCheck.number(timeout, "--timeout", above: 0, atMost: 86_400)
    try OptionCheck.integer(maxBodyBytes, "--max-body-bytes", in: 1024...(1 << 30))
    try OptionCheck.address(host, "--host")
    if let modelName, modelName.isEmpty { throw ValidationError("--model-name must not be empty") }
    if let corsOrigin, !(corsOrigin.hasPrefix("http://") || corsOrigin.hasPrefix("https://")) {
      throw ValidationError("--cors-origin must be an origin such as https://host:port (got \(corsOrigin))")
    }
    if let ragDb, !FileManager.default.fileExists(atPath: ragDb) {
      throw ValidationError("--rag-db \(ragDb): no such file (build one with radlm rag index)")
    }
    if let apiKeyFile {
      guard let text = try? String(contentsOfFile: apiKeyFile, encoding: .utf8) else {
        throw ValidationError("--api-key-file \(apiKeyFile): cannot be read as UTF-8 text")
      }
      if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
        throw ValidationError("--api-key-file \(apiKeyFile): the file is empty")
      }
    }
    _ = try ModelArgument.path(model)
    if let embeddingModel {
      do { _ = try ModelArgument.path(embeddingModel) } catch {
        throw ValidationError(
          "--embedding-model \(embeddingModel): no such file or folder, and not a fetched model name")
      }
    }
  }

  func run() async throws {
    var settings = ServerConfiguration()
    settings.host = host
    settings.port = port
    settings.apiKey = try apiKeyFile.map {
      try String(contentsOfFile: $0, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }
    settings.maxQueue = maxQueue
    settings.maxBatch = maxBatch
    settings.maxContext = maxContext
    settings.timeout = timeout
    settings.maxBodyBytes = maxBodyBytes
    settings.corsOrigin = corsOrigin
    settings.logContent = logContent
    let server = RadLMServer(configuration: settings)
    let host = settings.host
    let (model, dtype, embeddingModel, ragDb) = (self.model, self.dtype, self.embeddingModel, self.ragDb)
    let modelId = modelName ?? Self.name(of: model)
    try await server.run(
      load: {
        let bundle = try ModelArgument.bundle(model, dtype: dtype)
        let embedder = try embeddingModel.map { name in
          EmbedderModel(
            id: Self.name(of: name),
            embedder: try SentenceEmbedder(directory: URL(fileURLWithPath: try ModelArgument.path(name))))
        }
        let retrieval = try ragDb.map { path in
          let store = try SQLiteDocumentStore(path: path)
          // The store's own embedding model embeds the queries (keyword search only while it is empty).
          return try StoreSearch(
            store: store, embedder: try store.modelIdentity() == nil ? nil : RagModels.embedder(nil, store: store))
        }
        FileHandle.standardError.write(Data("radlm serve: model \(modelId) loaded\n".utf8))
        return ServedModels(
          generator: GeneratorModel(id: modelId, bundle: bundle), embedder: embedder, retrieval: retrieval)
      },
      onListening: { port in
        FileHandle.standardError.write(Data("radlm serve: listening on http://\(host):\(port)\n".utf8))
      })
  }

  /// A model's default name: a fetched name as it is, else the file or folder name without extension.
  static func name(of argument: String) -> String {
    if ModelCache.catalog.contains(where: { $0.name == argument }) && !FileManager.default.fileExists(atPath: argument)
    {
      return argument
    }
    return URL(fileURLWithPath: argument).deletingPathExtension().lastPathComponent
  }
}
