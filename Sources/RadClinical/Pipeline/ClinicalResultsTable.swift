import Foundation

/// The main job's results as the one Markdown table it prints: a row per variant (baselines
/// first), overall figures and ROUGE-L / label F1 on the abnormal studies.
public enum ClinicalResultsTable {
  public static func markdown(_ scores: [ImpressionScores]) -> String {
    func cell(_ value: Double?, _ format: String) -> String {
      value.flatMap { $0.isFinite ? String(format: format, $0) : nil } ?? "–"
    }
    var lines = [
      "| variant | n | ROUGE-L | BLEU | BERTScore F1 | label F1 | flag rate | tokens/s | ROUGE-L abnormal | label F1 abnormal |",
      "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for score in scores {
      let cells = [
        score.name, "\(score.n)", cell(score.rougeL, "%.3f"), cell(score.bleu, "%.1f"), cell(score.bertscoreF1, "%.3f"),
        cell(score.labelF1, "%.3f"), cell(score.flagRate, "%.3f"), cell(score.tokensPerSecond, "%.1f"),
        cell(score.abnormal?.rougeL, "%.3f"), cell(score.abnormal?.labelF1, "%.3f"),
      ]
      lines.append("| " + cells.joined(separator: " | ") + " |")
    }
    return lines.joined(separator: "\n")
  }
}
