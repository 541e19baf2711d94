import Foundation
import RadServer
import Testing

/// The official OpenAI Python client against the server (tools/reference/openai_client_check.py).
/// scripts/test.sh builds a virtual environment with the pinned `openai` package and names its
/// Python in RADLM_OPENAI_PYTHON; when that is set, this test runs and fails on any problem
/// (including a Python that does not start). A plain `swift test` without it does not run it.
@Suite("Server with the OpenAI Python client", .serialized)
struct ServerOpenAIClientTests {
  static let python = ProcessInfo.processInfo.environment["RADLM_OPENAI_PYTHON"]
  static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("tools/reference/openai_client_check.py").path

  @Test(.enabled(if: python != nil, "RADLM_OPENAI_PYTHON is not set (scripts/test.sh sets it)"))
  func officialClientSeesTheRightAnswersAndErrors() async throws {
    let python = try #require(Self.python)
    let question = "What does a radiologist do?"
    let chat = try ServerGenerationTests.reference(chat: question, maxTokens: 24)
    let inputs = ServerEmbeddingTests.inputs
    let vectors = try TestModels.embedder.get().embedder.embed(inputs)
    let expected: [String: Any] = [
      "model": "smollm2", "embedding_model": "minilm",
      "chat": ["question": question, "max_tokens": 24, "text": chat.text, "completion_tokens": chat.tokens.count],
      "embeddings": ["inputs": inputs, "vectors": vectors.map { $0.map(Double.init) }],
    ]
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("radlm-openai-\(UUID().uuidString).json")
    try JSONSerialization.data(withJSONObject: expected).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    var configuration = ServerConfiguration()
    configuration.apiKey = "test-key"
    // Requests may wait for one of the test process's executor threads (shared with the other
    // suites): no request deadline here; the timeout has tests of its own.
    configuration.timeout = nil
    try await TestServer.with(configuration) { client, _ in
      let (status, output) = try await RawHTTP.blocking {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [
          Self.script, "--base-url", "http://127.0.0.1:\(client.port)/v1", "--api-key", "test-key",
          "--expected", file.path,
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
      }
      #expect(status == 0, "openai_client_check.py failed:\n\(output)")
      #expect(output.contains("all checks passed"), "\(output)")
    }
  }
}
