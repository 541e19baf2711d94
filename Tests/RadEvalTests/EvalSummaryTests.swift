import Foundation
import RadEval
import Testing

@Suite("Evaluation report")
struct EvalSummaryTests {
  @Test("Report rows equal the individual metrics; Markdown escapes pipes; files written atomically")
  func summary() throws {
    let pairs = Fixture.pairs(try Fixture.parity())
    let s = try EvalSummary(pairs: pairs)
    let bleu = try #require(s.rows.first { $0.metric.hasPrefix("BLEU (sacrebleu)") })
    #expect(bleu.score == SacreBLEU().corpusScore(pairs).score)
    let rougeL = try #require(s.rows.first { $0.metric.hasPrefix("rougeL F") })
    #expect(rougeL.score == RougeScorer.mean(RougeScorer().scoreAll(pairs), count: 4)[2].fmeasure)
    #expect(s.markdown.contains("nrefs:1\\|case:mixed"))
    #expect(s.html.contains("<table>") && !s.html.contains("<skipped>"))
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "radeval-report-\(ProcessInfo.processInfo.processIdentifier)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent("eval-report.md")
    try EvalSummary.writeAtomically("one", to: url)
    try EvalSummary.writeAtomically(s.markdown, to: url)
    #expect(try String(contentsOf: url, encoding: .utf8) == s.markdown)
  }
}
