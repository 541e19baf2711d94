import Foundation
import RadInference
import RadImaging
import RadModels
import RadSyntheticCXR
import RadTensor
import RadTraining
import Testing

@testable import RadMultimodal

/// End to end on a small synthetic set: a tiny random Llama with the SmolLM2 tokenizer and the
/// pixel-patch encoder is trained a few steps in both stages (the answer loss on fixed examples
/// must fall in each), saved, reloaded, and the reloaded folder must give identical outputs.
@Suite("Early fusion training")
struct EarlyFusionTrainingTests {
  static func temporaryFolder() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("radlm-vlm-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// A tiny Llama over the SmolLM2 vocabulary, saved as a model folder with its tokenizer.
  static func tinyLanguageModel(in folder: URL) throws -> URL {
    var config = LlamaConfiguration(
      vocabularySize: 49_152, width: 32, intermediateWidth: 64, layers: 2, heads: 4, kvHeads: 2, maxPositions: 512,
      tieWordEmbeddings: true)
    config.eosTokenIds = [2]
    let model = LlamaModel(config: config, seed: 5)
    let url = folder.appendingPathComponent("llama")
    try WeightLoader.save(model, to: url)
    try FileManager.default.copyItem(
      at: URL(fileURLWithPath: EarlyFusionParityTests.tokenizerPath), to: url.appendingPathComponent("tokenizer.json"))
    return url
  }

  static func meanLoss(_ model: VisionLanguageModel, _ examples: [VisionLanguageExample]) throws -> Float {
    try Autograd.inferenceMode {
      let objective = try VisionLanguageObjective(
        model: model, training: examples, validation: [], batchSize: 1, seed: 0)
      return try objective.loss(of: examples).loss.item
    }
  }

  @Test func trainsBothStagesAndReloadsWithIdenticalOutputs() throws {
    let folder = Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let data = folder.appendingPathComponent("data")
    try SyntheticChestDataset.write(count: 12, seed: 4, size: 64, to: data)
    let annotations = SyntheticChestExamples.split(try SyntheticChestDataset.annotations(at: data.path), "train")
    let configuration = VisionLanguageConfiguration(
      languageModel: try Self.tinyLanguageModel(in: folder).path, chatTemplate: "chatml",
      visionEncoder: VisualEncoderConfiguration(type: "pixel-patches", imageSize: 32, patchSize: 8))
    let model = try VisionLanguageModel.create(configuration: configuration, seed: 1)
    #expect(model.imageTokenCount == 16)
    let captions = SyntheticChestExamples.examples(annotations, root: data, stage: .captions)
    let instructions = SyntheticChestExamples.examples(annotations, root: data, stage: .instructions)
    let probeCaptions = Array(captions.prefix(4))
    let probeQuestions = Array(instructions.prefix(8))

    var settings = VisionLanguageTraining.Settings()
    settings.captionSteps = 8
    settings.instructionSteps = 8
    settings.batchSize = 2
    settings.learningRate = 1e-2
    settings.lora = LoRAConfiguration(rank: 4, alpha: 8, targetModules: ["q_proj", "v_proj"])
    let beforeCaptions = try Self.meanLoss(model, probeCaptions)
    var losses: [VisionLanguageStage: [Float]] = [:]
    try VisionLanguageTraining.run(
      model, captions: Array(captions.prefix(4)), instructions: probeQuestions, settings: settings,
      work: folder.appendingPathComponent("work")
    ) { stage, event in
      if case .step(let report) = event { losses[stage, default: []].append(report.loss) }
    }
    #expect(losses[.captions]?.count == 8 && losses[.instructions]?.count == 8)
    let afterCaptionsAndInstructions = try Self.meanLoss(model, probeCaptions)
    #expect(afterCaptionsAndInstructions < beforeCaptions)
    let stageOneLosses = try #require(losses[.captions])
    let stageTwoLosses = try #require(losses[.instructions])
    #expect(stageOneLosses.suffix(2).reduce(0, +) < stageOneLosses.prefix(2).reduce(0, +))
    #expect(stageTwoLosses.suffix(2).reduce(0, +) < stageTwoLosses.prefix(2).reduce(0, +))
    #expect(model.adapters != nil && model.configuration.stages == ["captions", "instructions"])

    // Saved and reloaded: the same losses and the same greedy answers.
    let saved = folder.appendingPathComponent("vlm")
    try model.save(to: saved)
    for file in [
      "config.json", "projector.safetensors", "adapter/adapter_config.json", "adapter/adapter_model.safetensors",
    ] {
      #expect(FileManager.default.fileExists(atPath: saved.appendingPathComponent(file).path), "\(file)")
    }
    let reloaded = try VisionLanguageModel.load(from: saved)
    #expect(reloaded.configuration == model.configuration)
    #expect(try Self.meanLoss(reloaded, probeQuestions) == Self.meanLoss(model, probeQuestions))
    var generation = GenerationSettings()
    generation.maxTokens = 6
    for example in probeQuestions.prefix(4) {
      let a = try model.answer(imagePath: example.image, question: example.prompt, settings: generation)
      let b = try reloaded.answer(imagePath: example.image, question: example.prompt, settings: generation)
      #expect(a.tokens == b.tokens && a.text == b.text)
    }
    // Evaluation runs over the annotations and counts every question type.
    let scores = try VisionLanguageEvaluation.evaluate(
      reloaded, annotations: Array(annotations.prefix(2)), root: data, reports: true, maxAnswerTokens: 4,
      maxReportTokens: 8)
    #expect(scores.counts["vqa_count"]?.total == 2 && scores.counts["report_effusion"]?.total == 2)
  }

  @Test func cachedPrefixGivesTheScoresOfOneFullForward() throws {
    let folder = Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let configuration = VisionLanguageConfiguration(
      languageModel: try Self.tinyLanguageModel(in: folder).path, chatTemplate: "chatml",
      visionEncoder: VisualEncoderConfiguration(type: "pixel-patches", imageSize: 12, patchSize: 4))
    let model = try VisionLanguageModel.create(configuration: configuration, seed: 2)
    var pixels = [Float](repeating: 0, count: 144)
    for i in pixels.indices { pixels[i] = Float((i * 37) % 256) }
    let image = try Image(rows: 12, columns: 12, pixels: pixels, metadata: ImageMetadata(maximumSampleValue: 255))
    let question = "How many nodules?"
    let (prefix, suffix) = try model.promptParts(question: question)
    #expect(!prefix.isEmpty && !suffix.isEmpty)
    let full = try Autograd.inferenceMode {
      try model.language.lastLogits(
        embeddings: try model.inputVectors(prefix: prefix, image: try model.encoder.tokens(image), rest: suffix),
        cache: nil)
    }
    var settings = GenerationSettings()
    settings.maxTokens = 6
    // Greedy answers with a fresh cache, a kept image prefix, and no key agree.
    let first = try model.answer(image: image, key: "a", question: question, settings: settings)
    let again = try model.answer(image: image, key: "a", question: question, settings: settings)
    let uncached = try model.answer(image: image, key: nil, question: question, settings: settings)
    #expect(first.tokens == again.tokens && first.tokens == uncached.tokens)
    // The first generated token is the argmax of the full forward's last scores.
    let best = full.data.indices.max { full.data[$0] < full.data[$1] }
    #expect(first.tokens.first == best)
  }

  @Test func reportFactsAreReadBackFromTheTemplate() throws {
    let facts = VisionLanguageEvaluation.facts(
      of: "Pixel spacing 5.0 mm. Two nodules: left middle zone 29 mm, right upper zone 16 mm. "
        + "The largest is in the left middle zone and measures 29 mm. Bilateral pleural effusions.")
    #expect(facts == .init(count: 2, sides: ["left", "right"], effusion: "both"))
    #expect(VisionLanguageEvaluation.facts(of: "garbage") == .init(count: nil, sides: [], effusion: nil))
  }
}
