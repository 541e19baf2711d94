import Foundation
import RadServer
import Testing

/// `/v1/embeddings` returns exactly the vectors `radlm embed` prints (the same `SentenceEmbedder`
/// call), as JSON floats and as base64 float32 (what the official Python client asks for).
@Suite("Server embeddings", .serialized)
struct ServerEmbeddingTests {
  static let inputs = ["No acute cardiopulmonary process.", "Small left pleural effusion.", "Heart size is normal."]

  @Test func embeddingsEqualTheEmbedder() async throws {
    let embedder = try TestModels.embedder.get().embedder
    let expected = try embedder.embed(Self.inputs)
    // One input alone is embedded alone (no padding to a batch), as `radlm embed` does with one line.
    let alone = try embedder.embed([Self.inputs[1]])[0]
    try await TestServer.with { client, _ in
      let reply = try await client.post("/v1/embeddings", json: json(["model": "minilm", "input": Self.inputs]))
      #expect(reply.status == 200, "\(reply.text)")
      let data = try #require(try reply.json()["data"] as? [[String: Any]])
      #expect(data.count == expected.count)
      for (i, item) in data.enumerated() {
        #expect(item["index"] as? Int == i)
        let vector = try #require(item["embedding"] as? [Double]).map(Float.init)
        #expect(vector == expected[i], "input \(i)")
      }
      let single = try await client.post(
        "/v1/embeddings", json: json(["model": "minilm", "input": Self.inputs[1], "encoding_format": "base64"]))
      let item = try #require((try single.json()["data"] as? [[String: Any]])?.first)
      let encoded = try #require(item["embedding"] as? String)
      let bytes = try #require(Data(base64Encoded: encoded))
      let floats = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
      #expect(floats == alone)
      let usage = try #require(try single.json()["usage"] as? [String: Any])
      #expect((usage["prompt_tokens"] as? Int ?? 0) > 0)
    }
  }
}
