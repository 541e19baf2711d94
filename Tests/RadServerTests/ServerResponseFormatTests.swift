import Foundation
import RadInference
import RadServer
import RadTokenizers
import Testing

/// `response_format` through the constrained decoder: `json_schema` output parses and validates
/// against the request's schema (streamed or not, greedy or sampled), `json_object` output is a
/// JSON object, and schemas outside the supported subset are 400s naming the field.
@Suite("Server response_format", .serialized)
struct ServerResponseFormatTests {
  static var schema: [String: Any] {
    [
      "type": "object",
      "properties": [
        "finding": ["type": "string", "maxLength": 40],
        "laterality": ["enum": ["left", "right", "bilateral", "none"]],
        "urgent": ["type": "boolean"],
        "size_mm": ["type": "integer"],
      ],
      "required": ["finding", "laterality", "urgent"],
      "additionalProperties": false,
    ]
  }

  static func body(_ format: [String: Any], temperature: Double = 0, stream: Bool = false, seed: Int = 0) -> String {
    json([
      "model": "smollm2", "temperature": temperature, "seed": seed, "max_tokens": 80, "stream": stream,
      "messages": [
        ["role": "system", "content": "Extract the main finding of the report as JSON."],
        ["role": "user", "content": "Report: Small left pleural effusion. No pneumothorax."],
      ],
      "response_format": format,
    ])
  }

  static var schemaFormat: [String: Any] {
    ["type": "json_schema", "json_schema": ["name": "finding", "schema": schema, "strict": true]]
  }

  static func content(_ reply: RawHTTP.Reply) throws -> String {
    let choice = try #require((try reply.json()["choices"] as? [[String: Any]])?.first)
    return try #require((choice["message"] as? [String: Any])?["content"] as? String)
  }

  static func streamedContent(_ reply: RawHTTP.Reply) throws -> String {
    var text = ""
    for event in reply.text.components(separatedBy: "\n\n") where event.hasPrefix("data: {") {
      let object = try JSONSerialization.jsonObject(with: Data(event.dropFirst(6).utf8)) as? [String: Any]
      for choice in object?["choices"] as? [[String: Any]] ?? [] {
        text += (choice["delta"] as? [String: Any])?["content"] as? String ?? ""
      }
    }
    return text
  }

  static func validate(_ text: String) throws -> JSONValue {
    let value = try JSONValue.parse(text)
    let schema = try JSONSchema(
      text: String(decoding: try JSONSerialization.data(withJSONObject: Self.schema), as: UTF8.self))
    #expect(JSONSchemaValidator.firstError(value, schema) == nil, "\(text)")
    return value
  }

  @Test(arguments: [(0.0, false, 0), (0.0, true, 0), (1.0, false, 3), (1.0, true, 11)])
  func jsonSchemaOutputValidates(temperature: Double, stream: Bool, seed: Int) async throws {
    try await TestServer.with { client, _ in
      let reply = try await client.post(
        "/v1/chat/completions", json: Self.body(Self.schemaFormat, temperature: temperature, stream: stream, seed: seed)
      )
      #expect(reply.status == 200, "\(reply.text)")
      let text = stream ? try Self.streamedContent(reply) : try Self.content(reply)
      let value = try Self.validate(text)
      guard case .object = value else {
        Issue.record("not an object: \(text)")
        return
      }
    }
  }

  @Test func jsonObjectOutputIsAnObject() async throws {
    try await TestServer.with { client, _ in
      for (temperature, seed) in [(0.0, 0), (1.0, 5)] {
        let reply = try await client.post(
          "/v1/chat/completions", json: Self.body(["type": "json_object"], temperature: temperature, seed: seed))
        #expect(reply.status == 200, "\(reply.text)")
        let text = try Self.content(reply)
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        #expect(object is [String: Any], "\(text)")
      }
    }
  }

  @Test func greedyJSONSchemaOutputEqualsConstrainedGenerate() async throws {
    // What `TextGenerator` gives for the same prompt under the same grammar (the in-process call).
    let bundle = try TestModels.generator.get().bundle
    let messages = [
      ChatMessage(role: "system", content: "Extract the main finding of the report as JSON."),
      ChatMessage(role: "user", content: "Report: Small left pleural effusion. No pneumothorax."),
    ]
    let schema = try JSONSchema(
      text: String(decoding: try JSONSerialization.data(withJSONObject: Self.schema), as: UTF8.self))
    let settings = GenerationSettings(
      maxTokens: 80, stopStrings: bundle.chatTemplate?.endOfTurn.map { [$0] } ?? [], eosTokenIds: bundle.eosTokenIds,
      jsonSchema: try JSONTokenGrammar(schema: schema, tokenizer: bundle.tokenizer))
    let expected = try TextGenerator(model: bundle.model, tokenizer: bundle.tokenizer).generate(
      promptIds: try bundle.chatPromptIds(messages), settings: settings)
    try await TestServer.with { client, _ in
      let reply = try await client.post("/v1/chat/completions", json: Self.body(Self.schemaFormat))
      #expect(try Self.content(reply) == expected.text)
    }
  }

  @Test func unsupportedSchemasAndTooSmallBudgetsAreNamed() async throws {
    try await TestServer.with { client, _ in
      let pattern: [String: Any] = [
        "type": "json_schema", "json_schema": ["name": "p", "schema": ["type": "string", "pattern": "a+"]],
      ]
      let reply = try await client.post("/v1/chat/completions", json: Self.body(pattern))
      #expect(reply.status == 400)
      #expect(try reply.error()["param"] as? String == "response_format.json_schema.schema")
      #expect((try reply.error()["message"] as? String)?.contains("pattern") == true)
      var tiny =
        try JSONSerialization.jsonObject(with: Data(Self.body(Self.schemaFormat).utf8)) as? [String: Any] ?? [:]
      tiny["max_tokens"] = 3
      let short = try await client.post("/v1/chat/completions", json: json(tiny))
      #expect(short.status == 400)
      #expect(try short.error()["param"] as? String == "max_tokens")
      // The server keeps serving.
      #expect(try await client.get("/health").status == 200)
    }
  }
}
