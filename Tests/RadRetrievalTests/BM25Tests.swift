import Foundation
import Testing

import RadRetrieval

/// BM25 scores equal rank_bm25's BM25Okapi on CC BY ROCO captions (fixture from
/// tools/reference/retrieval_fixtures.py).
@Suite struct BM25Tests {
  @Test func tokenizerMatchesPythonWordRegex() throws {
    let fixture = try Fixtures.json("bm25_okapi.json")
    let documents = try #require(fixture["documents"] as? [[String: Any]])
    for document in documents {
      #expect(BM25Index.tokenize(try #require(document["text"] as? String)) == document["tokens"] as? [String])
    }
  }

  @Test func scoresEqualRankBM25() throws {
    let fixture = try Fixtures.json("bm25_okapi.json")
    let documents = try #require(fixture["documents"] as? [[String: Any]])
    let index = BM25Index(documents: documents.map { $0["tokens"] as? [String] ?? [] })
    let queries = try #require(fixture["queries"] as? [[String: Any]])
    #expect(queries.count >= 5)
    for query in queries {
      let tokens = try #require(query["tokens"] as? [String])
      let expected = try #require(query["scores"] as? [Double])
      let scores = index.scores(tokens)
      #expect(scores.count == expected.count)
      for (got, want) in zip(scores, expected) { #expect(abs(got - want) <= 1e-9 * max(1, abs(want))) }
      let top = index.search(tokens, k: 5)
      let order = expected.indices.filter { expected[$0] != 0 }.sorted { expected[$0] > expected[$1] || (expected[$0] == expected[$1] && $0 < $1) }
      #expect(top.map(\.document) == Array(order.prefix(5)))
    }
  }
}
