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

  /// The configuration from `--config` with command-line overrides.
  func configuration(defaultLearningRate: Float) throws -> TrainingConfiguration {
    var configuration = TrainingConfiguration()
    configuration.learningRate = defaultLearningRate
    if let config {
      do {
        configuration = try JSONDecoder().decode(TrainingConfiguration.self, from: Data(contentsOf: URL(fileURLWithPath: config)))
      } catch {
        throw ValidationError("\(config): not a valid training configuration (\(error))")
      }
    }
    if let steps { configuration.steps = steps }
    if let learningRate { configuration.learningRate = learningRate }
    if let warmup { configuration.warmupSteps = warmup }
    if let schedule {
      guard ["constant", "linear", "cosine"].contains(schedule) else { throw ValidationError("unknown schedule \(schedule)") }
      configuration.schedule = schedule
    }
    if let weightDecay { configuration.weightDecay = weightDecay }
    if let gradientAccumulation { configuration.gradientAccumulation = gradientAccumulation }
    if let maxGradNorm { configuration.maxGradientNorm = maxGradNorm }
    if let evaluateEvery { configuration.evaluateEvery = evaluateEvery }
    if let checkpointEvery { configuration.checkpointEvery = checkpointEvery }
    configuration.seed = seed
    return configuration
  }

  var outputURL: URL { URL(fileURLWithPath: resume ?? out) }
}
