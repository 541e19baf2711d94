import Foundation
import RadInference
import RadRetrieval
import RadTokenizers

/// What a request asks of the retrieval store: `/v1/rag/search`'s fields, or the `rag` field of a
/// chat request (`true`, or an object with the same optional fields). Each field is checked with
/// an error naming it.
struct RetrievalOptions {
  var k: Int
  var mode: SearchMode
  var minScore: Double
  var filter: MetadataFilter

  /// Reads `k`, `mode`, `min_score` and `filter` (an object of string or integer values).
  static func parse(_ fields: RequestFields, defaultK: Int, defaultMode: SearchMode) throws(APIError)
    -> RetrievalOptions
  {
    let k = try fields.integer("k", in: 1...100) ?? defaultK
    var mode = defaultMode
    if let name = try fields.string("mode") {
      guard let parsed = SearchMode(rawValue: name) else {
        throw APIError.invalid(
          fields.prefix + "mode", "'\(fields.prefix)mode' must be exact, hnsw, bm25 or hybrid (got '\(name)')")
      }
      mode = parsed
    }
    let minScore = try fields.number("min_score", in: -1e9...1e9) ?? GroundedAnswerer.defaultMinimumScore
    var conditions: [String] = []
    let param = fields.prefix + "filter"
    if let filter = try fields.object("filter") {
      for key in filter.values.keys.sorted() {
        switch filter.values[key] {
        case .string(let value)?: conditions.append("\(key)=\(value)")
        case .number(let value)? where Int(exactly: value) != nil: conditions.append("\(key)=\(Int(exactly: value)!)")
        default: throw APIError.invalid(param, "'\(param).\(key)' must be a string or an integer")
        }
      }
    }
    let filter: MetadataFilter
    do { filter = try MetadataFilter.parse(conditions) } catch { throw APIError.invalid(param, "'\(param)': \(error)") }
    return RetrievalOptions(k: k, mode: mode, minScore: minScore, filter: filter)
  }

  /// The options of a chat request's `rag` field, or nil when it asks for no grounding.
  static func chat(_ fields: RequestFields) throws(APIError) -> RetrievalOptions? {
    guard fields.has("rag") else { return nil }
    if let flag = try? fields.bool("rag") {
      return flag ? try parse(RequestFields([:], prefix: "rag."), defaultK: 4, defaultMode: .exact) : nil
    }
    guard let object = try? fields.object("rag") else {
      throw APIError.invalid("rag", "'rag' must be a boolean or an object {k, mode, min_score, filter}")
    }
    return try parse(object, defaultK: 4, defaultMode: .exact)
  }
}

/// A chat request answered from the store: the question (the last user message), the sources
/// retrieved for it, and whether the server declines because the best source scores below the
/// request's `min_score`. The conversation the model sees is RadRetrieval's grounded prompt: its
/// system instruction (before the client's own) and the question with the numbered sources.
struct Grounding: Sendable {
  let question: String
  let sources: [SearchResult]
  let refused: Bool

  /// The last user message's text, the question retrieval runs on.
  static func question(_ fields: RequestFields) throws(APIError) -> String {
    guard let list = try fields.array("messages") else { throw APIError.missing("messages") }
    for (i, item) in list.enumerated().reversed() {
      guard case .object(let object) = item, case .string("user") = object["role"] else { continue }
      let text = try GenerationRequest.content(of: RequestFields(object, prefix: "messages[\(i)]."))
      guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
        throw APIError.invalid("messages[\(i)].content", "the question (the last user message) is empty")
      }
      return text
    }
    throw APIError.invalid("messages", "a grounded chat ('rag') needs a user message to search for")
  }

  /// The conversation with the grounding instruction first and the last user message replaced
  /// by the question with its numbered sources.
  func messages(replacing messages: [ChatMessage]) -> [ChatMessage] {
    var out = [ChatMessage(role: "system", content: GroundedAnswerer.systemPrompt)]
    let last = messages.lastIndex { $0.role == "user" }
    for (i, message) in messages.enumerated() {
      if i == last {
        out.append(
          ChatMessage(role: "user", content: GroundedAnswerer.userPrompt(question: question, sources: sources)))
      } else {
        out.append(message)
      }
    }
    return out
  }

  /// `sources`: every source given to the model, numbered as in the prompt.
  var sourcesJSON: JSONText {
    .array(
      sources.enumerated().map { i, source in
        .object([
          ("n", .int(i + 1)), ("doc_id", .string(source.docId)), ("chunk_id", .string(source.chunkId)),
          ("score", .double(source.score)), ("text", .string(source.text)),
        ])
      })
  }

  /// `citations`: the given sources the answer cites as [n], in order of first citation.
  func citationsJSON(_ answer: String) -> JSONText {
    .array(
      GroundedAnswerer.citations(in: answer, sources: sources).map {
        .object([("n", .int($0.n)), ("doc_id", .string($0.docId)), ("chunk_id", .string($0.chunkId))])
      })
  }
}

extension SearchResult {
  /// `{"doc_id","chunk_id","score","text"}`, as `radlm rag search --json` prints it.
  var json: JSONText {
    .object([
      ("doc_id", .string(docId)), ("chunk_id", .string(chunkId)), ("score", .double(score)), ("text", .string(text)),
    ])
  }
}
