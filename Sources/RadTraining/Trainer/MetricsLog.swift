import Foundation
import RadViz

/// The metrics log is a JSON Lines file beside the checkpoints with one record per optimiser step
/// and per evaluation, appended as the run goes, so a crashed or resumed run keeps its history and
/// other tools can plot it.
public final class MetricsLog {
  public let url: URL
  private let handle: FileHandle

  public init(url: URL) throws {
    self.url = url
    if !FileManager.default.fileExists(atPath: url.path) {
      FileManager.default.createFile(atPath: url.path, contents: nil)
    }
    handle = try FileHandle(forWritingTo: url)
    try handle.seekToEnd()
  }

  deinit { try? handle.close() }

  /// Appends one event (steps and evaluations; other events are not metrics).
  public func record(_ event: TrainingEvent) throws {
    let object: [String: Any]
    switch event {
    case .step(let report):
      object = [
        "type": "step", "step": report.step, "loss": Double(report.loss), "learning_rate": Double(report.learningRate),
        "grad_norm": Double(report.gradientNorm), "tokens": report.tokens, "tokens_per_second": report.tokensPerSecond,
      ]
    case .evaluation(let step, let loss, let perplexity):
      object = ["type": "evaluation", "step": step, "loss": Double(loss), "perplexity": Double(perplexity)]
    default:
      return
    }
    var line = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    line.append(0x0A)
    try handle.write(contentsOf: line)
  }
}

extension TrainingState {
  /// The run's training and validation losses drawn as a self-contained SVG.
  public func lossCurveSVG(title: String) -> String {
    LossCurvePlot.svg(training: lossHistory, validation: validationHistory.map { ($0.step, $0.loss) }, title: title)
  }
}
