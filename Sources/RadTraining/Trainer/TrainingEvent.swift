import Foundation

/// What a trainer reports as it runs (mlx-swift-lm's typed progress): the CLI renders these as a
/// progress bar or JSON lines, the metrics log records them, and tests observe them.
public enum TrainingEvent: Sendable {
  case started(totalSteps: Int, resumedFromStep: Int?, trainableParameters: Int)
  case step(StepReport)
  case evaluation(step: Int, loss: Float, perplexity: Float)
  case checkpoint(step: Int, directory: URL)
  case stopped(step: Int, reason: String)
  case finished(step: Int)
}

/// One optimiser step's figures.
public struct StepReport: Codable, Sendable, Equatable {
  /// 1-based optimiser step.
  public var step: Int
  public var totalSteps: Int
  public var loss: Float
  public var learningRate: Float
  public var gradientNorm: Float
  public var tokens: Int
  public var tokensPerSecond: Double
  public var elapsedSeconds: Double
  public var etaSeconds: Double

  enum CodingKeys: String, CodingKey {
    case step, loss, tokens, totalSteps = "total_steps", learningRate = "learning_rate"
    case gradientNorm = "grad_norm", tokensPerSecond = "tokens_per_second"
    case elapsedSeconds = "elapsed_seconds", etaSeconds = "eta_seconds"
  }
}
