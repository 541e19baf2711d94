import RadInference
import RadTokenizers
import Synchronization

/// Turns a request's `response_format` into the token grammar that constrained decoding enforces
/// (`GenerationSettings.jsonSchema`): `json_schema` compiles the request's schema, `json_object`
/// the schema of any JSON object. The model's byte table is built on first use and compiled
/// grammars are kept by schema text, so repeated schemas cost nothing after the first request.
final class ResponseFormatCompiler: Sendable {
  let tokenizer: Tokenizer
  private let table = Mutex<TokenByteTable?>(nil)
  private let compiled = Mutex<[String: JSONTokenGrammar]>([:])
  /// Distinct schemas kept; beyond this the cache starts again (schemas are small to recompile).
  static let cacheLimit = 64
  static let anyObjectSchema = #"{"type":"object"}"#

  init(tokenizer: Tokenizer) { self.tokenizer = tokenizer }

  /// The grammar for `format`, or nil for plain text; schema problems are 400s naming the field.
  func grammar(for format: ResponseFormat) throws(APIError) -> JSONTokenGrammar? {
    let text: String
    let param: String
    switch format {
    case .text: return nil
    case .jsonObject:
      text = Self.anyObjectSchema
      param = "response_format"
    case .jsonSchema(_, let schema):
      text = schema
      param = "response_format.json_schema.schema"
    }
    if let known = compiled.withLock({ $0[text] }) { return known }
    let grammar: JSONTokenGrammar
    do {
      let schema = try JSONSchema(text: text)
      grammar = try JSONTokenGrammar(grammar: try JSONGrammar(schema: schema), table: byteTable())
    } catch {
      throw APIError.invalid(param, "'\(param)' cannot be used for constrained decoding: \(error)")
    }
    compiled.withLock {
      if $0.count >= Self.cacheLimit { $0.removeAll() }
      $0[text] = grammar
    }
    return grammar
  }

  private func byteTable() -> TokenByteTable {
    if let ready = table.withLock({ $0 }) { return ready }
    let built = TokenByteTable(tokenizer: tokenizer)
    return table.withLock { current in
      if let current { return current }
      current = built
      return built
    }
  }
}
