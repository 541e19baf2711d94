import Foundation
import RadViz

/// The main job's report.html: the results table (overall and abnormal studies), the LoRA loss
/// curve and a few studies with every variant's impression side by side, outputs the consistency
/// checker flagged shaded. Self-contained: inline CSS and SVG, no scripts, nothing fetched.
public enum ClinicalReportPage {
  public static func html(
    scores: [ImpressionScores], predictions: [String: [ImpressionResult]], test: [StudyReport], lossHistory: [Float],
    validationHistory: [(step: Int, loss: Float)], flags: [String: Set<String>] = [:], examples: Int = 6
  ) -> String {
    func cell(_ value: Double?, _ format: String) -> String {
      value.flatMap { $0.isFinite ? String(format: format, $0) : nil } ?? "–"
    }
    var out = """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8"><title>RadLM main job: impressions</title>
      <style>
      body{font-family:sans-serif;margin:1.5em;color:#222}
      table{border-collapse:collapse;font-size:14px;margin-bottom:1.5em}
      th,td{border:1px solid #bbb;padding:4px 6px;vertical-align:top;text-align:left}
      th{background:#eef} td.num{text-align:right} td.flagged{background:#fdd}
      </style></head><body>
      <h1>Findings → impression: \(test.count) test studies</h1>
      <table id="results"><thead><tr><th>variant</th><th>n</th><th>ROUGE-L</th><th>BLEU</th>
      <th>BERTScore F1</th><th>label F1</th><th>flag rate</th><th>tokens/s</th>
      <th>ROUGE-L abnormal</th><th>label F1 abnormal</th></tr></thead><tbody>

      """
    for score in scores {
      out += "<tr><td>\(Markup.escape(score.name))</td><td class=\"num\">\(score.n)</td>"
      out += "<td class=\"num\">\(cell(score.rougeL, "%.3f"))</td><td class=\"num\">\(cell(score.bleu, "%.1f"))</td>"
      out +=
        "<td class=\"num\">\(cell(score.bertscoreF1, "%.3f"))</td><td class=\"num\">\(cell(score.labelF1, "%.3f"))</td>"
      out += "<td class=\"num\">\(cell(score.flagRate, "%.3f"))</td>"
      out += "<td class=\"num\">\(cell(score.tokensPerSecond, "%.1f"))</td>"
      out += "<td class=\"num\">\(cell(score.abnormal?.rougeL, "%.3f"))</td>"
      out += "<td class=\"num\">\(cell(score.abnormal?.labelF1, "%.3f"))</td></tr>\n"
    }
    out += "</tbody></table>\n"
    if !lossHistory.isEmpty {
      out += "<h2>LoRA fine-tuning loss</h2>\n"
      out += LossCurvePlot.svg(training: lossHistory, validation: validationHistory, title: "LoRA: impression loss")
      out += "\n"
    }
    let names = scores.map(\.name)
    out += "<h2>Examples</h2>\n<table id=\"examples\"><thead><tr><th>id</th><th>findings</th><th>reference</th>"
    for name in names { out += "<th>\(Markup.escape(name))</th>" }
    out += "</tr></thead><tbody>\n"
    for (row, study) in test.prefix(examples).enumerated() {
      out += "<tr><td>\(Markup.escape(study.example.id))\(study.abnormal ? " (abnormal)" : "")</td>"
      out += "<td>\(Markup.escape(study.example.findings))</td><td>\(Markup.escape(study.example.impression))</td>"
      for name in names {
        let flagged = flags[name]?.contains(study.example.id) ?? false
        let text = predictions[name].flatMap { row < $0.count ? $0[row].impression : nil } ?? ""
        out += flagged ? "<td class=\"flagged\">" : "<td>"
        out += "\(Markup.escape(text))</td>"
      }
      out += "</tr>\n"
    }
    out += "</tbody></table>\n</body></html>\n"
    return out
  }
}
