import Foundation
import RadSyntheticCXR
import RadTensor
import RadTraining

/// One training or evaluation pair: an image file, the user's words, and the expected reply.
public struct VisionLanguageExample: Sendable, Equatable {
  public var image: String
  public var prompt: String
  public var answer: String

  public init(image: String, prompt: String, answer: String) {
    self.image = image
    self.prompt = prompt
    self.answer = answer
  }
}

/// Examples from the synthetic chest data set (`radlm data synth-cxr`): the report for the
/// caption stage, the question–answer pairs (and the report) for the instruction stage.
public enum SyntheticChestExamples {
  public static let reportPrompt = "Write the report."

  /// The annotations of `split` ("train", "validation", "test"; case number mod 10 = 0 test,
  /// = 1 validation, else train).
  public static func split(_ annotations: [ChestAnnotation], _ split: String) -> [ChestAnnotation] {
    annotations.filter { annotation in
      let remainder = (annotation.caseNumber ?? 2) % 10
      switch split {
      case "test": return remainder == 0
      case "validation": return remainder == 1
      case "all": return true
      default: return remainder > 1
      }
    }
  }

  public static func examples(
    _ annotations: [ChestAnnotation], root: URL, stage: VisionLanguageStage
  ) -> [VisionLanguageExample] {
    annotations.flatMap { annotation -> [VisionLanguageExample] in
      let image = root.appendingPathComponent(annotation.image).path
      let report = VisionLanguageExample(image: image, prompt: reportPrompt, answer: annotation.report)
      guard stage == .instructions else { return [report] }
      return annotation.qa.map { VisionLanguageExample(image: image, prompt: $0.question, answer: $0.answer) } + [
        report
      ]
    }
  }
}

/// The objective of both stages: mean cross-entropy over the answer tokens of a micro-batch of
/// examples (each run on its own, so no padding; the batch mean weights examples by their
/// answer tokens).
public final class VisionLanguageObjective: TrainingObjective {
  public let model: VisionLanguageModel
  public let training: [VisionLanguageExample]
  public let validation: [VisionLanguageExample]
  public let batchSize: Int
  private var order: DataOrder

  public init(
    model: VisionLanguageModel, training: [VisionLanguageExample], validation: [VisionLanguageExample], batchSize: Int,
    seed: UInt64
  ) throws {
    guard !training.isEmpty else { throw TrainingDataError.noExamples(what: "image–text training examples") }
    guard batchSize >= 1 else {
      throw TrainingDataError.invalidSetting(name: "batch size", value: "\(batchSize)", rule: "at least 1")
    }
    self.model = model
    self.training = training
    self.validation = validation
    self.batchSize = batchSize
    order = DataOrder(count: training.count, seed: seed)
  }

  public var parameters: ParameterStore { model.language.parameters }
  public var dataPosition: DataOrder.Position { order.position }
  public func restoreDataPosition(_ position: DataOrder.Position) { order.restore(position) }

  public func nextLoss(random: inout SeededRandom) throws -> (loss: Tensor, tokens: Int) {
    try loss(of: (0..<batchSize).map { _ in training[order.next()] })
  }

  /// Token-weighted mean loss of `examples`.
  public func loss(of examples: [VisionLanguageExample]) throws -> (loss: Tensor, tokens: Int) {
    var total: Tensor?
    var tokens = 0
    for example in examples {
      let (loss, count) = try model.answerLoss(
        encoderTokens: try model.encoderTokens(path: example.image), question: example.prompt, answer: example.answer)
      let weighted = loss * Float(count)
      total = total.map { $0 + weighted } ?? weighted
      tokens += count
    }
    guard let total else { throw TrainingDataError.noExamples(what: "examples in the batch") }
    return (total / Float(tokens), tokens)
  }

  public func validationLoss() throws -> Float? {
    guard !validation.isEmpty else { return nil }
    var sum = 0.0
    var tokens = 0
    for example in validation {
      let (loss, count) = try loss(of: [example])
      sum += Double(loss.item) * Double(count)
      tokens += count
    }
    return Float(sum / Double(tokens))
  }
}

/// Runs the two stages with RadTraining's trainer: captions (projector only), then
/// instructions (projector + LoRA). Checkpoints go to `work/<stage>`.
public enum VisionLanguageTraining {
  public struct Settings: Sendable {
    public var captionSteps = 200
    public var instructionSteps = 400
    public var learningRate: Float = 1e-3
    public var batchSize = 4
    public var seed: UInt64 = 0
    public var lora = LoRAConfiguration(rank: 8, alpha: 16, targetModules: ["q_proj", "k_proj", "v_proj", "o_proj"])
    public init() {}
  }

  /// Trains `model` on the examples of each stage; returns the final state of each stage run.
  @discardableResult
  public static func run(
    _ model: VisionLanguageModel, captions: [VisionLanguageExample], instructions: [VisionLanguageExample],
    validation: [VisionLanguageStage: [VisionLanguageExample]] = [:], settings: Settings, work: URL,
    events: (VisionLanguageStage, TrainingEvent) -> Void = { _, _ in }
  ) throws -> [VisionLanguageStage: TrainingState] {
    var states: [VisionLanguageStage: TrainingState] = [:]
    for (stage, steps, examples) in [
      (VisionLanguageStage.captions, settings.captionSteps, captions),
      (.instructions, settings.instructionSteps, instructions),
    ] where steps > 0 {
      try model.prepare(stage: stage, lora: settings.lora, seed: settings.seed)
      var configuration = TrainingConfiguration()
      configuration.steps = steps
      configuration.learningRate = settings.learningRate
      configuration.seed = settings.seed
      configuration.weightDecay = 0
      configuration.warmupSteps = min(10, steps / 10)
      let objective = try VisionLanguageObjective(
        model: model, training: examples, validation: validation[stage] ?? [], batchSize: settings.batchSize,
        seed: settings.seed)
      let trainer = Trainer(
        objective: objective, configuration: configuration, output: work.appendingPathComponent(stage.rawValue))
      states[stage] = try trainer.run { events(stage, $0) }
      model.clearPrefixCache()
    }
    return states
  }
}
