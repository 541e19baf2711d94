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

  /// Reads a configuration in which every key is optional: a missing key keeps its default, so a
  /// `--config` file may hold only the settings it changes. An unknown key is an error (a
  /// misspelt setting would otherwise be ignored silently).
  public init(from decoder: Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let known = Set(CodingKeys.allCases.map(\.stringValue))
    let given = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
    if let unknown = given.first(where: { !known.contains($0) }) {
      throw DecodingError.dataCorrupted(
        .init(
          codingPath: [AnyKey(stringValue: unknown)],
          debugDescription: "unknown setting \"\(unknown)\" (known: \(known.sorted().joined(separator: ", ")))"))
    }
    steps = try container.decodeIfPresent(Int.self, forKey: .steps) ?? steps
    learningRate = try container.decodeIfPresent(Float.self, forKey: .learningRate) ?? learningRate
    weightDecay = try container.decodeIfPresent(Float.self, forKey: .weightDecay) ?? weightDecay
    beta1 = try container.decodeIfPresent(Float.self, forKey: .beta1) ?? beta1
    beta2 = try container.decodeIfPresent(Float.self, forKey: .beta2) ?? beta2
    eps = try container.decodeIfPresent(Float.self, forKey: .eps) ?? eps
    warmupSteps = try container.decodeIfPresent(Int.self, forKey: .warmupSteps) ?? warmupSteps
    schedule = try container.decodeIfPresent(String.self, forKey: .schedule) ?? schedule
    maxGradientNorm = try container.decodeIfPresent(Float.self, forKey: .maxGradientNorm) ?? maxGradientNorm
    gradientAccumulation =
      try container.decodeIfPresent(Int.self, forKey: .gradientAccumulation) ?? gradientAccumulation
    seed = try container.decodeIfPresent(UInt64.self, forKey: .seed) ?? seed
    evaluateEvery = try container.decodeIfPresent(Int.self, forKey: .evaluateEvery) ?? evaluateEvery
    checkpointEvery = try container.decodeIfPresent(Int.self, forKey: .checkpointEvery) ?? checkpointEvery
  }

  enum CodingKeys: String, CodingKey, CaseIterable {
    case steps, learningRate, weightDecay, beta1, beta2, eps, warmupSteps, schedule, maxGradientNorm
    case gradientAccumulation, seed, evaluateEvery, checkpointEvery
  }

  /// Any key of a JSON object, to find the ones `CodingKeys` does not know.
  struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }

  /// The first setting outside its range, as an error naming it; nil when the run can start.
  public func problem() -> TrainingConfigurationError? {
    func check(_ ok: Bool, _ field: String, _ rule: String, _ value: String) -> TrainingConfigurationError? {
      ok ? nil : TrainingConfigurationError(field: field, rule: rule, value: value)
    }
    let checks: [TrainingConfigurationError?] = [
      check(steps >= 0, "steps", "at least 0", "\(steps)"),
      check(learningRate.isFinite && learningRate > 0, "learningRate", "a finite number > 0", "\(learningRate)"),
      check(weightDecay.isFinite && weightDecay >= 0, "weightDecay", "a finite number >= 0", "\(weightDecay)"),
      check(beta1 >= 0 && beta1 < 1, "beta1", "in [0, 1)", "\(beta1)"),
      check(beta2 >= 0 && beta2 < 1, "beta2", "in [0, 1)", "\(beta2)"),
      check(eps.isFinite && eps > 0, "eps", "a finite number > 0", "\(eps)"),
      check(warmupSteps >= 0, "warmupSteps", "at least 0", "\(warmupSteps)"),
      check(["constant", "linear", "cosine"].contains(schedule), "schedule", "constant, linear or cosine", schedule),
      check(
        maxGradientNorm.isFinite && maxGradientNorm >= 0, "maxGradientNorm", "a finite number >= 0",
        "\(maxGradientNorm)"),
      check(gradientAccumulation >= 1, "gradientAccumulation", "at least 1", "\(gradientAccumulation)"),
      check(evaluateEvery >= 0, "evaluateEvery", "at least 0", "\(evaluateEvery)"),
      check(checkpointEvery >= 0, "checkpointEvery", "at least 0", "\(checkpointEvery)"),
    ]
    return checks.compactMap { $0 }.first
  }

  public var learningRateSchedule: LearningRateSchedule {
    switch schedule {
    case "linear": return .linear(warmupSteps: warmupSteps, totalSteps: steps)
    case "constant": return .constant(warmupSteps: warmupSteps)
    default: return .cosine(warmupSteps: warmupSteps, totalSteps: steps)
    }
  }
}

/// A training setting outside the range a run can use (from a `--config` file or code).
public struct TrainingConfigurationError: Error, CustomStringConvertible, Equatable, Sendable {
  public let field: String
  public let rule: String
  public let value: String

  public var description: String { "training setting \(field) must be \(rule) (got \(value))" }
}
