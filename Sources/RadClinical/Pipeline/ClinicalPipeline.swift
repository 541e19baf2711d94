import Foundation
import RadEval
import RadInference
import RadModelFiles
import RadModels
import RadTokenizers
import RadTraining

/// A study for the findings→impression benchmark: the report and whether it is abnormal (for the
/// IU reports: a MeSH major term other than "normal").
public struct StudyReport: Sendable, Equatable {
  public var example: ReportExample
  public var abnormal: Bool

  public init(example: ReportExample, abnormal: Bool) {
    self.example = example
    self.abnormal = abnormal
  }
}

/// The knobs of the main job: how much it trains and generates.
public struct ClinicalPipelineConfiguration: Sendable {
  public var shots = 3
  public var maxTokens = 48
  public var batchSize = 8
  public var loraSteps = 60
  public var loraBatchSize = 4
  public var loraLearningRate: Float = 2e-3
  public var loraRank = 8
  public var loraValidationExamples = 16
  public var maxTrainingTokens = 384
  public var seed: UInt64 = 0

  public init() {}
}

/// What the main job produced: the scores of every variant (baselines first) and the LoRA loss curve.
public struct ClinicalPipelineOutcome: Sendable {
  public var scores: [ImpressionScores]
  public var predictions: [String: [ImpressionResult]]
  public var lossHistory: [Float]
  public var validationHistory: [(step: Int, loss: Float)]
}

/// The main job's stages as library code: the two baselines, zero-shot, fixed few-shot, retrieval
/// few-shot and LoRA-tuned generation of impressions for the test studies, each scored against the
/// studies' own impressions, with every artefact written under `output`: `predictions/NAME.jsonl`,
/// `adapter/` (PEFT), `results.json` and `report.html`. Progress goes to `log`.
public final class ClinicalPipeline: @unchecked Sendable {
  // @unchecked: used from one thread at a time; holds the model it trains.
  public let bundle: ModelBundle
  public let embedder: SentenceEmbedder
  public let bertScorer: BERTScorer?
  public let configuration: ClinicalPipelineConfiguration
  public let output: URL
  /// The consistency checker: the kinds of issue it finds in an impression against its findings.
  /// When set, each variant's flag rate is reported and flagged outputs are shaded in report.html.
  public var flagger: (@Sendable (_ findings: String, _ impression: String) throws -> [String])?
  let log: @Sendable (String) -> Void

  public init(
    bundle: ModelBundle, embedder: SentenceEmbedder, bertScorer: BERTScorer?,
    configuration: ClinicalPipelineConfiguration,
    output: URL, log: @escaping @Sendable (String) -> Void = { _ in }
  ) {
    self.bundle = bundle
    self.embedder = embedder
    self.bertScorer = bertScorer
    self.configuration = configuration
    self.output = output
    self.log = log
  }

  public func run(train: [StudyReport], test: [StudyReport]) throws -> ClinicalPipelineOutcome {
    guard !train.isEmpty, !test.isEmpty else {
      throw ReviewError.nothingToReview(
        reason: "the main job needs training and test studies (got \(train.count) and \(test.count))")
    }
    try FileManager.default.createDirectory(
      at: output.appendingPathComponent("predictions"), withIntermediateDirectories: true)
    let training = train.map(\.example)
    let requests = test.map { ImpressionRequest(id: $0.example.id, findings: $0.example.findings) }
    let references = test.map(\.example.impression)
    let abnormal = test.map(\.abnormal)
    var scores: [ImpressionScores] = []
    var predictions: [String: [ImpressionResult]] = [:]
    var flaggedIds: [String: Set<String>] = [:]

    func record(_ name: String, _ results: [ImpressionResult], timed: Bool) throws {
      predictions[name] = results
      try Self.writePredictions(results, to: output.appendingPathComponent("predictions/\(name).jsonl"))
      let tokens = results.reduce(0) { $0 + $1.generatedTokens }
      let seconds = results.reduce(0) { $0 + $1.seconds }
      let flagged = try flagger.map { check in
        try zip(requests, results).map { request, result in !(try check(request.findings, result.impression)).isEmpty }
      }
      if let flagged { flaggedIds[name] = Set(zip(results, flagged).filter(\.1).map(\.0.id)) }
      let score = try ImpressionScores.score(
        name: name, references: references, hypotheses: results.map(\.impression), abnormal: abnormal,
        bertScorer: bertScorer, flagged: flagged, tokensPerSecond: timed && seconds > 0 ? Double(tokens) / seconds : nil
      )
      scores.append(score)
      log(
        String(
          format: "%@: ROUGE-L %.3f, BLEU %.1f, label F1 %.3f (n=%d)", name, score.rougeL, score.bleu, score.labelF1,
          score.n))
    }

    log("baselines over \(training.count) training reports")
    try record("most-frequent", ImpressionBaselines.constant(requests, training: training), timed: false)
    let index = try ExactReportIndex(embedder: embedder, examples: training)
    try record("nearest-neighbour", try ImpressionBaselines.nearestNeighbour(requests, index: index), timed: false)

    func generate(_ name: String, _ prompt: ImpressionPrompt) throws {
      log("\(name): generating \(requests.count) impressions")
      let generator = ImpressionGenerator(
        bundle: bundle, prompt: prompt, maxTokens: configuration.maxTokens, batchSize: configuration.batchSize)
      let results = try generator.generate(requests) { done, total in self.log("\(name): \(done)/\(total)") }
      try record(name, results, timed: true)
    }
    try generate("zero-shot", ImpressionPrompt())
    try generate("few-shot", ImpressionPrompt(examples: .fixed(Array(training.prefix(configuration.shots)))))
    try generate("retrieval-few-shot", ImpressionPrompt(examples: .retrieved(index, k: configuration.shots)))

    let (lossHistory, validationHistory) = try trainLoRA(training)
    try generate("lora", ImpressionPrompt())

    try writeResults(scores)
    try Self.writeText(
      ClinicalReportPage.html(
        scores: scores, predictions: predictions, test: test, lossHistory: lossHistory,
        validationHistory: validationHistory, flags: flaggedIds),
      to: output.appendingPathComponent("report.html"))
    return ClinicalPipelineOutcome(
      scores: scores, predictions: predictions, lossHistory: lossHistory, validationHistory: validationHistory)
  }

  /// LoRA on q/v projections, loss on the impression only (the assistant turn of the same chat the
  /// zero-shot prompt uses); the adapter stays attached for the "lora" variant and is saved in PEFT form.
  func trainLoRA(_ training: [ReportExample]) throws -> ([Float], [(step: Int, loss: Float)]) {
    let generator = ImpressionGenerator(bundle: bundle)
    let requests = training.map { ImpressionRequest(id: $0.id, findings: $0.findings) }
    let conversations = try generator.conversations(requests)
    let template = try bundle.conversationTemplate()
    let examples = zip(conversations, training).map { messages, example in
      LabeledSequence(
        chat: messages + [ChatMessage(role: "assistant", content: example.impression)], tokenizer: bundle.tokenizer,
        template: template
      ).truncated(to: configuration.maxTrainingTokens)
    }
    let validation = Array(examples.suffix(min(configuration.loraValidationExamples, max(1, examples.count / 5))))
    let trainingExamples = examples.count > validation.count ? Array(examples.dropLast(validation.count)) : examples
    var lora = LoRAConfiguration(rank: configuration.loraRank, alpha: Float(2 * configuration.loraRank))
    lora.targetModules = ["q_proj", "v_proj"]
    let adapters = try LoRAAdapterSet(
      attachingTo: bundle.model.parameters, configuration: lora, seed: configuration.seed)
    let padId = bundle.eosTokenIds.min() ?? 0
    let objective = try CausalLanguageModelingObjective(
      model: bundle.model, training: trainingExamples, validation: validation, batchSize: configuration.loraBatchSize,
      padId: padId, seed: configuration.seed)
    objective.dropoutSource = adapters.dropoutSource
    var settings = TrainingConfiguration()
    settings.steps = configuration.loraSteps
    settings.learningRate = configuration.loraLearningRate
    settings.warmupSteps = max(1, configuration.loraSteps / 10)
    settings.evaluateEvery = max(1, configuration.loraSteps / 4)
    settings.seed = configuration.seed
    log("lora: \(configuration.loraSteps) steps on \(trainingExamples.count) examples")
    let state = try Trainer(
      objective: objective, configuration: settings, output: output.appendingPathComponent("lora-run")
    )
    .run { event in
      if case .step(let report) = event, report.step % 5 == 0 || report.step == settings.steps {
        self.log(String(format: "lora: step %d loss %.3f", report.step, report.loss))
      }
    }
    adapters.dropoutSource.training = false
    try adapters.save(to: output.appendingPathComponent("adapter"))
    return (state.lossHistory, state.validationHistory.map { ($0.step, $0.loss) })
  }

  func writeResults(_ scores: [ImpressionScores]) throws {
    let object: [String: Any] = ["variants": scores.map { $0.jsonObject() }]
    let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    try AtomicFile.write(Array(data) + [10], to: output.appendingPathComponent("results.json"))
  }

  /// `{"id","impression"}` lines, integer ids as integers.
  static func writePredictions(_ results: [ImpressionResult], to url: URL) throws {
    var text = ""
    for result in results {
      let id: Any = Int(result.id).map { $0 as Any } ?? result.id
      let data = try JSONSerialization.data(
        withJSONObject: ["id": id, "impression": result.impression], options: [.sortedKeys])
      text += String(decoding: data, as: UTF8.self) + "\n"
    }
    try writeText(text, to: url)
  }

  static func writeText(_ text: String, to url: URL) throws { try AtomicFile.write(Array(text.utf8), to: url) }
}
