import Foundation
import RadTraining

/// Renders trainer events: a one-line progress bar on stderr, or JSON lines on stdout, plus the
/// metrics log file.
final class TrainingProgress {
  let json: Bool
  let quiet: Bool
  let log: MetricsLog?
  private var lastDraw = Date.distantPast

  init(json: Bool, quiet: Bool, log: MetricsLog?) {
    self.json = json
    self.quiet = quiet
    self.log = log
  }

  func handle(_ event: TrainingEvent) {
    try? log?.record(event)
    switch event {
    case .started(let total, let resumed, let trainable):
      note("training \(trainable) parameters for \(total) steps" + (resumed.map { ", resuming at step \($0)" } ?? ""))
    case .step(let report):
      if json {
        let object: [String: Any] = [
          "step": report.step, "loss": Double(report.loss), "learning_rate": Double(report.learningRate),
          "grad_norm": Double(report.gradientNorm), "tokens": report.tokens,
          "tokens_per_second": report.tokensPerSecond,
        ]
        if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
          FileHandle.standardOutput.write(data + Data([0x0A]))
        }
      }
      if !quiet && (Date().timeIntervalSince(lastDraw) > 0.25 || report.step == report.totalSteps) {
        lastDraw = Date()
        let width = 24
        let filled = width * report.step / Swift.max(report.totalSteps, 1)
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let line = String(
          format: "\r%@ step %d/%d  loss %.4f  lr %.2e  %.0f tok/s  ETA %@", bar, report.step, report.totalSteps,
          report.loss, report.learningRate, report.tokensPerSecond, Self.duration(report.etaSeconds))
        FileHandle.standardError.write(Data(line.utf8))
      }
    case .evaluation(let step, let loss, let perplexity):
      note(String(format: "step %d: validation loss %.4f, perplexity %.2f", step, loss, perplexity))
    case .checkpoint(let step, let directory):
      if !quiet { note("checkpoint at step \(step): \(directory.path)") }
    case .stopped(let step, let reason):
      note("stopped at step \(step): \(reason)")
    case .finished(let step):
      if !quiet { note("finished at step \(step)") }
    }
  }

  func note(_ message: String) {
    FileHandle.standardError.write(Data(((quiet ? "" : "\r\u{1B}[K") + message + "\n").utf8))
  }

  static func duration(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "?" }
    let s = Int(seconds.rounded())
    return s >= 3600 ? "\(s / 3600)h\(s % 3600 / 60)m" : s >= 60 ? "\(s / 60)m\(s % 60)s" : "\(s)s"
  }
}
