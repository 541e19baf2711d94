import Foundation
import Testing

/// `radlm eval report` with BERTScore: the summary's BERTScore rows equal bert-score's fixture
/// values (tools/reference/bertscore_fixtures.py), `--no-bertscore` and a missing default model
/// leave BERTScore out with a note, an explicit missing `--model` is an error.
@Suite("radlm eval report", .serialized)
struct EvalReportCommandTests {
  static let bertscore = CommandRunner.repositoryRoot.appendingPathComponent("Tests/RadEvalTests/Fixtures/bertscore")

  static func rows(_ stdout: String) throws -> [String: Double] {
    let obj = try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any])
    return obj.compactMapValues { $0 as? Double }
  }

  /// Runs radlm with extra environment variables (the shared runner passes none).
  static func run(_ arguments: [String], environment: [String: String]) throws -> CommandRunner.Output {
    let process = Process()
    process.executableURL = try CommandRunner.executable
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandRunner.Output(
      status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
      stderr: String(decoding: stderr, as: UTF8.self))
  }

  @Test func reportIncludesBERTScoreEqualToBertScore() throws {
    let dir = CommandRunner.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = try CommandRunner.run([
      "eval", "report", "--pairs", Self.bertscore.appendingPathComponent("pairs.jsonl").path, "--out", dir.path,
      "--json",
    ])
    #expect(out.status == 0, "\(out.stderr)")
    let rows = try Self.rows(out.stdout)
    let expected = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: Self.bertscore.appendingPathComponent("expected.json")))
        as? [String: Any])
    let plain = try #require(expected["plain"] as? [String: Any])
    for (row, key) in [
      ("BERTScore P (bert-score)", "p"), ("BERTScore R (bert-score)", "r"), ("BERTScore F (bert-score)", "f"),
    ] {
      let want = try #require(plain[key] as? [Double])
      let got = try #require(rows[row], "no row \(row) in \(rows.keys.sorted())")
      #expect(abs(got - want.reduce(0, +) / Double(want.count)) <= 1e-5, "\(row)")
    }
    let markdown = try String(contentsOf: dir.appendingPathComponent("eval-report.md"), encoding: .utf8)
    let html = try String(contentsOf: dir.appendingPathComponent("eval-report.html"), encoding: .utf8)
    #expect(markdown.contains("| BERTScore F (bert-score) |") && markdown.contains("_L6_no-idf_version=0.3.13(radlm)"))
    #expect(html.contains("<td>BERTScore F (bert-score)</td>"))
  }

  @Test func layerOptionChangesTheEncoderLayer() throws {
    let dir = CommandRunner.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let pairs = Self.bertscore.appendingPathComponent("pairs.jsonl").path
    let six = try Self.rows(
      try CommandRunner.run(["eval", "report", "--pairs", pairs, "--out", dir.path, "--json"]).stdout)
    let out = try CommandRunner.run(["eval", "report", "--pairs", pairs, "--out", dir.path, "--json", "--layer", "3"])
    #expect(out.status == 0, "\(out.stderr)")
    let three = try Self.rows(out.stdout)
    #expect(
      three["BERTScore F (bert-score)"] != nil && three["BERTScore F (bert-score)"] != six["BERTScore F (bert-score)"])
    #expect(
      try String(contentsOf: dir.appendingPathComponent("eval-report.md"), encoding: .utf8).contains("_L3_no-idf"))
    let bad = try CommandRunner.run(["eval", "report", "--pairs", pairs, "--out", dir.path, "--layer", "9"])
    #expect(bad.status != 0 && bad.stderr.contains("layer 9 is outside 1...6"))
  }

  @Test func noBERTScoreLeavesItOutWithANote() throws {
    let dir = CommandRunner.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = try CommandRunner.run([
      "eval", "report", "--pairs", Self.bertscore.appendingPathComponent("pairs.jsonl").path, "--out", dir.path,
      "--json", "--no-bertscore",
    ])
    #expect(out.status == 0, "\(out.stderr)")
    let rows = try Self.rows(out.stdout)
    #expect(rows["BLEU (sacrebleu)"] != nil)
    #expect(!rows.keys.contains { $0.hasPrefix("BERTScore") })
    #expect(
      try String(contentsOf: dir.appendingPathComponent("eval-report.md"), encoding: .utf8)
        .contains("BERTScore left out (--no-bertscore)."))
  }

  @Test func missingDefaultModelIsANoteAndMissingExplicitModelAnError() throws {
    let dir = CommandRunner.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let pairs = Self.bertscore.appendingPathComponent("pairs.jsonl").path
    // An empty cache: the report is still written, and says how to get the model.
    let out = try Self.run(
      ["eval", "report", "--pairs", pairs, "--out", dir.path, "--json"],
      environment: ["RADLM_HOME": dir.appendingPathComponent("empty-cache").path])
    #expect(out.status == 0, "\(out.stderr)")
    #expect(out.stderr.contains("run `radlm fetch minilm` first"))
    #expect(!(try Self.rows(out.stdout)).keys.contains { $0.hasPrefix("BERTScore") })
    #expect(
      try String(contentsOf: dir.appendingPathComponent("eval-report.html"), encoding: .utf8)
        .contains("<li>BERTScore left out: model 'minilm' is not in the cache"))
    let missing = dir.appendingPathComponent("no-such-model").path
    let bad = try CommandRunner.run(["eval", "report", "--pairs", pairs, "--out", dir.path, "--model", missing])
    #expect(bad.status != 0)
    #expect(bad.stderr.contains(missing))
  }
}
