import Foundation
import RadInference
import RadModelFiles
import RadModels
import RadServer
import RadTensor

/// The real models the server tests serve, loaded once per test process: SmolLM2-135M-Instruct
/// (GGUF, decoded with its stored Q4_1 blocks) and all-MiniLM-L6-v2. The test command fetches
/// both (scripts/test.sh); a missing model fails the tests with `radlm fetch`'s message.
enum TestModels {
  static let generator: Result<GeneratorModel, any Error> = Result {
    let bundle = try ModelBundle.open(path: try ModelCache().path(of: "smollm2").path)
    _ = try ModelQuantizer.quantize(bundle.model, to: .q4, gguf: bundle.ggufFile)
    return GeneratorModel(id: "smollm2", bundle: bundle)
  }

  static let embedder: Result<EmbedderModel, any Error> = Result {
    EmbedderModel(id: "minilm", embedder: try SentenceEmbedder(directory: try ModelCache().path(of: "minilm")))
  }

  static func served(embeddings: Bool = true) throws -> ServedModels {
    ServedModels(generator: try generator.get(), embedder: embeddings ? try embedder.get() : nil)
  }
}

/// A server running in this process on a free loopback port for the length of `body`.
enum TestServer {
  static func with<T>(
    _ configuration: ServerConfiguration = ServerConfiguration(),
    load: @escaping @Sendable () throws -> ServedModels = { try TestModels.served() },
    waitUntilLoaded: Bool = true,
    _ body: (RawHTTP, RadLMServer) async throws -> T
  ) async throws -> T {
    var configuration = configuration
    configuration.port = 0
    let server = RadLMServer(configuration: configuration)
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let task = Task { try await server.run(load: load, onListening: { continuation.yield($0) }) }
    defer { task.cancel() }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else { throw RawHTTP.RawHTTPError.malformed("the server did not start") }
    let client = RawHTTP(port: port)
    if waitUntilLoaded {
      var status = 0
      for _ in 0..<600 {
        status = try await client.get("/health").status
        if status == 200 { break }
        try await Task.sleep(for: .milliseconds(100))
      }
      guard status == 200 else { throw RawHTTP.RawHTTPError.malformed("/health stayed \(status)") }
    }
    let result = try await body(client, server)
    task.cancel()
    _ = await task.result
    return result
  }
}

/// JSON text for request bodies.
func json(_ object: [String: Any]) -> String {
  String(
    decoding: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data(), as: UTF8.self)
}
