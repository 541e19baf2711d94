import Foundation
import RadTokenizers

/// Structured extraction: a language model reads a report and writes a JSON object that is
/// guaranteed to validate against a schema, because decoding runs under the schema's token mask
/// (`JSONSchemaConstraint`). The prompt shows the schema and asks for JSON only; the model's
/// chat template wraps it when it has one.
public final class StructuredExtractor: @unchecked Sendable {  // the bundle's model is used from one thread
  public let bundle: ModelBundle
  public let schema: JSONSchema
  public let compiled: JSONTokenGrammar
  public let settings: GenerationSettings

  /// Fails if the schema is outside the subset or needs more than `maxTokens` tokens.
  public init(bundle: ModelBundle, schema: JSONSchema, maxTokens: Int, temperature: Float = 0, seed: UInt64 = 0)
    throws
  {
    let compiled = try JSONTokenGrammar(schema: schema, tokenizer: bundle.tokenizer)
    guard compiled.grammar.shortestDocument <= maxTokens else {
      throw ExtractionError.budget(
        "the schema's shortest document needs \(compiled.grammar.shortestDocument) tokens; --max-tokens is \(maxTokens)"
      )
    }
    self.bundle = bundle
    self.schema = schema
    self.compiled = compiled
    settings = GenerationSettings(
      maxTokens: maxTokens, temperature: temperature, seed: seed, eosTokenIds: bundle.eosTokenIds,
      jsonSchema: compiled)
  }

  /// The prompt token ids for one report.
  public func promptIds(for text: String) throws(ChatTemplateError) -> [Int] {
    let instruction =
      "Extract the information in the radiology report as JSON. Reply with one JSON object only, valid "
      + "against this JSON Schema: " + schema.sourceText
    return try bundle.chatPromptIds([
      ChatMessage(role: "system", content: instruction), ChatMessage(role: "user", content: text),
    ])
  }

  /// The object the model extracts from `text` (always valid against the schema).
  public func extract(_ text: String) throws -> JSONValue {
    let generator = TextGenerator(model: bundle.model, tokenizer: bundle.tokenizer)
    let result = try generator.generate(promptIds: try promptIds(for: text), settings: settings)
    let value: JSONValue
    do { value = try JSONValue.parse(result.text) } catch {
      throw ExtractionError.output("generated text is not a complete JSON document (\(error))")
    }
    if let problem = JSONSchemaValidator.firstError(value, schema) {
      throw ExtractionError.output("generated document does not validate: \(problem)")
    }
    return value
  }

  /// Reads JSON Lines `{"id","text"}` and extracts one object per line, in order; every line is
  /// checked before the model runs, so bad input fails before any output is produced.
  public func extractAll(inputPath: String, progress: ((Int, Int) -> Void)? = nil) throws -> [(
    id: JSONValue, output: JSONValue
  )] {
    let records = try Self.readRecords(inputPath)
    var out: [(id: JSONValue, output: JSONValue)] = []
    for (i, record) in records.enumerated() {
      do { out.append((record.id, try extract(record.text))) } catch {
        throw ExtractionError.output("\(inputPath):\(record.line): \(error)")
      }
      progress?(i + 1, records.count)
    }
    return out
  }

  /// `{"id","text"}` lines of a JSONL file (blank lines skipped), with file:line errors.
  public static func readRecords(_ path: String) throws -> [(line: Int, id: JSONValue, text: String)] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ExtractionError.input("\(path): cannot be read")
    }
    guard let content = String(data: data, encoding: .utf8) else {
      throw ExtractionError.input("\(path): not UTF-8 text")
    }
    var records: [(line: Int, id: JSONValue, text: String)] = []
    for (index, line) in content.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      if line.allSatisfy(\.isWhitespace) { continue }
      let value: JSONValue
      do { value = try JSONValue.parse(String(line)) } catch {
        throw ExtractionError.input("\(path):\(index + 1): not JSON (\(error))")
      }
      guard let id = value["id"] else { throw ExtractionError.input("\(path):\(index + 1): missing \"id\"") }
      guard case .string(let text)? = value["text"] else {
        throw ExtractionError.input("\(path):\(index + 1): \"text\" must be a string")
      }
      records.append((index + 1, id, text))
    }
    return records
  }

  /// One output line `{"id":…,"output":…}`.
  public static func outputLine(id: JSONValue, output: JSONValue) -> String {
    JSONValue.object([("id", id), ("output", output)]).jsonText
  }
}

/// Why extraction failed: bad input (file and line), a budget too small for the schema, or output
/// that did not complete.
public enum ExtractionError: Error, CustomStringConvertible {
  case input(String), budget(String), output(String)
  public var description: String {
    switch self {
    case .input(let m), .budget(let m), .output(let m): return m
    }
  }
}
