import ArgumentParser
import Foundation
import RadEval
import RadInference
import RadModelFiles
import RadModels
import RadTensor
import RadTokenizers
import RadTraining

/// The main job: the end-to-end radiology pipeline on real models and the bundled synthetic
/// reports. It checks the real models load, trains a tokenizer and a small GPT from scratch
/// (perplexity against a bigram baseline), prompts SmolLM2 to write impressions from findings
/// zero-shot and few-shot, LoRA-fine-tunes it on the training reports, and scores every variant's
/// impressions against the references (ROUGE-L, BLEU, CheXpert label F1), then prints a table.
struct PipelineCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pipeline", abstract: "Run the end-to-end radiology pipeline and print a results table.")

  @Option(help: "Bundled project-written reports (JSONL).") var data = "data/synthetic_reports.jsonl"
  @Option(help: "Working folder (default: <cache>/pipeline).") var work: String?
  @Option(help: "Pretraining steps of the small GPT.") var pretrainSteps = 200
  @Option(help: "LoRA fine-tuning steps of SmolLM2.") var loraSteps = 24
  @Option(help: "Held-out findings→impression pairs scored for each prompting variant.") var evaluationPairs = 16
  @Option(help: "Worked examples in the few-shot prompt.") var shots = 3
  @Option(help: "Random seed.") var seed: UInt64 = 0
  @Flag(help: "Print the results as JSON on stdout.") var json = false

  func validate() throws {
    try OptionCheck.exists(data, "--data")
    try OptionCheck.count(pretrainSteps, "--pretrain-steps")
    try OptionCheck.count(loraSteps, "--lora-steps")
    try OptionCheck.count(evaluationPairs, "--evaluation-pairs")
    try OptionCheck.integer(shots, "--shots", in: 1...64)
  }

  func run() throws {
    let cache = ModelCache()
    let workFolder = URL(fileURLWithPath: work ?? cache.root.appendingPathComponent("pipeline").path)
    try FileManager.default.createDirectory(at: workFolder, withIntermediateDirectories: true)
    var results = PipelineResults()
    let clock = ContinuousClock()

    // 1. Real models.
    let start = clock.now
    let smolPath = try cache.path(of: "smollm2")
    let smol = try GGUFLlamaLoader.load(url: smolPath)
    let smolTokenizer = try TokenizerFiles.load(path: smolPath.path)
    let minilm = try ModelLoader.load(directory: try cache.path(of: "minilm"))
    results.add("models", "SmolLM2-135M-Instruct (GGUF Q4_1 → f32) parameters", "\(smol.parameters.scalarCount)")
    results.add("models", "all-MiniLM-L6-v2 parameters", "\(minilm.parameters.scalarCount)")
    results.add("models", "load time", Self.format(clock.now - start))
    Self.log("loaded SmolLM2 and MiniLM")

    // 2. Data: findings and impressions of the bundled synthetic reports.
    var reader = JSONLinesReader()
    let rows = try reader.read(URL(fileURLWithPath: data))
    let reports = try rows.map { row in
      (
        findings: try JSONLinesReader.string(row.object, "findings", file: data, line: row.line),
        impression: try JSONLinesReader.string(row.object, "impression", file: data, line: row.line)
      )
    }
    let (trainIndices, heldOutIndices) = validationSplit(count: reports.count, fraction: 0.15, seed: seed)
    let train = trainIndices.map { reports[$0] }
    let heldOut = heldOutIndices.map { reports[$0] }
    results.add("data", "synthetic reports (train / held out)", "\(train.count) / \(heldOut.count)")

    // 3. Tokenizer trained on the training reports.
    let text = train.map { "FINDINGS: \($0.findings)\nIMPRESSION: \($0.impression)" }
    let heldOutText = heldOut.map { "FINDINGS: \($0.findings)\nIMPRESSION: \($0.impression)" }
    let tokenizer = try BPETrainer(vocabSize: 1024, specialTokens: ["<|endoftext|>"]).train(texts: text)
    let endOfText = tokenizer.tokenToId("<|endoftext|>")!
    let trainIds = tokenizer.encodeIdsBatch(text).map { $0.map(Int.init) }
    let heldOutIds = tokenizer.encodeIdsBatch(heldOutText).map { $0.map(Int.init) }
    let words = text.reduce(0) { $0 + $1.split(separator: " ").count }
    results.add("tokenizer", "byte-level BPE vocabulary", "\(tokenizer.vocabularySize)")
    results.add("tokenizer", "tokens per word", String(format: "%.2f", Double(trainIds.reduce(0) { $0 + $1.count }) / Double(words)))

    // 4. Pretrain a small GPT from scratch.
    let blockSize = 128
    let gpt = GPT2Model(
      config: GPT2Configuration(vocabularySize: tokenizer.vocabularySize, maxPositions: blockSize, width: 128, layers: 4, heads: 4),
      seed: seed)
    let blocks = try TokenBlocks.pack(trainIds, blockSize: blockSize, separator: endOfText)
    let heldOutBlocks = try TokenBlocks.pack(heldOutIds, blockSize: blockSize, separator: endOfText)
    let pretrain = try CausalLanguageModelingObjective(
      model: gpt, blocks: blocks, validationBlocks: heldOutBlocks, batchSize: 8, seed: seed)
    let initialLoss = try Autograd.inferenceMode { try pretrain.validationLoss()! }
    var configuration = TrainingConfiguration()
    configuration.steps = pretrainSteps
    configuration.learningRate = 3e-3
    configuration.warmupSteps = pretrainSteps / 10
    configuration.seed = seed
    let pretrainStart = clock.now
    let progress = TrainingProgress(json: false, quiet: false, log: nil)
    let pretrainState = try Trainer(
      objective: pretrain, configuration: configuration, output: workFolder.appendingPathComponent("gpt")
    ).run(events: progress.handle)
    let pretrainSeconds = Trainer.seconds(clock.now - pretrainStart)
    let finalLoss = pretrainState.validationHistory.last?.loss ?? .nan
    let bigram = AddOneBigramModel(training: blocks, vocabularySize: tokenizer.vocabularySize)
    results.add("pretraining", "GPT (4 layers, 128 wide) parameters", "\(gpt.parameters.scalarCount)")
    results.add("pretraining", "held-out perplexity: start → end", String(format: "%.1f → %.2f", exp(Double(initialLoss)), exp(Double(finalLoss))))
    results.add("pretraining", "held-out perplexity of add-one bigram", String(format: "%.2f", bigram.perplexity(heldOutBlocks)))
    results.add(
      "pretraining", "training speed",
      String(format: "%.0f tokens/s", Double(pretrainSteps * 8 * blockSize) / pretrainSeconds))
    let curve = workFolder.appendingPathComponent("gpt/loss_curve.svg")
    try AtomicFile.write(
      Array(pretrainState.lossCurveSVG(title: "small GPT pretraining").utf8),
      to: curve)
    results.add("pretraining", "loss curve", curve.path)

    // 5. Prompting SmolLM2: zero-shot and few-shot (in-context learning), scored on held-out reports.
    let template = ChatTemplate.chatML
    let instruction = "You are a radiologist. Write the impression for these findings."
    let evaluationReports = Array(heldOut.prefix(evaluationPairs))
    let generator = TextGenerator(model: smol, tokenizer: smolTokenizer)
    var settings = GenerationSettings()
    settings.maxTokens = 48
    settings.stopStrings = ["<|im_end|>"]
    settings.eosTokenIds = Set(["<|im_end|>", "<|endoftext|>"].compactMap { smolTokenizer.tokenToId($0) })
    func impressions(examples: [(findings: String, impression: String)]) throws -> [String] {
      try evaluationReports.map { report in
        var messages = [ChatTemplate.Message(role: "system", content: instruction)]
        for shot in examples {
          messages.append(.init(role: "user", content: shot.findings))
          messages.append(.init(role: "assistant", content: shot.impression))
        }
        messages.append(.init(role: "user", content: report.findings))
        let prompt = smolTokenizer.encodeIds(template.render(messages, addGenerationPrompt: true))
        return try generator.generate(promptIds: prompt, settings: settings).text
          .replacingOccurrences(of: "<|im_end|>", with: "").trimmingCharacters(in: .whitespacesAndNewlines)
      }
    }
    let references = evaluationReports.map(\.impression)
    let generationStart = clock.now
    let zeroShot = try impressions(examples: [])
    results.add("prompting", "zero-shot generation time (\(evaluationReports.count) reports)", Self.format(clock.now - generationStart))
    let fewShot = try impressions(examples: Array(train.prefix(shots)))
    try Self.score("zero-shot", zeroShot, references, into: &results)
    try Self.score("\(shots)-shot", fewShot, references, into: &results)
    results.add("prompting", "example (zero-shot)", "\"\(zeroShot.first ?? "")\" vs \"\(references.first ?? "")\"")

    // 6. LoRA fine-tuning of SmolLM2: findings → impression in its chat format.
    func example(_ report: (findings: String, impression: String)) -> LabeledSequence {
      let messages = [
        ChatTemplate.Message(role: "system", content: instruction),
        ChatTemplate.Message(role: "user", content: report.findings),
        ChatTemplate.Message(role: "assistant", content: report.impression),
      ]
      var ids: [Int] = []
      var labels: [Int] = []
      for segment in template.segments(messages) {
        let piece = smolTokenizer.encodeIds(segment.text)
        ids += piece
        labels += segment.trainable ? piece : [Int](repeating: -100, count: piece.count)
      }
      return LabeledSequence(ids: ids, labels: labels)
    }
    let sftTrain = train.map(example)
    let sftHeldOut = Array(heldOut.prefix(evaluationPairs)).map(example)
    var loraSettings = LoRAConfiguration(rank: 8, alpha: 16, targetModules: ["q_proj", "v_proj"])
    loraSettings.baseModel = smolPath.path
    let adapters = try LoRAAdapterSet(attachingTo: smol.parameters, configuration: loraSettings, seed: seed)
    let sft = try CausalLanguageModelingObjective(
      model: smol, training: sftTrain, validation: sftHeldOut, batchSize: 4,
      padId: smolTokenizer.tokenToId("<|endoftext|>") ?? 0, seed: seed)
    sft.dropoutSource = adapters.dropoutSource
    let before = try Autograd.inferenceMode { try sft.validationLoss()! }
    var loraConfiguration = TrainingConfiguration()
    loraConfiguration.steps = loraSteps
    loraConfiguration.learningRate = 2e-3
    loraConfiguration.warmupSteps = 2
    loraConfiguration.seed = seed
    let loraStart = clock.now
    let loraState = try Trainer(
      objective: sft, configuration: loraConfiguration, output: workFolder.appendingPathComponent("smollm2-lora")
    ).run(events: progress.handle)
    let after = loraState.validationHistory.last?.loss ?? .nan
    let adapterFolder = workFolder.appendingPathComponent("smollm2-lora/adapter")
    try adapters.save(to: adapterFolder)
    results.add("LoRA SFT", "trainable adapter values (r = 8, q/v)", "\(adapters.trainableCount)")
    results.add(
      "LoRA SFT", "held-out impression loss: base → tuned",
      String(format: "%.3f → %.3f (perplexity %.1f → %.1f)", before, after, exp(Double(before)), exp(Double(after))))
    results.add("LoRA SFT", "time for \(loraSteps) steps", Self.format(clock.now - loraStart))
    results.add("LoRA SFT", "adapter (PEFT format)", adapterFolder.path)
    let tuned = try impressions(examples: [])
    try Self.score("LoRA-tuned zero-shot", tuned, references, into: &results)
    results.add("LoRA SFT", "example (tuned)", "\"\(tuned.first ?? "")\" vs \"\(references.first ?? "")\"")

    results.add("total", "wall time", Self.format(clock.now - start))
    results.print(json: json)
  }

  /// ROUGE-L (rouge-score, stemmed), corpus BLEU (sacrebleu 13a) and CheXpert 5-label micro F1.
  static func score(_ name: String, _ hypotheses: [String], _ references: [String], into results: inout PipelineResults) throws {
    let pairs = zip(references, hypotheses).map { TextPair(reference: $0, hypothesis: $1) }
    let rouge = RougeScorer(types: [.l], useStemmer: true)
    let rougeL = RougeScorer.mean(rouge.scoreAll(pairs), count: 1)[0].fmeasure
    let bleu = SacreBLEU().corpusScore(pairs).score
    let labels = try LabelAgreement(referenceReports: references, generatedReports: hypotheses)
    results.add(
      "evaluation", name,
      String(format: "ROUGE-L %.3f · BLEU %.1f · CheXpert F1 (5-label micro) %.3f", rougeL, bleu, labels.micro5.f1))
  }

  static func log(_ message: String) { FileHandle.standardError.write(Data("pipeline: \(message)\n".utf8)) }

  static func format(_ duration: Duration) -> String { String(format: "%.1f s", Trainer.seconds(duration)) }
}

/// The results table the main job prints.
struct PipelineResults {
  var rows: [(stage: String, metric: String, value: String)] = []

  mutating func add(_ stage: String, _ metric: String, _ value: String) {
    rows.append((stage, metric, value))
    PipelineCommand.log("\(stage): \(metric): \(value)")
  }

  func print(json: Bool) {
    if json {
      let object = rows.map { ["stage": $0.stage, "metric": $0.metric, "value": $0.value] }
      if let data = try? JSONSerialization.data(withJSONObject: ["results": object], options: [.prettyPrinted, .sortedKeys]) {
        Swift.print(String(decoding: data, as: UTF8.self))
      }
      return
    }
    let stageWidth = max(5, rows.map(\.stage.count).max() ?? 0)
    let metricWidth = max(6, rows.map(\.metric.count).max() ?? 0)
    func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
    Swift.print("| \(pad("stage", stageWidth)) | \(pad("metric", metricWidth)) | value |")
    Swift.print("|\(String(repeating: "-", count: stageWidth + 2))|\(String(repeating: "-", count: metricWidth + 2))|-------|")
    for row in rows { Swift.print("| \(pad(row.stage, stageWidth)) | \(pad(row.metric, metricWidth)) | \(row.value) |") }
  }
}
