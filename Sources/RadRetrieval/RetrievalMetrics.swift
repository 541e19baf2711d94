import Foundation

/// Relevance judgements: for each query id, the judged document ids and their relevance grade
/// (0 = judged not relevant). Read from TREC qrels (`qid 0 docid rel` per line).
public struct Qrels: Sendable, Equatable {
  public var judgements: [String: [String: Int]]
  public init(judgements: [String: [String: Int]]) { self.judgements = judgements }

  public static func read(path: String) throws -> Qrels {
    var judgements: [String: [String: Int]] = [:]
    try TRECFile.lines(path) { number, fields in
      guard fields.count == 4, let rel = Int(fields[3]) else {
        throw RetrievalError.badInput(file: path, line: number, reason: "expected \"query_id iteration doc_id relevance\"")
      }
      judgements[fields[0], default: [:]][fields[2]] = rel
    }
    return Qrels(judgements: judgements)
  }
}

/// A ranked run: for each query id, retrieved document ids with scores. Read from a TREC run
/// (`qid Q0 docid rank score tag`) or from `radlm rag search --queries` output (JSON Lines
/// `{"id","results":[{"doc_id","score"},…]}`).
public struct RetrievalRun: Sendable, Equatable {
  public var results: [String: [(docId: String, score: Double)]]
  public init(results: [String: [(docId: String, score: Double)]]) { self.results = results }
  public static func == (a: RetrievalRun, b: RetrievalRun) -> Bool {
    a.results.keys.sorted() == b.results.keys.sorted()
      && a.results.allSatisfy { key, list in
        let other = b.results[key]!
        return list.count == other.count && zip(list, other).allSatisfy { $0.docId == $1.docId && $0.score == $1.score }
      }
  }

  public static func read(path: String) throws -> RetrievalRun {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw RetrievalError.badInput(file: path, line: nil, reason: "cannot be read")
    }
    let firstByte = data.first(where: { $0 != 0x20 && $0 != 0x0a && $0 != 0x0d && $0 != 0x09 })
    var results: [String: [(docId: String, score: Double)]] = [:]
    if firstByte == UInt8(ascii: "{") {
      try TRECFile.rawLines(path) { number, line in
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
          let id = (object["id"] as? String) ?? (object["id"] as? NSNumber)?.stringValue,
          let list = object["results"] as? [[String: Any]]
        else {
          throw RetrievalError.badInput(file: path, line: number, reason: "expected {\"id\",\"results\":[…]}")
        }
        for (rank, item) in list.enumerated() {
          guard let doc = item["doc_id"] as? String else {
            throw RetrievalError.badInput(file: path, line: number, reason: "result \(rank + 1) has no \"doc_id\"")
          }
          let score = (item["score"] as? NSNumber)?.doubleValue ?? -Double(rank)
          // A document retrieved through several chunks counts once, at its best chunk.
          if results[id]?.contains(where: { $0.docId == doc }) == true { continue }
          results[id, default: []].append((doc, score))
        }
        if results[id] == nil { results[id] = [] }
      }
    } else {
      try TRECFile.lines(path) { number, fields in
        guard fields.count == 6, let score = Double(fields[4]) else {
          throw RetrievalError.badInput(file: path, line: number, reason: "expected \"query_id Q0 doc_id rank score tag\"")
        }
        results[fields[0], default: []].append((fields[2], score))
      }
    }
    return RetrievalRun(results: results)
  }
}

/// Reads whitespace-separated lines, skipping blank ones, with 1-based line numbers.
enum TRECFile {
  static func rawLines(_ path: String, _ body: (Int, String) throws -> Void) throws {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw RetrievalError.badInput(file: path, line: nil, reason: "cannot be read")
    }
    guard let text = String(validating: data, as: UTF8.self) else {
      throw RetrievalError.badInput(file: path, line: nil, reason: "is not valid UTF-8")
    }
    for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
      if !trimmed.isEmpty { try body(i + 1, trimmed) }
    }
  }

  static func lines(_ path: String, _ body: (Int, [String]) throws -> Void) throws {
    try rawLines(path) { number, line in try body(number, line.split(whereSeparator: \.isWhitespace).map(String.init)) }
  }
}

/// Mean retrieval measures computed as trec_eval (and so pytrec_eval and ir-measures) does: the
/// run is ordered by score, ties by document id descending; a document is relevant at grade ≥ 1;
/// nDCG uses the grade as gain with a log2(rank + 1) discount, and MRR is the reciprocal rank of
/// the first relevant document. A judged query the run lacks counts as 0, as in ir-measures (and
/// trec_eval -c); `countMissingQueries: false` averages over the run's judged queries only, as
/// pytrec_eval and plain trec_eval do.
public struct RetrievalMetrics: Sendable, Equatable {
  public var k: Int
  public var queries: Int
  public var recall: Double
  public var precision: Double
  public var mrr: Double
  public var ndcg: Double
  /// Per query: recall, precision, reciprocal rank, nDCG.
  public var perQuery: [String: [Double]]

  public static func evaluate(qrels: Qrels, run: RetrievalRun, k: Int, countMissingQueries: Bool = true)
    -> RetrievalMetrics
  {
    var sums = [Double](repeating: 0, count: 4)
    var perQuery: [String: [Double]] = [:]
    for (query, retrievedRaw) in run.results {
      guard let judged = qrels.judgements[query] else { continue }
      let retrieved = retrievedRaw.sorted { $0.score > $1.score || ($0.score == $1.score && $0.docId > $1.docId) }
      let relevantCount = judged.values.filter { $0 >= 1 }.count
      var hits = 0
      var firstRank = 0
      var dcg = 0.0
      for (i, item) in retrieved.enumerated() {
        let grade = judged[item.docId] ?? 0
        if grade >= 1 && firstRank == 0 { firstRank = i + 1 }
        if i < k {
          if grade >= 1 { hits += 1 }
          if grade > 0 { dcg += Double(grade) / log2(Double(i + 2)) }
        }
      }
      let ideal = judged.values.filter { $0 > 0 }.sorted(by: >).prefix(k).enumerated().reduce(0.0) {
        $0 + Double($1.element) / log2(Double($1.offset + 2))
      }
      let values = [
        relevantCount == 0 ? 0 : Double(hits) / Double(relevantCount),
        Double(hits) / Double(k),
        firstRank == 0 ? 0 : 1 / Double(firstRank),
        ideal == 0 ? 0 : dcg / ideal,
      ]
      perQuery[query] = values
      for i in 0..<4 { sums[i] += values[i] }
    }
    if countMissingQueries {
      for query in qrels.judgements.keys where perQuery[query] == nil { perQuery[query] = [0, 0, 0, 0] }
    }
    let n = Double(Swift.max(perQuery.count, 1))
    return RetrievalMetrics(
      k: k, queries: perQuery.count, recall: sums[0] / n, precision: sums[1] / n, mrr: sums[2] / n, ndcg: sums[3] / n,
      perQuery: perQuery)
  }
}
