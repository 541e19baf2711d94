import Foundation
import RadEval
import Testing

/// bert-score's zero floor: it scores pairs in batches, padding every similarity matrix to the
/// batch's longest sentences and masking padded cells to 0, so a token whose best real match is
/// negative gets 0 when its partner sentence is shorter than the batch's longest. The fixture is
/// a seeded random 2-layer BERT (negative similarities are common) scored by bert-score 0.3.13
/// with batch_size 64 (floored) and 1 (no padding, no floor): tools/reference/bertscore_fixtures.py.
@Suite struct BERTScoreZeroFloorTests {
  static let folder = Fixture.directory.appendingPathComponent("bertscore/tiny_random")

  static func expected() throws -> [String: Any] {
    let data = try Data(contentsOf: folder.appendingPathComponent("expected.json"))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  static func check(_ values: [BERTScoreValue], _ expected: Any?, _ label: String) throws {
    let e = try #require(expected as? [String: Any])
    let p = try #require(e["p"] as? [Double]), r = try #require(e["r"] as? [Double]),
      f = try #require(e["f"] as? [Double])
    #expect(values.count == p.count)
    for (i, v) in values.enumerated() where i < p.count {
      for (got, want) in [(v.precision, p[i]), (v.recall, r[i]), (v.f1, f[i])] {
        #expect(abs(got - want) <= 1e-5, "\(label) pair \(i + 1): \(got) vs bert-score \(want)")
      }
    }
  }

  @Test func batchesFloorNegativeBestMatchesAtZeroAsBertScore() throws {
    let pairs = try TextPairsReader.readJSONL(Self.folder.appendingPathComponent("pairs.jsonl").path)
    let expected = try Self.expected()
    let batched = try BERTScorer(directory: Self.folder, layer: 2, batchSize: 64).score(pairs)
    let single = try BERTScorer(directory: Self.folder, layer: 2, batchSize: 1).score(pairs)
    try Self.check(batched, expected["batch64"], "batch 64")
    try Self.check(single, expected["batch1"], "batch 1")
    // The fixture really exercises the floor: these pairs differ between the two batchings.
    let floored = try #require(expected["floored_pairs"] as? [Int])
    #expect(!floored.isEmpty)
    for i in floored {
      #expect(batched[i].precision > single[i].precision || batched[i].recall > single[i].recall, "pair \(i + 1)")
    }
  }
}
