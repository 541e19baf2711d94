import RadTensor

/// The knobs of a training run, stored in every checkpoint so a resumed run continues with the
/// same settings. Defaults follow common nanoGPT/Hugging Face practice.
public struct TrainingConfiguration: Codable, Equatable, Sendable {
  /// Total optimiser steps (a resumed run continues up to this number).
  public var steps: Int = 100
  public var learningRate: Float = 3e-4
  public var weightDecay: Float = 0.01
  public var beta1: Float = 0.9
  public var beta2: Float = 0.999
  public var eps: Float = 1e-8
  public var warmupSteps: Int = 0
  /// "constant", "linear" or "cosine".
  public var schedule: String = "cosine"
  /// Global gradient-norm limit (0 turns clipping off).
  public var maxGradientNorm: Float = 1.0
  /// Micro-batches per optimiser step.
  public var gradientAccumulation: Int = 1
  public var seed: UInt64 = 0
  /// Validation every N steps (0 = only at the end).
  public var evaluateEvery: Int = 0
  /// Checkpoint every N steps (0 = only at the end).
  public var checkpointEvery: Int = 0

  public init() {}

  public var learningRateSchedule: LearningRateSchedule {
    switch schedule {
    case "linear": return .linear(warmupSteps: warmupSteps, totalSteps: steps)
    case "constant": return .constant(warmupSteps: warmupSteps)
    default: return .cosine(warmupSteps: warmupSteps, totalSteps: steps)
    }
  }
}
