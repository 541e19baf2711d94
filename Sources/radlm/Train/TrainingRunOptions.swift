import ArgumentParser
import Foundation
import RadTraining

/// Options every `radlm train` objective shares.
struct TrainingRunOptions: ParsableArguments {
  @Option(help: "Training data: JSONL (or plain text for pretrain). Repeat for several files.")
  var data: [String] = []

  @Option(help: "Output folder: checkpoints, metrics.jsonl, loss_curve.svg and the final model or adapter.")
  var out: String

  @Option(help: "Total optimiser steps (with --resume, the run continues up to this step).") var steps: Int?
  @Option(help: "Sequences per micro-batch.") var batchSize: Int = 8
  @Option(help: "Block length for pretraining; maximum sequence length otherwise.") var blockSize: Int = 128
  @Option(name: .customLong("lr"), help: "Peak learning rate.") var learningRate: Float?
  @Option(help: "Warm-up steps.") var warmup: Int?
  @Option(help: "Schedule: constant, linear or cosine.") var schedule: String?
  @Option(help: "AdamW weight decay.") var weightDecay: Float?
  @Option(help: "Micro-batches per optimiser step.") var gradientAccumulation: Int?
  @Option(help: "Global gradient-norm clip (0 = off).") var maxGradNorm: Float?
  @Option(help: "Random seed for initialisation, data order, masking and dropout.") var seed: UInt64 = 0
  @Option(help: "Fraction of examples held out for validation.") var validationFraction: Double = 0.05
  @Option(help: "Evaluate every N steps.") var evaluateEvery: Int?
  @Option(help: "Checkpoint every N steps.") var checkpointEvery: Int?
  @Option(help: "Continue from the newest checkpoint in this output folder.") var resume: String?
  @Option(help: "A JSON file of training settings (TrainingConfiguration keys); flags override it.") var config: String?
  @Flag(help: "Skip malformed data lines (reported on stderr) instead of stopping.") var skipBadLines = false
  @Flag(help: "One JSON object per optimiser step on stdout.") var json = false
  @Flag(help: "No progress bar.") var quiet = false

  func validate() throws {
    try OptionCheck.exist(data, "--data")
    // 0 steps saves (and with --predict, labels with) the model as loaded.
    try OptionCheck.count(steps, "--steps", minimum: 0)
    try OptionCheck.count(batchSize, "--batch-size")
    // A block predicts each token from the ones before it, so it needs two.
    try OptionCheck.count(blockSize, "--block-size", minimum: 2)
    try OptionCheck.number(learningRate, "--lr", above: 0, atMost: 10)
    try OptionCheck.count(warmup, "--warmup", minimum: 0)
    try OptionCheck.oneOf(schedule, ["constant", "linear", "cosine"], "--schedule")
    try OptionCheck.number(weightDecay, "--weight-decay", atLeast: 0, atMost: 10)
    try OptionCheck.count(gradientAccumulation, "--gradient-accumulation")
    try OptionCheck.number(maxGradNorm, "--max-grad-norm", atLeast: 0, atMost: 1e6)
    try OptionCheck.number(validationFraction, "--validation-fraction", atLeast: 0, below: 1)
    try OptionCheck.count(evaluateEvery, "--evaluate-every", minimum: 0)
    try OptionCheck.count(checkpointEvery, "--checkpoint-every", minimum: 0)
    try OptionCheck.exists(resume, "--resume")
    try OptionCheck.exists(config, "--config")
    _ = try configuration(defaultLearningRate: 3e-4)
  }

  /// The configuration from `--config` (missing keys keep their defaults) with command-line
  /// overrides.
  func configuration(defaultLearningRate: Float) throws -> TrainingConfiguration {
    var configuration = TrainingConfiguration()
    configuration.learningRate = defaultLearningRate
    if let config {
      do {
        configuration = try JSONDecoder().decode(
          TrainingConfiguration.self, from: Data(contentsOf: URL(fileURLWithPath: config)))
      } catch let error as DecodingError {
        throw ValidationError("--config \(config): not a valid training configuration (\(Self.describe(error)))")
      } catch {
        throw ValidationError("--config \(config): cannot be read (\(error.localizedDescription))")
      }
      if let problem = configuration.problem() { throw ValidationError("--config \(config): \(problem)") }
    }
    if let steps { configuration.steps = steps }
    if let learningRate { configuration.learningRate = learningRate }
    if let warmup { configuration.warmupSteps = warmup }
    if let schedule { configuration.schedule = schedule }
    if let weightDecay { configuration.weightDecay = weightDecay }
    if let gradientAccumulation { configuration.gradientAccumulation = gradientAccumulation }
    if let maxGradNorm { configuration.maxGradientNorm = maxGradNorm }
    if let evaluateEvery { configuration.evaluateEvery = evaluateEvery }
    if let checkpointEvery { configuration.checkpointEvery = checkpointEvery }
    configuration.seed = seed
    return configuration
  }

  /// A decoding error in one line: the key path and what is wrong.
  static func describe(_ error: DecodingError) -> String {
    func path(_ context: DecodingError.Context) -> String {
      context.codingPath.isEmpty ? "" : context.codingPath.map(\.stringValue).joined(separator: ".") + ": "
    }
    switch error {
    case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
      return path(context) + context.debugDescription
    case .keyNotFound(let key, let context): return path(context) + "missing \(key.stringValue)"
    @unknown default: return "\(error)"
    }
  }

  var outputURL: URL { URL(fileURLWithPath: resume ?? out) }
}
