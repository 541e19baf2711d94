import ArgumentParser
import Foundation
import RadModelFiles
import RadModels
import RadVision
import RadVisionTasks

/// `radlm vision medmnist`: a MedMNIST binary task on its official splits, test AUROC with a
/// bootstrap interval.
struct VisionMedMNISTCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "medmnist",
    abstract: "Train and test on a MedMNIST binary task (linear probe, fine-tuning or CLIP zero-shot).",
    discussion: """
      Reads the task's .npz (train_/val_/test_ images and labels, 28×28), trains on train, chooses \
      on val, scores test once and prints one JSON object with the test AUROC and its bootstrap \
      interval. Needs `radlm fetch efficientnet`; zero-shot also needs --clip (a folder written by \
      `radlm clip train`) and `radlm fetch openclip minilm`. Progress goes to stderr.
      """
  )

  @Option(help: "breastmnist or pneumoniamnist.")
  var task: String

  @Option(help: "The task's MedMNIST .npz file.")
  var data: String

  @Option(help: "probe (logistic regression on frozen features), finetune, or zero-shot.")
  var method = "probe"

  @Option(help: "Side the 28-pixel images are resized to for the encoder.")
  var size = 64

  @Option(help: "Use only the first N training images.")
  var trainLimit: Int?

  @Option(help: "Images per batch (feature extraction and fine-tuning).")
  var batchSize = 32

  @Option(help: "Fine-tuning optimiser steps.")
  var steps = 300

  @Option(help: "Fine-tuning peak learning rate (cosine schedule after warm-up).")
  var learningRate: Float = 1e-3

  @Option(help: "Fine-tuning AdamW weight decay.")
  var weightDecay: Float = 1e-4

  @Flag(help: "Fine-tuning: random horizontal flips (only where the anatomy allows).")
  var flip = false

  @Option(help: "Seed of the data order, augmentation and new weights.")
  var seed: UInt64 = 0

  @Option(help: "Bootstrap resamples of the test set.")
  var bootstrapSamples = 1000

  @Option(help: "Seed of the bootstrap resampling.")
  var bootstrapSeed: UInt32 = 0

  @Option(help: "CLIP model folder (zero-shot).")
  var clip: String?

  @Option(help: "Threads for BLAS and RadLM's kernels.")
  var threads = ProcessInfo.processInfo.activeProcessorCount

  func validate() throws {
    try OptionCheck.oneOf(task, MedMNISTTask.allCases.map(\.rawValue), "--task")
    try OptionCheck.exists(data, "--data")
    try OptionCheck.oneOf(method, ImageTaskMethod.allCases.map(\.rawValue), "--method")
    try OptionCheck.integer(size, "--size", in: 28...512)
    try OptionCheck.count(trainLimit, "--train-limit", minimum: 2)
    try OptionCheck.integer(batchSize, "--batch-size", in: 2...1024)
    try OptionCheck.count(steps, "--steps")
    try OptionCheck.number(learningRate, "--learning-rate", above: 0, atMost: 1)
    try OptionCheck.number(weightDecay, "--weight-decay", atLeast: 0, below: 1)
    try OptionCheck.integer(bootstrapSamples, "--bootstrap-samples", in: 1...1_000_000)
    try OptionCheck.exists(clip, "--clip")
    try OptionCheck.integer(threads, "--threads", in: 1...1024)
    if method == ImageTaskMethod.zeroShot.rawValue && clip == nil {
      throw ValidationError("--clip is required with --method zero-shot")
    }
  }

  func run() throws {
    setBenchThreads(threads)
    guard let task = MedMNISTTask(rawValue: task), let method = ImageTaskMethod(rawValue: method) else { return }
    var settings = ImageTaskSettings(task: task, method: method)
    settings.size = size
    settings.trainLimit = trainLimit
    settings.batchSize = batchSize
    settings.steps = steps
    settings.learningRate = learningRate
    settings.weightDecay = weightDecay
    settings.flip = flip
    settings.seed = seed
    settings.bootstrapSamples = bootstrapSamples
    settings.bootstrapSeed = bootstrapSeed
    let cache = ModelCache()
    let model = try EfficientNetLite(checkpoint: try cache.path(of: "efficientnet"))
    let zeroShot = try clip.map {
      try ZeroShotScorer.medMNIST(
        clipFolder: URL(fileURLWithPath: $0), task: task, imageModel: model,
        embedder: try SentenceEmbedder(directory: try cache.path(of: "minilm")))
    }
    let result = try MedMNISTExperiment.run(
      data: try MedMNISTData(path: data), settings: settings, model: model, zeroShot: zeroShot
    ) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    print(result.json)
  }
}
