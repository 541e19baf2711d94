import Foundation
import RadEval
import RadModelFiles
import RadTensor
import Testing

/// BERTScore against bert-score 0.3.13 with the real all-MiniLM-L6-v2 at layer 6
/// (tools/reference/bertscore_fixtures.py). Needs `radlm fetch minilm`; without it the test fails
/// with ModelCache's fetch hint.
@Suite(.serialized) struct BERTScoreParityTests {
  static let folder = Fixture.directory.appendingPathComponent("bertscore")

  static func expected() throws -> [String: Any] {
    let data = try Data(contentsOf: folder.appendingPathComponent("expected.json"))
    guard let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw FixtureError.malformed("bertscore/expected.json")
    }
    return obj
  }

  static func pairs(_ name: String) throws -> [TextPair] {
    try TextPairsReader.readJSONL(folder.appendingPathComponent(name).path)
  }

  static func check(_ values: [BERTScoreValue], _ expected: Any?) throws {
    let e = try #require(expected as? [String: Any])
    let p = try #require(e["p"] as? [Double]), r = try #require(e["r"] as? [Double]),
      f = try #require(e["f"] as? [Double])
    #expect(values.count == p.count)
    var worst = 0.0
    for (i, v) in values.enumerated() {
      for (got, want) in [(v.precision, p[i]), (v.recall, r[i]), (v.f1, f[i])] {
        worst = max(worst, abs(got - want))
        #expect(abs(got - want) <= 1e-5, "pair \(i + 1): \(got) vs bert-score \(want)")
      }
    }
    print("BERTScore max |Δ| vs bert-score: \(worst)")
  }

  @Test(arguments: [
    ("plain", false, false), ("idf", true, false), ("rescaled", false, true), ("idf_rescaled", true, true),
  ])
  func matchesBertScore(_ name: String, _ idf: Bool, _ rescale: Bool) throws {
    let model = try ModelCache().path(of: "minilm")
    let baseline =
      rescale
      ? try BERTScoreBaseline(contentsOf: Self.folder.appendingPathComponent("baseline_minilm.csv"), layer: 6) : nil
    let scorer = try BERTScorer(directory: model, layer: 6, idf: idf, baseline: baseline)
    let values = try scorer.score(try Self.pairs("pairs.jsonl"))
    try Self.check(values, try Self.expected()[name])
    // The empty hypothesis scores 0 before rescaling (bert-score's zero mask).
    if !rescale, let empty = try Self.pairs("pairs.jsonl").firstIndex(where: { $0.hypothesis.isEmpty }) {
      #expect(values[empty] == BERTScoreValue(precision: 0, recall: 0, f1: 0))
    }
  }

  @Test func multipleReferencesKeepTheBest() throws {
    let scorer = try BERTScorer(directory: try ModelCache().path(of: "minilm"), layer: 6)
    try Self.check(try scorer.score(try Self.pairs("multi_pairs.jsonl")), try Self.expected()["multi_reference"])
  }

  @Test func reportHasTheDocumentedShape() throws {
    let scorer = try BERTScorer(directory: try ModelCache().path(of: "minilm"), layer: 6, idf: true)
    let pairs = Array(try Self.pairs("pairs.jsonl").prefix(3))
    let report = try scorer.report(pairs, perPair: true)
    #expect(report.signature.hasSuffix("_L6_idf_version=0.3.13(radlm)"))
    guard case .object(let score) = report.score else { Issue.record("score is not an object"); return }
    #expect(score.map(\.0) == ["p", "r", "f"])
    #expect(report.perPair?.count == 3)
  }

  @Test func badLayerAndBaselineAreTypedErrors() throws {
    let model = try ModelCache().path(of: "minilm")
    #expect(throws: BERTScoreError.layerOutOfRange(layer: 7, layers: 6)) { try BERTScorer(directory: model, layer: 7) }
    let bad = FileManager.default.temporaryDirectory.appendingPathComponent("radlm-bad-baseline-\(UUID()).csv")
    try Data("LAYER,P,R,F\n0,0.1,0.2\n".utf8).write(to: bad)
    defer { try? FileManager.default.removeItem(at: bad) }
    #expect(throws: BERTScoreError.invalidBaseline(file: bad.path, line: 2, reason: "expected 4 numbers LAYER,P,R,F")) {
      try BERTScoreBaseline(contentsOf: bad, layer: 0)
    }
    #expect(throws: BERTScoreError.self) { try BERTScoreBaseline(contentsOf: bad, layer: 6) }
  }
}
