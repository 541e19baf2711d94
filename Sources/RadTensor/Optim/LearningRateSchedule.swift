import Foundation

/// A learning-rate schedule gives the multiplier of the base rate at each optimiser step. Warm-up
/// ramps it linearly from 0 so early noisy gradients do not wreck the weights; afterwards it stays
/// constant, falls linearly to 0, or follows a half cosine (Hugging Face's `get_*_schedule_with_warmup`).
public enum LearningRateSchedule: Sendable, Equatable, Codable {
  case constant(warmupSteps: Int)
  case linear(warmupSteps: Int, totalSteps: Int)
  case cosine(warmupSteps: Int, totalSteps: Int, cycles: Double = 0.5)

  /// Multiplier for the learning rate at scheduler step `step` (0-based, as PyTorch's LambdaLR).
  public func factor(at step: Int) -> Float {
    switch self {
    case .constant(let warmup):
      return step < warmup ? Float(step) / Float(Swift.max(1, warmup)) : 1
    case .linear(let warmup, let total):
      if step < warmup { return Float(step) / Float(Swift.max(1, warmup)) }
      return Swift.max(0, Float(total - step) / Float(Swift.max(1, total - warmup)))
    case .cosine(let warmup, let total, let cycles):
      if step < warmup { return Float(step) / Float(Swift.max(1, warmup)) }
      let progress = Double(step - warmup) / Double(Swift.max(1, total - warmup))
      return Float(Swift.max(0, 0.5 * (1 + Foundation.cos(Double.pi * cycles * 2 * progress))))
    }
  }

  /// The learning rate at `step` for a base rate.
  public func learningRate(base: Float, at step: Int) -> Float { base * factor(at: step) }
}
