import Foundation
import RadEval
import RadImaging
import RadTensor
import RadTraining
import RadVision

/// How a MedMNIST task is solved: a linear probe on frozen EfficientNet-Lite0 features, the
/// whole network fine-tuned, or CLIP zero-shot classification from the class prompts.
public enum ImageTaskMethod: String, CaseIterable, Sendable {
  case probe
  case finetune
  case zeroShot = "zero-shot"
}

/// The settings of one MedMNIST run (sizes, limits, training schedule, bootstrap).
public struct ImageTaskSettings: Sendable {
  public var task: MedMNISTTask
  public var method: ImageTaskMethod
  /// Side the 28-pixel images are resized to before the encoder.
  public var size: Int = 64
  /// Use only the first N training images (nil: all), for quick runs and tests.
  public var trainLimit: Int?
  public var batchSize: Int = 32
  /// Fine-tuning: optimiser steps, peak learning rate, weight decay, horizontal flips.
  public var steps: Int = 300
  public var learningRate: Float = 1e-3
  public var weightDecay: Float = 1e-4
  public var flip: Bool = false
  public var seed: UInt64 = 0
  public var bootstrapSamples: Int = 1000
  public var bootstrapSeed: UInt32 = 0

  public init(task: MedMNISTTask, method: ImageTaskMethod) {
    self.task = task
    self.method = method
  }
}

/// The outcome of one run: test AUROC with its bootstrap interval, validation AUROC, test
/// accuracy at probability 0.5, the split sizes and the method's own choices.
public struct ImageTaskResult: Sendable {
  public var task: String
  public var method: String
  public var size: Int
  public var trainImages: Int
  public var validationImages: Int
  public var testImages: Int
  public var test: AUROCInterval
  public var validationAUROC: Double
  public var testAccuracy: Double
  public var details: [String: Double]
  public var seconds: Double

  /// One JSON object (sorted keys).
  public var json: String {
    var object: [String: Any] = [
      "task": task, "method": method, "size": size, "train_images": trainImages,
      "validation_images": validationImages, "test_images": testImages, "test_auroc": test.auroc,
      "test_auroc_low": test.low, "test_auroc_high": test.high, "bootstrap_samples": test.samples,
      "bootstrap_confidence": test.confidence, "validation_auroc": validationAUROC, "test_accuracy": testAccuracy,
      "seconds": seconds,
    ]
    for (key, value) in details { object[key] = value }
    let data =
      (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
      ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self)
  }
}

/// Runs a MedMNIST binary task end to end on the official splits: the method trains on `train`
/// (choosing its settings on `val` where it has any) and the test split is scored once.
public enum MedMNISTExperiment {
  /// Progress messages for stderr.
  public typealias Progress = (String) -> Void

  /// `zeroShot` supplies P(label 1) for a split when the method is zero-shot (the CLIP model
  /// lives outside this target's concern of data and evaluation).
  public static func run(
    data: MedMNISTData, settings: ImageTaskSettings, model: EfficientNetLite, workFolder: URL? = nil,
    zeroShot: ((LabelledImages) throws -> [Double])? = nil, progress: Progress = { _ in }
  ) throws -> ImageTaskResult {
    let clock = ContinuousClock()
    let began = clock.now
    let train = try data.train.prefix(settings.trainLimit)
    let validation = data.validation
    let test = data.test
    var details: [String: Double] = [:]
    let validationScores: [Double]
    let testScores: [Double]
    switch settings.method {
    case .probe:
      func features(_ images: LabelledImages, _ name: String) throws -> [[Double]] {
        try ImageFeatures.efficientNet(model, images: images, size: settings.size, batchSize: settings.batchSize) {
          progress("features \(name): \($0)/\(images.count)")
        }
      }
      let trainFeatures = try features(train, "train")
      let validationFeatures = try features(validation, "val")
      let testFeatures = try features(test, "test")
      let probe = try LinearProbe.train(
        features: trainFeatures, labels: train.labels, validationFeatures: validationFeatures,
        validationLabels: validation.labels)
      details["probe_c"] = probe.c
      validationScores = probe.probabilities(validationFeatures)
      testScores = probe.probabilities(testFeatures)
    case .finetune:
      var augmentation: ImageAugmentation?
      if settings.flip { augmentation = ImageAugmentation(horizontalFlipProbability: 0.5) }
      let objective = ImageClassifierFineTuning(
        model: model, training: train, validation: validation, size: settings.size, batchSize: settings.batchSize,
        augmentation: augmentation, seed: settings.seed)
      var configuration = TrainingConfiguration()
      configuration.steps = settings.steps
      configuration.learningRate = settings.learningRate
      configuration.weightDecay = settings.weightDecay
      configuration.warmupSteps = Swift.min(20, settings.steps / 10)
      configuration.seed = settings.seed
      configuration.evaluateEvery = Swift.max(1, settings.steps / 5)
      let output =
        workFolder
        ?? FileManager.default.temporaryDirectory.appendingPathComponent(
          "radlm-finetune-\(UUID().uuidString)")
      defer { if workFolder == nil { try? FileManager.default.removeItem(at: output) } }
      let trainer = Trainer(objective: objective, configuration: configuration, output: output)
      let state = try trainer.run { event in
        switch event {
        case .step(let report) where report.step % 10 == 0 || report.step == report.totalSteps:
          progress(String(format: "step %d/%d loss %.4f", report.step, report.totalSteps, report.loss))
        case .evaluation(let step, let loss, _):
          progress(String(format: "step %d validation loss %.4f", step, loss))
        case .stopped(_, let reason):
          progress("stopped: \(reason)")
        default: break
        }
      }
      details["steps"] = Double(state.step)
      details["final_train_loss"] = Double(state.lossHistory.last ?? .nan)
      validationScores = try objective.probabilities(validation)
      testScores = try objective.probabilities(test)
    case .zeroShot:
      guard let zeroShot else {
        throw LinearProbeError.invalidInput("zero-shot classification needs a CLIP model")
      }
      validationScores = try zeroShot(validation)
      testScores = try zeroShot(test)
    }
    let interval = try AUROCInterval.bootstrap(
      truth: test.labels, scores: testScores, samples: settings.bootstrapSamples, seed: settings.bootstrapSeed)
    let correct = zip(testScores, test.labels).filter { ($0.0 >= 0.5 ? 1 : 0) == $0.1 }.count
    let parts = (clock.now - began).components
    return ImageTaskResult(
      task: settings.task.rawValue, method: settings.method.rawValue, size: settings.size,
      trainImages: train.count, validationImages: validation.count, testImages: test.count, test: interval,
      validationAUROC: try ClassificationMetrics.rocAUC(truth: validation.labels, scores: validationScores),
      testAccuracy: Double(correct) / Double(test.count), details: details,
      seconds: Double(parts.seconds) + Double(parts.attoseconds) * 1e-18)
  }
}
