import Foundation
import RadInference
import RadModelFiles
import RadModels
import RadTensor
import RadTokenizers
import Testing

/// Schema-constrained decoding against the Python `jsonschema` package (fixtures from
/// tools/reference/json_schema_fixtures.py): the Swift validator must give jsonschema's verdict on
/// every (schema, instance) triple, and every document sampled under the token mask, over 160
/// random schemas in the supported subset and several seeds, must parse and validate.
@Suite("Constrained decoding: JSON schema subset")
struct JSONSchemaConstraintTests {
  static let folder = Support.fixtures.appendingPathComponent("json_schema")

  static func fixture(_ name: String) throws -> JSONValue {
    try JSONValue.parse(String(decoding: Data(contentsOf: folder.appendingPathComponent(name)), as: UTF8.self))
  }

  static func randomSchemas() throws -> [JSONSchema] {
    guard case .array(let list)? = try fixture("random_schemas.json")["schemas"] else { return [] }
    return try list.map { try JSONSchema(value: $0) }
  }

  @Test func validatorAgreesWithJsonschemaOnEveryTriple() throws {
    let schemas = try Self.randomSchemas()
    guard case .array(let triples)? = try Self.fixture("validation_triples.json")["triples"] else {
      Issue.record("no triples")
      return
    }
    #expect(triples.count >= 2000)
    var disagreements: [String] = []
    var validCount = 0
    for triple in triples {
      guard case .number(let index, _)? = triple["schema"], case .string(let text)? = triple["instance"],
        case .bool(let expected)? = triple["valid"]
      else { continue }
      let instance = try JSONValue.parse(text)
      let verdict = JSONSchemaValidator.isValid(instance, schemas[Int(index)])
      if expected { validCount += 1 }
      if verdict != expected { disagreements.append("schema \(Int(index)) \(text): jsonschema says \(expected)") }
    }
    #expect(disagreements.isEmpty, "\(disagreements.prefix(5))")
    #expect(validCount > 500 && validCount < triples.count - 500)  // both verdicts well represented
  }

  @Test(arguments: [
    (#"{"type":"string","pattern":"a+"}"#, "pattern"), (#"{"type":"number","minimum":0}"#, "minimum"),
    (#"{"oneOf":[{"type":"null"}]}"#, "oneOf"), (##"{"$ref":"#/x"}"##, "$ref"),
    (#"{"type":"object","properties":{"a":{"format":"date"}}}"#, "format"),
    (#"{"type":"string","minLength":2}"#, "minLength"), (#"{"allOf":[]}"#, "allOf"),
    (#"{"type":"object","patternProperties":{}}"#, "patternProperties"),
  ])
  func unsupportedKeywordIsNamed(schema: String, keyword: String) {
    #expect {
      try JSONSchema(text: schema)
    } throws: { error in
      "\(error)".contains("unsupported keyword \"\(keyword)\"")
    }
  }

  @Test func malformedSchemasGiveClearErrors() {
    let cases = [
      (#"{"type":"strin"}"#, "unknown type"), (#"{"type":"object","required":["a"]}"#, "must be declared"),
      (#"{"anyOf":[{"type":"null"}],"type":"null"}"#, "next to"), (#"{"enum":[]}"#, "non-empty"),
      (#"{"type":"array","items":{"type":"null"},"minItems":3,"maxItems":2}"#, "admits no document"),
      (#"{"type":"string","maxLength":-1}"#, "non-negative integer"), ("[1]", "must be an object"),
    ]
    for (text, message) in cases {
      do {
        _ = try JSONGrammar(schema: try JSONSchema(text: text))
        Issue.record("\(text) was accepted")
      } catch {
        #expect("\(error)".contains(message), "\(text): \(error)")
      }
    }
  }

  /// Byte-level: the grammar accepts the compact text of valid triples it can spell and rejects
  /// texts of invalid instances; and every prefix of an accepted text leaves a completable state.
  @Test func grammarAcceptsValidAndRejectsInvalidDocuments() throws {
    let schemas = try Self.randomSchemas()
    guard case .array(let triples)? = try Self.fixture("validation_triples.json")["triples"] else { return }
    var accepted = 0
    for triple in triples {
      guard case .number(let index, _)? = triple["schema"], case .string(let text)? = triple["instance"],
        case .bool(let valid)? = triple["valid"]
      else { continue }
      let grammar = try JSONGrammar(schema: schemas[Int(index)])
      let compact = try JSONValue.parse(text).jsonBytes
      var state: JSONGrammarState? = JSONGrammarState(grammar: grammar)
      for (i, byte) in compact.enumerated() {
        state = state?.advanced(by: [byte], in: grammar)
        if let state { #expect(state.bytesToComplete(in: grammar) <= 1 << 20, "prefix \(i) of \(text)") }
      }
      if let state, state.isComplete(in: grammar) {
        accepted += 1
        #expect(valid, "grammar accepted \(text) for schema \(Int(index)), which jsonschema rejects")
      }
    }
    #expect(accepted > 300)
  }

  static func smolTokenizer() throws -> Tokenizer {
    do { return try GGUFVocabulary.load(path: try ModelCache().path(of: "smollm2").path) } catch {
      Issue.record("\(error)")
      throw error
    }
  }

  /// Samples from random logits under the mask with SmolLM2's real vocabulary (49,152 byte-level
  /// BPE tokens, many holding partial UTF-8 characters): every document ends complete, parses
  /// and validates. Outputs go to a JSONL file that tools/reference/check_constrained_outputs.py
  /// re-validates with jsonschema.
  @Test func randomLogitSamplingAlwaysYieldsValidDocuments() throws {
    let tokenizer = try Self.smolTokenizer()
    let table = TokenByteTable(tokenizer: tokenizer)
    let schemaTexts: [JSONValue]
    if case .array(let list)? = try Self.fixture("random_schemas.json")["schemas"] {
      schemaTexts = list
    } else {
      Issue.record("random_schemas.json has no \"schemas\" array")
      return
    }
    let eos = 2
    #expect(tokenizer.isSpecial(eos))
    var lines: [String] = []
    var failures: [String] = []
    var documents = 0
    var endedByEOS = 0
    let seeds: [UInt64] = [1, 2]
    #if DEBUG
      let schemaLimit = 12  // unoptimised builds sample a prefix; `swift test -c release` samples all
    #else
      let schemaLimit = Int.max
    #endif
    for (index, schemaValue) in schemaTexts.enumerated().prefix(schemaLimit) {
      let schema = try JSONSchema(value: schemaValue)
      let compiled = try JSONTokenGrammar(grammar: try JSONGrammar(schema: schema), table: table)
      for seed in seeds {
        // Budgets from the shortest document (in bytes, so always enough tokens) to 56 tokens more.
        let maxTokens = compiled.grammar.shortestDocument + 8 + Int((UInt64(index) &* 7 &+ seed) % 48)
        let settings = GenerationSettings(
          maxTokens: maxTokens, temperature: 1, seed: seed, eosTokenIds: [eos], jsonSchema: compiled)
        var sampler = TokenSampler(settings: settings)
        var random = SeededRandom(seed: seed &* 1000 &+ UInt64(index))
        var history = [1, 2, 3]  // a stand-in prompt
        var bytes: [UInt8] = []
        var endedWithEOS = false
        for _ in 0..<maxTokens {
          let logits = (0..<tokenizer.vocabularySize).map { _ in Float(random.nextUniform()) * 8 }
          let next = sampler.next(logits: logits, history: history)
          history.append(next)
          if next == eos {
            endedWithEOS = true
            break
          }
          bytes += table.bytes[next] ?? []
        }
        documents += 1
        let text = String(decoding: bytes, as: UTF8.self)
        do {
          let value = try JSONValue.parse(bytes: bytes)
          if let error = JSONSchemaValidator.firstError(value, schema) { failures.append("\(index)/\(seed): \(error)") }
        } catch {
          failures.append("\(index)/\(seed): \(error) in \(text)")
        }
        if endedWithEOS { endedByEOS += 1 }
        lines.append("{\"schema\":\(index),\"seed\":\(seed),\"document\":\(JSONValue.string(text).jsonText)}")
      }
    }
    // Every schema sampled (a prefix in debug builds), twice each; the fixture holds at least 160.
    let sampledSchemas = min(schemaTexts.count, schemaLimit)
    #expect(documents == sampledSchemas * seeds.count)
    #expect(sampledSchemas >= min(160, schemaLimit))
    #expect(endedByEOS > documents / 2, "\(endedByEOS) of \(documents) ended with EOS")
    #expect(failures.isEmpty, "\(failures.count) of \(documents) invalid: \(failures.prefix(5))")
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("radlm-constrained-outputs.jsonl")
    try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: out, options: .atomic)
  }

  /// `{"type":"object"}` (what the server's `json_object` uses) takes any keys and any nested
  /// values: JSON objects pass, anything else is refused.
  @Test(arguments: [
    (#"{}"#, true), (#"{"a": [1, {"b": null}], "c": "x"}"#, true), (#"{"k":{"n":{"m":[true,false,-0.5e3]}}}"#, true),
    (#"{"a" 1}"#, false), (#"[1]"#, false), (#"{"a":1,}"#, false), (#"{"a":}"#, false), (#"{,}"#, false),
  ])
  func anyObjectSchemaAcceptsExactlyObjects(document: String, valid: Bool) throws {
    let grammar = try JSONGrammar(schema: try JSONSchema(text: #"{"type":"object"}"#))
    var state: JSONGrammarState? = JSONGrammarState(grammar: grammar)
    for byte in document.utf8 {
      state = state?.advanced(by: [byte], in: grammar)
      if let state { #expect(state.bytesToComplete(in: grammar) < 64, "\(document)") }
    }
    let accepted = state?.isComplete(in: grammar) ?? false
    #expect(accepted == valid, "\(document)")
    // The strict JSON reader agrees (Foundation's on Linux accepts a trailing comma).
    var isObject = false
    if case .object? = try? JSONValue.parse(document) { isObject = true }
    #expect(isObject == valid, "JSONValue's verdict on \(document)")
  }

  /// Random logits under the `{"type":"object"}` mask with SmolLM2's vocabulary: every document
  /// ends complete within its budget and parses as an object (Foundation's and the strict reader).
  @Test func anyObjectSamplingYieldsObjects() throws {
    let tokenizer = try Self.smolTokenizer()
    let compiled = try JSONTokenGrammar(schema: try JSONSchema(text: #"{"type":"object"}"#), tokenizer: tokenizer)
    var failures: [String] = []
    for seed in UInt64(1)...6 {
      let maxTokens = 12 + Int(seed) * 6
      var sampler = TokenSampler(
        settings: GenerationSettings(
          maxTokens: maxTokens, temperature: 1, seed: seed, eosTokenIds: [2], jsonSchema: compiled))
      var random = SeededRandom(seed: seed &* 77)
      var history = [1, 2, 3]
      var bytes: [UInt8] = []
      for _ in 0..<maxTokens {
        let logits = (0..<tokenizer.vocabularySize).map { _ in Float(random.nextUniform()) * 8 }
        let next = sampler.next(logits: logits, history: history)
        history.append(next)
        if next == 2 { break }
        bytes += compiled.table.bytes[next] ?? []
      }
      let strict: Bool
      if case .object? = try? JSONValue.parse(bytes: bytes) { strict = true } else { strict = false }
      if (try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]) == nil || !strict {
        failures.append("seed \(seed): \(String(decoding: bytes, as: UTF8.self))")
      }
    }
    #expect(failures.isEmpty, "\(failures)")
  }
}
