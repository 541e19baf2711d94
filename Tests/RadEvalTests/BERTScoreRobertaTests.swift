import Foundation
import RadEval
import Testing

/// BERTScore with a RoBERTa-style encoder: a seeded random 2-layer RobertaModel with a byte-level
/// BPE tokenizer trained on the pairs, scored by bert-score 0.3.13 on transformers 5.24
/// (tools/reference/bertscore_fixtures.py). RoBERTa numbers positions from padding_idx + 1 and
/// weighs <s>/</s> 0; the fixture also holds the token ids bert-score encoded each sentence to
/// (with these versions bert-score's add_prefix_space request has no effect: "The" stays "The").
@Suite struct BERTScoreRobertaTests {
  static let folder = Fixture.directory.appendingPathComponent("bertscore/tiny_roberta")

  static func expected() throws -> [String: Any] {
    let data = try Data(contentsOf: folder.appendingPathComponent("expected.json"))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  @Test func tokenIdsAreBertScores() throws {
    let scorer = try BERTScorer(directory: Self.folder, layer: 2)
    #expect(scorer.positionOffset == 2)
    let ids = try #require(try Self.expected()["ids"] as? [String: [Int]])
    #expect(ids.count > 40)
    for (sentence, want) in ids {
      let got = scorer.tokenizer.encode(
        sentence.trimmingCharacters(in: .whitespacesAndNewlines), addSpecialTokens: true
      ).ids
      #expect(got == want, "\(sentence)")
    }
  }

  @Test(arguments: [("plain", false), ("idf", true)])
  func scoresMatchBertScore(_ name: String, _ idf: Bool) throws {
    let pairs = try TextPairsReader.readJSONL(Self.folder.appendingPathComponent("pairs.jsonl").path)
    let values = try BERTScorer(directory: Self.folder, layer: 2, idf: idf).score(pairs)
    let e = try #require(try Self.expected()[name] as? [String: Any])
    let p = try #require(e["p"] as? [Double]), r = try #require(e["r"] as? [Double]),
      f = try #require(e["f"] as? [Double])
    #expect(values.count == p.count)
    for (i, v) in values.enumerated() where i < p.count {
      for (got, want) in [(v.precision, p[i]), (v.recall, r[i]), (v.f1, f[i])] {
        #expect(abs(got - want) <= 1e-5, "\(name) pair \(i + 1): \(got) vs bert-score \(want)")
      }
    }
  }
}
