import ArgumentParser
import Foundation
import RadModels
import RadMultimodal
import RadSyntheticCXR
import RadTraining

/// `radlm vlm`: early-fusion (LLaVA-style) vision–language models: train, ask, evaluate.
struct VLMCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "vlm",
    abstract: "Early-fusion vision–language models: image tokens spliced into a chat model's prompt.",
    discussion: "Folder layout and training recipe: docs/multimodal.md.",
    subcommands: [VLMAskCommand.self, VLMTrainCommand.self, VLMEvalCommand.self]
  )
}

/// `radlm vlm ask`: answers one question about one image.
struct VLMAskCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ask", abstract: "Answer a question about an image with an early-fusion model folder.")

  @Argument(help: "The question.") var question: String
  @Option(help: "The model folder (radlm vlm train).") var model: String
  @Option(help: "The image (PNG, DICOM or .npy).") var image: String
  @OptionGroup var sampling: SamplingOptions
  @Flag(help: "Print {\"answer\"} as JSON.") var json = false

  func validate() throws {
    try OptionCheck.exists(model, "--model")
    try OptionCheck.exists(image, "--image")
    if question.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("QUESTION must not be empty") }
  }

  func run() throws {
    let vlm = try VisionLanguageModel.load(from: URL(fileURLWithPath: model))
    if sampling.dtype != .f32 {
      try ModelQuantizer.quantize(vlm.language, to: sampling.dtype, gguf: vlm.bundle.ggufFile)
    }
    let result = try vlm.answer(imagePath: image, question: question, settings: sampling.settings(eos: []))
    print(json ? "{\"answer\":\(ModelJSON.string(result.text))}" : result.text)
  }
}

/// `radlm vlm train`: the two-stage recipe on a synthetic chest data set.
struct VLMTrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train an early-fusion model on a `radlm data synth-cxr` folder: captions, then instructions.",
    discussion:
      "Stage 1 trains the projector on image → report; stage 2 the projector and a LoRA adapter on questions and reports. "
      + "Training cases are those whose number % 10 > 1.")

  @Option(help: "The data set folder (radlm data synth-cxr).") var data: String
  @Option(help: "Language model: a model folder, .gguf file or fetched name.") var languageModel = "smollm2"
  @Option(help: "Image encoder: pixel-patches or efficientnet-lite0.") var encoder = "pixel-patches"
  @Option(help: "Side the images are resized to.") var imageSize = 64
  @Option(help: "Patch side of the pixel-patch encoder.") var patchSize = 8
  @Option(help: "Projector: mlp2x_gelu or linear.") var projector = "mlp2x_gelu"
  @Option(help: "Chat template (chatml, llama3, plain); default the language model's own.") var chatTemplate: String?
  @Option(help: "Optimiser steps of stage 1 (0 skips it).") var captionSteps = 200
  @Option(help: "Optimiser steps of stage 2 (0 skips it).") var instructionSteps = 400
  @Option(help: "Peak learning rate.") var learningRate: Float = 1e-3
  @Option(help: "Examples per step.") var batchSize = 4
  @Option(help: "LoRA rank of stage 2.") var loraRank = 8
  @Option(help: "Use only the first N training cases.") var limit: Int?
  @Option(help: "Seed of the projector, adapter and data order.") var seed: UInt64 = 0
  @Option(help: "The model folder to write.") var out: String
  @Flag(help: "Print one JSON line per step on stdout.") var json = false

  func validate() throws {
    try OptionCheck.exists(data, "--data")
    try OptionCheck.model(languageModel, "--language-model")
    try OptionCheck.oneOf(encoder, VisualEncoderConfiguration.encoderTypes, "--encoder")
    try OptionCheck.integer(imageSize, "--image-size", in: 8...1024)
    try OptionCheck.integer(patchSize, "--patch-size", in: 1...64)
    if encoder == "pixel-patches" && imageSize % patchSize != 0 {
      throw ValidationError("--patch-size must divide --image-size (got \(patchSize) and \(imageSize))")
    }
    try OptionCheck.oneOf(projector, VisionProjector.kinds, "--projector")
    try OptionCheck.oneOf(chatTemplate, ["chatml", "llama3", "plain"], "--chat-template")
    try OptionCheck.count(captionSteps, "--caption-steps", minimum: 0)
    try OptionCheck.count(instructionSteps, "--instruction-steps", minimum: 0)
    try OptionCheck.number(learningRate, "--learning-rate", above: 0, atMost: 1)
    try OptionCheck.integer(batchSize, "--batch-size", in: 1...4096)
    try OptionCheck.integer(loraRank, "--lora-rank", in: 1...1024)
    try OptionCheck.count(limit, "--limit")
    if out.isEmpty { throw ValidationError("--out must name a folder") }
  }

  func run() throws {
    let root = URL(fileURLWithPath: data)
    let annotations = try SyntheticChestDataset.annotations(at: data)
    var training = SyntheticChestExamples.split(annotations, "train")
    if let limit { training = Array(training.prefix(limit)) }
    let validation = Array(SyntheticChestExamples.split(annotations, "validation").prefix(8))
    let configuration = VisionLanguageConfiguration(
      languageModel: languageModel, chatTemplate: chatTemplate,
      visionEncoder: VisualEncoderConfiguration(
        type: encoder, imageSize: imageSize, patchSize: encoder == "pixel-patches" ? patchSize : nil,
        weights: encoder == "efficientnet-lite0" ? "efficientnet" : nil),
      projector: projector)
    let model = try VisionLanguageModel.create(configuration: configuration, seed: seed)
    var settings = VisionLanguageTraining.Settings()
    settings.captionSteps = captionSteps
    settings.instructionSteps = instructionSteps
    settings.learningRate = learningRate
    settings.batchSize = batchSize
    settings.seed = seed
    settings.lora = LoRAConfiguration(
      rank: loraRank, alpha: Float(2 * loraRank), targetModules: ["q_proj", "k_proj", "v_proj", "o_proj"])
    let output = URL(fileURLWithPath: out)
    let progress = TrainingProgress(json: json, quiet: false, log: nil)
    let began = Date()
    let states = try VisionLanguageTraining.run(
      model, captions: SyntheticChestExamples.examples(training, root: root, stage: .captions),
      instructions: SyntheticChestExamples.examples(training, root: root, stage: .instructions),
      validation: [
        .captions: SyntheticChestExamples.examples(validation, root: root, stage: .captions),
        .instructions: SyntheticChestExamples.examples(validation, root: root, stage: .instructions),
      ], settings: settings, work: output.appendingPathComponent("training")
    ) { stage, event in
      if case .started = event { FileHandle.standardError.write(Data("stage \(stage.rawValue)\n".utf8)) }
      progress.handle(event)
    }
    try model.save(to: output)
    let seconds = Date().timeIntervalSince(began)
    let losses = VisionLanguageStage.allCases.compactMap { stage in
      states[stage]?.lossHistory.last.map { "\(stage.rawValue) \(String(format: "%.4f", $0))" }
    }
    FileHandle.standardError.write(
      Data(
        "saved \(out) after \(String(format: "%.0f", seconds)) s (\(training.count) cases; final loss \(losses.joined(separator: ", ")))\n"
          .utf8))
  }
}

/// `radlm vlm eval`: accuracy per question type (and report facts) over an annotations file.
struct VLMEvalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval", abstract: "Score an early-fusion model on a synthetic data set's questions (and reports).")

  @Option(help: "The model folder.") var model: String
  @Option(help: "The data set folder or its annotations.jsonl.") var data: String
  @Option(help: "Split: test, validation, train or all.") var split = "test"
  @Option(help: "Score only the first N images of the split.") var limit: Int?
  @Flag(help: "Also generate each report and score the facts read back from it.") var reports = false
  @Flag(help: "Print one JSON object.") var json = false

  func validate() throws {
    try OptionCheck.exists(model, "--model")
    try OptionCheck.exists(data, "--data")
    try OptionCheck.oneOf(split, ["test", "validation", "train", "all"], "--split")
    try OptionCheck.count(limit, "--limit")
  }

  func run() throws {
    let vlm = try VisionLanguageModel.load(from: URL(fileURLWithPath: model))
    var isDirectory: ObjCBool = false
    _ = FileManager.default.fileExists(atPath: data, isDirectory: &isDirectory)
    let root =
      isDirectory.boolValue ? URL(fileURLWithPath: data) : URL(fileURLWithPath: data).deletingLastPathComponent()
    var annotations = SyntheticChestExamples.split(try SyntheticChestDataset.annotations(at: data), split)
    if let limit { annotations = Array(annotations.prefix(limit)) }
    let began = Date()
    let scores = try VisionLanguageEvaluation.evaluate(vlm, annotations: annotations, root: root, reports: reports) {
      FileHandle.standardError.write(Data("\r\($0)/\(annotations.count) images".utf8))
    }
    FileHandle.standardError.write(Data("\n".utf8))
    let accuracy = scores.accuracy.sorted { $0.key < $1.key }
    if json {
      let fields =
        ["\"split\":\(ModelJSON.string(split))", "\"images\":\(annotations.count)"]
        + accuracy.map { "\"\($0.key)\":\(String(format: "%.4f", $0.value))" }
        + ["\"seconds\":\(String(format: "%.1f", Date().timeIntervalSince(began)))"]
      print("{" + fields.joined(separator: ",") + "}")
    } else {
      print("\(annotations.count) images of the \(split) split")
      for (name, value) in accuracy {
        let count = scores.counts[name] ?? (0, 0)
        print(
          "\(name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(String(format: "%.4f", value))  (\(count.correct)/\(count.total))"
        )
      }
    }
  }
}
