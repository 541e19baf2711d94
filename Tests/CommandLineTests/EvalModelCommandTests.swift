import Foundation
import Testing

/// `radlm eval bertscore` and `radlm eval perplexity` through the real executable, checked
/// against the RadEval fixtures written by bert-score and transformers.
@Suite("radlm eval bertscore/perplexity", .serialized)
struct EvalModelCommandTests {
  static let fixtures = CommandRunner.repositoryRoot.appendingPathComponent("Tests/RadEvalTests/Fixtures")

  static func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  @Test func bertscoreJSONMatchesBertScore() throws {
    let out = try CommandRunner.run([
      "eval", "bertscore", "--pairs", Self.fixtures.appendingPathComponent("bertscore/pairs.jsonl").path, "--idf",
      "--baseline", Self.fixtures.appendingPathComponent("bertscore/baseline_minilm.csv").path, "--per-pair", "--json",
    ])
    #expect(out.status == 0, "\(out.stderr)")
    let report = try Self.json(out.stdout)
    let expected = try Self.json(
      String(contentsOf: Self.fixtures.appendingPathComponent("bertscore/expected.json"), encoding: .utf8))
    let want = try #require(expected["idf_rescaled"] as? [String: Any])
    let wantF = try #require(want["f"] as? [Double])
    let per = try #require(report["per_pair"] as? [[String: Any]])
    #expect(per.count == wantF.count)
    for (i, item) in per.enumerated() {
      #expect(abs((item["f"] as? Double ?? .nan) - wantF[i]) <= 1e-5)
    }
    let score = try #require(report["score"] as? [String: Any])
    #expect(abs((score["f"] as? Double ?? .nan) - wantF.reduce(0, +) / Double(wantF.count)) <= 1e-5)
    #expect((report["signature"] as? String)?.hasSuffix("_L6_idf_version=0.3.13(radlm)-custom-rescaled") == true)
  }

  @Test func bertscoreRejectsALayerTheEncoderLacks() throws {
    let out = try CommandRunner.run([
      "eval", "bertscore", "--pairs", Self.fixtures.appendingPathComponent("bertscore/pairs.jsonl").path, "--layer",
      "9",
    ])
    #expect(out.status != 0)
    #expect(out.stderr.contains("layer 9 is outside 1...6"))
  }

  @Test func perplexityJSONMatchesTransformers() throws {
    let out = try CommandRunner.run([
      "eval", "perplexity", "--model", Self.fixtures.appendingPathComponent("perplexity/model").path, "--text",
      Self.fixtures.appendingPathComponent("perplexity/text.txt").path, "--max-length", "32", "--stride", "16",
      "--json",
    ])
    #expect(out.status == 0, "\(out.stderr)")
    let score = try #require(try Self.json(out.stdout)["score"] as? [String: Any])
    let expected = try Self.json(
      String(contentsOf: Self.fixtures.appendingPathComponent("perplexity/expected.json"), encoding: .utf8))
    let cases = try #require(expected["cases"] as? [[String: Any]])
    let want = try #require(cases.first { ($0["stride"] as? Int) == 16 }?["perplexity"] as? Double)
    let got = try #require(score["perplexity"] as? Double)
    #expect(abs(got - want) / want <= 1e-4)
  }

  @Test func perplexityNamesAMissingTextFile() throws {
    let out = try CommandRunner.run([
      "eval", "perplexity", "--model", Self.fixtures.appendingPathComponent("perplexity/model").path, "--text",
      "/nonexistent/text.txt",
    ])
    #expect(out.status != 0)
    #expect(out.stderr.contains("/nonexistent/text.txt"))
  }
}
