import Foundation
import RadInference
import RadModels
import RadServer
import RadTokenizers
import Testing

/// Greedy generation through the server equals `radlm generate` (the same `TextGenerator` call
/// it makes) token for token: non-streamed, streamed, as text completions, and with several
/// requests decoded together in one continuous batch.
@Suite("Server generation", .serialized)
struct ServerGenerationTests {
  static let questions = [
    "What is a chest X-ray?", "Name three bones of the arm.", "Say hello in French.", "What is 2 + 3?",
  ]

  /// What `radlm generate --chat --temperature 0 --max-tokens N` produces for `question`.
  static func reference(chat question: String, maxTokens: Int) throws -> GenerationResult {
    let bundle = try TestModels.generator.get().bundle
    let ids = try bundle.chatPromptIds([ChatMessage(role: "user", content: question)])
    let settings = GenerationSettings(
      maxTokens: maxTokens, stopStrings: bundle.chatTemplate?.endOfTurn.map { [$0] } ?? [],
      eosTokenIds: bundle.eosTokenIds)
    return try TextGenerator(model: bundle.model, tokenizer: bundle.tokenizer).generate(
      promptIds: ids, settings: settings)
  }

  static func chatBody(_ question: String, maxTokens: Int, stream: Bool = false) -> String {
    var body: [String: Any] = [
      "model": "smollm2", "messages": [["role": "user", "content": question]], "temperature": 0,
      "max_tokens": maxTokens,
    ]
    if stream {
      body["stream"] = true
      body["stream_options"] = ["include_usage": true]
    }
    return json(body)
  }

  @Test func greedyChatEqualsGenerate() async throws {
    let expected = try Self.reference(chat: Self.questions[0], maxTokens: 24)
    try await TestServer.with { client, _ in
      let reply = try await client.post("/v1/chat/completions", json: Self.chatBody(Self.questions[0], maxTokens: 24))
      #expect(reply.status == 200, "\(reply.text)")
      let object = try reply.json()
      let choice = try #require((object["choices"] as? [[String: Any]])?.first)
      let message = try #require(choice["message"] as? [String: Any])
      #expect(message["content"] as? String == expected.text)
      #expect(message["role"] as? String == "assistant")
      #expect(choice["finish_reason"] as? String == (expected.finishReason == .length ? "length" : "stop"))
      let usage = try #require(object["usage"] as? [String: Any])
      #expect(usage["completion_tokens"] as? Int == expected.tokens.count)
      #expect(usage["prompt_tokens"] as? Int == expected.promptTokens)
      #expect(object["object"] as? String == "chat.completion")
    }
  }

  @Test func streamedChatEqualsGenerateAndEndsWithDone() async throws {
    let expected = try Self.reference(chat: Self.questions[1], maxTokens: 20)
    try await TestServer.with { client, _ in
      let reply = try await client.post(
        "/v1/chat/completions", json: Self.chatBody(Self.questions[1], maxTokens: 20, stream: true))
      #expect(reply.status == 200)
      #expect(reply.headers["content-type"] == "text/event-stream")
      let events = reply.text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
      #expect(events.last == "data: [DONE]")
      var text = ""
      var usage: [String: Any]?
      var finish: String?
      for event in events.dropLast() {
        #expect(event.hasPrefix("data: "))
        let data = Data(event.dropFirst(6).utf8)
        let chunk = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(chunk["object"] as? String == "chat.completion.chunk")
        if let found = chunk["usage"] as? [String: Any] { usage = found }
        for choice in chunk["choices"] as? [[String: Any]] ?? [] {
          text += (choice["delta"] as? [String: Any])?["content"] as? String ?? ""
          if let reason = choice["finish_reason"] as? String { finish = reason }
        }
      }
      #expect(text == expected.text)
      #expect(finish != nil)
      #expect(usage?["completion_tokens"] as? Int == expected.tokens.count)
    }
  }

  @Test func textCompletionEqualsGenerate() async throws {
    let bundle = try TestModels.generator.get().bundle
    let prompt = "The chest radiograph shows"
    let expected = try TextGenerator(model: bundle.model, tokenizer: bundle.tokenizer).generate(
      prompt: prompt, settings: GenerationSettings(maxTokens: 16, eosTokenIds: bundle.eosTokenIds))
    try await TestServer.with { client, _ in
      let reply = try await client.post(
        "/v1/completions", json: json(["model": "smollm2", "prompt": prompt, "temperature": 0, "max_tokens": 16]))
      #expect(reply.status == 200, "\(reply.text)")
      let choice = try #require((try reply.json()["choices"] as? [[String: Any]])?.first)
      #expect(choice["text"] as? String == expected.text)
      #expect((try reply.json()["usage"] as? [String: Any])?["completion_tokens"] as? Int == expected.tokens.count)
    }
  }

  @Test func concurrentRequestsShareBatchesAndEqualGenerate() async throws {
    let lengths = [28, 12, 20, 16]
    let expected = try zip(Self.questions, lengths).map { try Self.reference(chat: $0, maxTokens: $1) }
    var configuration = ServerConfiguration()
    configuration.maxBatch = 4
    try await TestServer.with(configuration) { client, server in
      let texts = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
        for (i, question) in Self.questions.enumerated() {
          group.addTask {
            let reply = try await client.post(
              "/v1/chat/completions", json: Self.chatBody(question, maxTokens: lengths[i]))
            let choice = (try reply.json()["choices"] as? [[String: Any]])?.first
            return (i, (choice?["message"] as? [String: Any])?["content"] as? String)
          }
        }
        var texts = [String?](repeating: nil, count: Self.questions.count)
        for try await (i, text) in group { texts[i] = text }
        return texts
      }
      for (i, result) in expected.enumerated() { #expect(texts[i] == result.text, "request \(i)") }
      // Some decoding steps carried more than one sequence.
      let metrics = try await client.get("/metrics").text
      let single = try #require(Self.metricValue(metrics, "radlm_batch_occupancy_bucket{le=\"1.0\"}"))
      let all = try #require(Self.metricValue(metrics, "radlm_batch_occupancy_count"))
      #expect(all > single, "no step decoded more than one sequence:\n\(metrics)")
      #expect(server.metrics.requests(route: "/v1/chat/completions", status: 200) == 4)
    }
  }

  static func metricValue(_ text: String, _ series: String) -> Double? {
    for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
      return Double(line.dropFirst(series.count + 1))
    }
    return nil
  }

  @Test func disconnectedClientsStopTheirGeneration() async throws {
    var configuration = ServerConfiguration()
    configuration.maxBatch = 1
    try await TestServer.with(configuration) { client, _ in
      for stream in [true, false] {
        let body = json([
          "model": "smollm2", "messages": [["role": "user", "content": "Write a very long story about a hospital."]],
          "temperature": 0.8, "max_tokens": 1500, "stream": stream, "seed": 7,
        ])
        let before = Self.metricValue(try await client.get("/metrics").text, "radlm_completion_tokens_total")
        try await client.postAndHangUp("/v1/chat/completions", json: body, after: stream ? 1 : 0)
        var active = -1.0
        for _ in 0..<100 {
          try await Task.sleep(for: .milliseconds(50))
          active = Self.metricValue(try await client.get("/metrics").text, "radlm_batch_active") ?? -1
          if active == 0 { break }
        }
        #expect(active == 0, "stream \(stream): generation still running after the client left")
        // Cancelled, not finished: a finished generation would have counted its tokens.
        let after = Self.metricValue(try await client.get("/metrics").text, "radlm_completion_tokens_total")
        #expect(after == before, "stream \(stream): the generation ran to its end")
      }
    }
  }

  @Test func requestsPastTheTimeLimitGet504() async throws {
    var configuration = ServerConfiguration()
    configuration.timeout = 0.1
    try await TestServer.with(configuration) { client, _ in
      let reply = try await client.post(
        "/v1/chat/completions",
        json: json([
          "model": "smollm2", "messages": [["role": "user", "content": "Tell me a long story."]], "max_tokens": 1500,
          "temperature": 0.9,
        ]))
      #expect(reply.status == 504)
      #expect(try reply.error()["code"] as? String == "timeout")
    }
  }
}
