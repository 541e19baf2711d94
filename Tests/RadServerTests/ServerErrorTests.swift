import Foundation
import RadServer
import Testing

/// Bad requests get OpenAI-style errors with the right status and the parameter named, and the
/// server keeps serving after each; authentication, body limit, queue limit, CORS and loading.
@Suite("Server errors and limits", .serialized)
struct ServerErrorTests {
  struct BadRequest: Sendable, CustomStringConvertible {
    let name: String
    let path: String
    let body: String
    let status: Int
    let param: String?
    var description: String { name }
  }

  static let chat = "/v1/chat/completions"
  static var hello: [String: Any] { ["role": "user", "content": "Hello"] }

  static let badRequests: [BadRequest] = [
    BadRequest(
      name: "malformed JSON", path: chat, body: "{\"model\": \"smollm2\", \"messages\": [", status: 400, param: nil),
    BadRequest(name: "not an object", path: chat, body: "[1, 2]", status: 400, param: nil),
    BadRequest(name: "missing model", path: chat, body: json(["messages": [hello]]), status: 400, param: "model"),
    BadRequest(name: "missing messages", path: chat, body: json(["model": "smollm2"]), status: 400, param: "messages"),
    BadRequest(
      name: "unknown model", path: chat, body: json(["model": "gpt-9", "messages": [hello]]), status: 404,
      param: "model"),
    BadRequest(
      name: "temperature as a string", path: chat,
      body: json(["model": "smollm2", "messages": [hello], "temperature": "hot"]), status: 400, param: "temperature"),
    BadRequest(
      name: "max_tokens as a float", path: chat,
      body: json(["model": "smollm2", "messages": [hello], "max_tokens": 2.5]), status: 400, param: "max_tokens"),
    BadRequest(
      name: "stream as a number", path: chat, body: json(["model": "smollm2", "messages": [hello], "stream": 1]),
      status: 400, param: "stream"),
    BadRequest(
      name: "message without content", path: chat, body: json(["model": "smollm2", "messages": [["role": "user"]]]),
      status: 400, param: "messages[0].content"),
    BadRequest(
      name: "unknown role", path: chat,
      body: json(["model": "smollm2", "messages": [["role": "robot", "content": "hi"]]]), status: 400,
      param: "messages[0].role"),
    BadRequest(
      name: "n = 2", path: chat, body: json(["model": "smollm2", "messages": [hello], "n": 2]), status: 400, param: "n"),
    BadRequest(
      name: "prompt longer than the context", path: chat,
      body: json([
        "model": "smollm2", "messages": [["role": "user", "content": String(repeating: "lung ", count: 400)]],
      ]),
      status: 400, param: "messages"),
    BadRequest(
      name: "max_tokens beyond the context", path: chat,
      body: json(["model": "smollm2", "messages": [hello], "max_tokens": 300]), status: 400, param: "max_tokens"),
    BadRequest(
      name: "json_schema outside the supported subset", path: chat,
      body: json([
        "model": "smollm2", "messages": [hello],
        "response_format": [
          "type": "json_schema", "json_schema": ["name": "r", "schema": ["type": "string", "pattern": "a"]],
        ],
      ]), status: 400, param: "response_format.json_schema.schema"),
    BadRequest(
      name: "response_format of an unknown type", path: chat,
      body: json(["model": "smollm2", "messages": [hello], "response_format": ["type": "yaml"]]), status: 400,
      param: "response_format.type"),
    BadRequest(
      name: "rag of the wrong type", path: chat, body: json(["model": "smollm2", "messages": [hello], "rag": "yes"]),
      status: 400, param: "rag"),
    BadRequest(
      name: "completion without prompt", path: "/v1/completions", body: json(["model": "smollm2"]), status: 400,
      param: "prompt"),
    BadRequest(
      name: "embedding input of numbers", path: "/v1/embeddings", body: json(["model": "minilm", "input": [1, 2]]),
      status: 400, param: "input"),
    BadRequest(name: "unknown route", path: "/v1/nothing", body: "{}", status: 404, param: nil),
  ]

  @Test func badRequestsGetOpenAIErrorsAndTheServerKeepsServing() async throws {
    var configuration = ServerConfiguration()
    configuration.maxContext = 256
    try await TestServer.with(configuration) { client, _ in
      for bad in Self.badRequests {
        let reply = try await client.post(bad.path, json: bad.body)
        #expect(reply.status == bad.status, "\(bad): \(reply.status) \(reply.text)")
        let error = try reply.error()
        #expect(error["message"] is String, "\(bad)")
        #expect(error["type"] is String, "\(bad)")
        #expect(error["param"] as? String == bad.param, "\(bad): \(reply.text)")
        #expect(error.keys.contains("code"), "\(bad)")
        #expect(reply.headers["content-type"] == "application/json")
      }
      let ok = try await client.post(
        Self.chat, json: json(["model": "smollm2", "messages": [Self.hello], "max_tokens": 2, "temperature": 0]))
      #expect(ok.status == 200, "\(ok.text)")
    }
  }

  @Test func contextErrorsNameTheLimit() async throws {
    var configuration = ServerConfiguration()
    configuration.maxContext = 256
    try await TestServer.with(configuration) { client, _ in
      let reply = try await client.post(
        Self.chat, json: json(["model": "smollm2", "messages": [Self.hello], "max_completion_tokens": 1000]))
      #expect(reply.status == 400)
      let error = try reply.error()
      #expect(error["code"] as? String == "context_length_exceeded")
      #expect(error["param"] as? String == "max_completion_tokens")
      #expect((error["message"] as? String)?.contains("256") == true)
    }
  }

  @Test func bodiesOverTheLimitGet413() async throws {
    var configuration = ServerConfiguration()
    configuration.maxBodyBytes = 2048
    try await TestServer.with(configuration) { client, _ in
      let big = json([
        "model": "smollm2", "messages": [["role": "user", "content": String(repeating: "x", count: 5000)]],
      ])
      let reply = try await client.post(Self.chat, json: big)
      #expect(reply.status == 413)
      #expect(try reply.error()["code"] as? String == "request_too_large")
      // The same limit without a Content-Length header (chunked upload) is enforced while reading.
      let chunked = try await client.send(
        "POST", Self.chat, body: Array("\(String(big.utf8.count, radix: 16))\r\n\(big)\r\n0\r\n\r\n".utf8),
        headers: ["Transfer-Encoding": "chunked"])
      #expect(chunked.status == 413, "\(chunked.text)")
      let health = try await client.get("/health")
      #expect(health.status == 200)
    }
  }

  @Test func bearerTokenIsRequiredWhenAKeyIsSet() async throws {
    var configuration = ServerConfiguration()
    configuration.apiKey = "s3cret-key"
    try await TestServer.with(configuration) { client, _ in
      let missing = try await client.get("/v1/models")
      #expect(missing.status == 401)
      #expect(try missing.error()["code"] as? String == "invalid_api_key")
      for wrong in ["Bearer s3cret-kez", "Bearer s3cret-key2", "Bearer ", "s3cret-key", "Basic czNjcmV0LWtleQ=="] {
        let reply = try await client.get("/v1/models", headers: ["Authorization": wrong])
        #expect(reply.status == 401, "\(wrong)")
      }
      let right = try await client.get("/v1/models", headers: ["Authorization": "Bearer s3cret-key"])
      #expect(right.status == 200)
      let ids = (try right.json()["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
      #expect(ids == ["smollm2", "minilm"])
      let health = try await client.get("/health")
      #expect(health.status == 200)
    }
  }

  @Test func aFullQueueAnswers429WithRetryAfter() async throws {
    var configuration = ServerConfiguration()
    configuration.maxBatch = 1
    configuration.maxQueue = 1
    try await TestServer.with(configuration) { client, _ in
      let body = json([
        "model": "smollm2", "messages": [["role": "user", "content": "Write a long story."]], "max_tokens": 60,
        "temperature": 0.7, "seed": 3,
      ])
      let replies = try await withThrowingTaskGroup(of: RawHTTP.Reply.self) { group in
        for _ in 0..<6 { group.addTask { try await client.post(Self.chat, json: body) } }
        return try await group.reduce(into: []) { $0.append($1) }
      }
      let limited = replies.filter { $0.status == 429 }
      #expect(!limited.isEmpty, "\(replies.map(\.status))")
      #expect(replies.filter { $0.status == 200 }.count >= 2, "\(replies.map(\.status))")
      #expect(replies.allSatisfy { $0.status == 200 || $0.status == 429 })
      for reply in limited {
        #expect(reply.headers["retry-after"] == "1")
        #expect(try reply.error()["type"] as? String == "rate_limit_error")
      }
    }
  }

  @Test func healthIs503UntilTheModelIsLoaded() async throws {
    // Loading waits for the test's signal, so the early requests surely meet a loading server.
    let release = DispatchSemaphore(value: 0)
    try await TestServer.with(
      load: {
        release.wait()
        return try TestModels.served()
      }, waitUntilLoaded: false
    ) { client, _ in
      let early = try await client.get("/health")
      #expect(early.status == 503)
      let models = try await client.get("/v1/models")
      #expect(models.status == 503)
      #expect(try models.error()["code"] as? String == "model_not_loaded")
      #expect(models.headers["retry-after"] == "1")
      release.signal()
      var status = 0
      for _ in 0..<600 {
        status = try await client.get("/health").status
        if status == 200 { break }
        try await Task.sleep(for: .milliseconds(100))
      }
      #expect(status == 200)
    }
  }

  @Test func corsHeadersOnlyWithAnOrigin() async throws {
    try await TestServer.with { client, _ in
      let reply = try await client.get("/health")
      #expect(reply.headers["access-control-allow-origin"] == nil)
    }
    var configuration = ServerConfiguration()
    configuration.corsOrigin = "http://localhost:3000"
    try await TestServer.with(configuration) { client, _ in
      let reply = try await client.get("/health")
      #expect(reply.headers["access-control-allow-origin"] == "http://localhost:3000")
      let preflight = try await client.send("OPTIONS", Self.chat)
      #expect(preflight.status == 204)
      #expect(preflight.headers["access-control-allow-headers"]?.contains("Authorization") == true)
    }
  }

  @Test func metricsArePrometheusText() async throws {
    try await TestServer.with { client, _ in
      _ = try await client.post(Self.chat, json: "{")
      let reply = try await client.get("/metrics")
      #expect(reply.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
      let text = reply.text
      #expect(text.contains("radlm_http_requests_total{route=\"/v1/chat/completions\",status=\"400\"} 1"))
      #expect(text.contains("# TYPE radlm_http_request_duration_seconds histogram"))
      #expect(text.contains("radlm_queue_waiting 0"))
      #expect(text.contains("radlm_prompt_tokens_total"))
      for line in text.split(separator: "\n") where !line.hasPrefix("#") {
        #expect(line.split(separator: " ").count == 2, "not 'series value': \(line)")
      }
    }
  }
}
