import Foundation
import RadViz

/// All text metrics for one set of pairs, rendered as Markdown and HTML for a report.
///
/// Each row names the metric, its reference implementation's signature and the score, so a
/// reader can tell rouge-score ROUGE-L from pycocoevalcap ROUGE-L and sacrebleu BLEU from COCO
/// BLEU-4. Scores are the same numbers the individual `radlm eval` commands print.
public struct EvalSummary: Sendable {
  public struct Row: Sendable, Equatable {
    public var metric: String
    public var score: Double
    public var signature: String
  }

  public var pairCount: Int
  public var rows: [Row]
  /// Lines printed under the table (e.g. why BERTScore is missing).
  public var notes: [String] = []

  /// Runs ROUGE (rouge-score, optionally stemmed), sacrebleu BLEU and chrF, pycocoevalcap
  /// BLEU-1..4 and ROUGE-L, CheXpert label F1 (first reference of each pair) and, given a
  /// scorer, BERTScore P/R/F (bert-score's multi-reference best).
  public init(pairs: [TextPair], stem: Bool = false, bertScorer: BERTScorer? = nil) throws {
    pairCount = pairs.count
    var rows: [Row] = []
    let rouge = RougeScorer(useStemmer: stem)
    let mean = RougeScorer.mean(rouge.scoreAll(pairs), count: rouge.types.count)
    for (t, v) in zip(rouge.types, mean) {
      rows.append(Row(metric: "\(t) F (rouge-score)", score: v.fmeasure, signature: rouge.signature))
    }
    let bleu = SacreBLEU()
    rows.append(
      Row(metric: "BLEU (sacrebleu)", score: bleu.corpusScore(pairs).score, signature: bleu.signature(for: pairs)))
    let chrf = SacreCHRF()
    rows.append(Row(metric: "chrF2 (sacrebleu)", score: chrf.corpusScore(pairs), signature: chrf.signature(for: pairs)))
    let coco = CocoBLEU().evaluate(pairs)
    for (k, v) in coco.corpus.enumerated() {
      rows.append(Row(metric: "BLEU-\(k + 1) (pycocoevalcap)", score: v, signature: CocoBLEU.signature))
    }
    rows.append(
      Row(
        metric: "ROUGE-L β=1.2 (pycocoevalcap)", score: CocoRougeL().evaluate(pairs).mean,
        signature: CocoRougeL.signature))
    let labels = try LabelAgreement(
      referenceReports: pairs.map { $0.references.first ?? "" }, generatedReports: pairs.map(\.hypothesis))
    let sig = "radlm CheXpert-style labeler (ConText scope), positive or uncertain = 1"
    rows.append(Row(metric: "CheXpert label F1, micro, 14 labels", score: labels.micro14.f1, signature: sig))
    rows.append(Row(metric: "CheXpert label F1, macro, 14 labels", score: labels.macro14.f1, signature: sig))
    rows.append(Row(metric: "CheXpert label F1, micro, 5 labels", score: labels.micro5.f1, signature: sig))
    rows.append(Row(metric: "CheXpert label F1, macro, 5 labels", score: labels.macro5.f1, signature: sig))
    if let bertScorer, !pairs.isEmpty {
      let mean = BERTScorer.mean(try bertScorer.score(pairs))
      for (name, value) in [("P", mean.precision), ("R", mean.recall), ("F", mean.f1)] {
        rows.append(Row(metric: "BERTScore \(name) (bert-score)", score: value, signature: bertScorer.signature))
      }
    }
    self.rows = rows
  }

  public var markdown: String {
    var s = "# RadLM evaluation report\n\n\(pairCount) pairs.\n\n| Metric | Score | Signature |\n|---|---:|---|\n"
    // GitHub tables split cells at "|" even inside code spans, so signature pipes are escaped.
    for r in rows {
      let sig = r.signature.replacingOccurrences(of: "|", with: "\\|")
      s += "| \(r.metric) | \(String(format: "%.4f", r.score)) | `\(sig)` |\n"
    }
    if !notes.isEmpty { s += "\n" + notes.map { "- \($0)\n" }.joined() }
    return s
  }

  public var html: String {
    func esc(_ t: String) -> String { Markup.escape(t) }
    var s = """
      <!DOCTYPE html>
      <html><head><meta charset="utf-8"><title>RadLM evaluation report</title>
      <style>body{font-family:sans-serif}td,th{padding:4px 10px;border-bottom:1px solid #ddd}td.n{text-align:right}</style>
      </head><body><h1>RadLM evaluation report</h1><p>\(pairCount) pairs.</p>
      <table><tr><th>Metric</th><th>Score</th><th>Signature</th></tr>

      """
    for r in rows {
      s +=
        "<tr><td>\(esc(r.metric))</td><td class=\"n\">\(String(format: "%.4f", r.score))</td><td><code>\(esc(r.signature))</code></td></tr>\n"
    }
    s += "</table>\n"
    if !notes.isEmpty { s += "<ul>" + notes.map { "<li>\(esc($0))</li>" }.joined() + "</ul>\n" }
    return s + "</body></html>\n"
  }

  /// Writes `text` to `url` atomically (temporary file, then rename).
  public static func writeAtomically(_ text: String, to url: URL) throws {
    let tmp = url.deletingLastPathComponent().appendingPathComponent(
      ".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
    try Data(text.utf8).write(to: tmp)
    // rename(2) replaces an existing file atomically.
    if rename(tmp.path, url.path) != 0 {
      let code = errno
      try? FileManager.default.removeItem(at: tmp)
      throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path, "errno": code])
    }
  }
}
