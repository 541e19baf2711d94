import ArgumentParser
import Foundation
import RadModelFiles
import RadModels
import RadTraining
import RadVision
import RadVisionTasks

/// `radlm clip …`: a CLIP with locked EfficientNet-Lite0 and MiniLM towers and trained projections.
struct CLIPCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "clip",
    abstract: "Train a CLIP on image–text pairs, classify images zero-shot, measure image↔text retrieval.",
    discussion: """
      Image and text towers are the fetched EfficientNet-Lite0 and MiniLM (`radlm fetch efficientnet \
      minilm`), kept frozen; the projections and temperature are trained (symmetric InfoNCE). Pairs \
      files are JSON Lines {"image": PATH, "text": TEXT}, paths relative to the file.
      """,
    subcommands: [CLIPPairsCommand.self, CLIPTrainCommand.self, CLIPZeroShotCommand.self, CLIPRetrieveCommand.self]
  )
}

/// The fetched towers every `clip` command needs.
enum CLIPTowers {
  static func load() throws -> (image: EfficientNetLite, text: SentenceEmbedder) {
    let cache = ModelCache()
    return (
      try EfficientNetLite(checkpoint: try cache.path(of: "efficientnet")),
      try SentenceEmbedder(directory: try cache.path(of: "minilm"))
    )
  }
}

/// `radlm clip train --pairs FILE --out DIR`.
struct CLIPTrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train", abstract: "Train a CLIP's projections on image–text pairs and save it to --out.")

  @Option(help: "Training pairs (JSON Lines {\"image\", \"text\"}).") var pairs: String
  @Option(help: "Validation pairs (same format); the validation loss is reported.") var validation: String?
  @Option(help: "Output folder (clip.json, projections.safetensors, checkpoints/).") var out: String
  @Option(help: "Image side the image tower sees.") var size = 128
  @Option(help: "Width of the shared embedding space.") var projection = 128
  @Option(help: "Optimiser steps.") var steps = 200
  @Option(help: "Pairs per contrastive batch.") var batchSize = 16
  @Option(help: "Peak learning rate.") var learningRate: Float = 1e-3
  @Option(help: "Seed of the projections and the data order.") var seed: UInt64 = 0
  @Flag(help: "Print step reports as JSON lines on stdout.") var json = false

  func validate() throws {
    try OptionCheck.exists(pairs, "--pairs")
    try OptionCheck.exists(validation, "--validation")
    try OptionCheck.integer(size, "--size", in: 32...1024)
    try OptionCheck.integer(projection, "--projection", in: 2...4096)
    try OptionCheck.count(steps, "--steps")
    try OptionCheck.integer(batchSize, "--batch-size", in: 2...4096)
    try OptionCheck.number(learningRate, "--learning-rate", above: 0, atMost: 1)
  }

  func run() throws {
    let towers = try CLIPTowers.load()
    let clip = LockedCLIP(
      imageModel: towers.image, embedder: towers.text, size: size, projectionWidth: projection, seed: seed)
    var configuration = TrainingConfiguration()
    configuration.steps = steps
    configuration.learningRate = learningRate
    configuration.seed = seed
    configuration.warmupSteps = Swift.min(10, steps / 10)
    configuration.evaluateEvery = Swift.max(1, steps / 4)
    let output = URL(fileURLWithPath: out, isDirectory: true)
    let progress = TrainingProgress(json: json, quiet: false, log: nil)
    let state = try clip.train(
      training: try ImageTextExample.read(URL(fileURLWithPath: pairs)),
      validation: try validation.map { try ImageTextExample.read(URL(fileURLWithPath: $0)) } ?? [],
      batchSize: batchSize, configuration: configuration, output: output, events: progress.handle)
    try clip.save(to: output)
    progress.note("saved \(output.appendingPathComponent(LockedCLIP.configFile).path) after \(state.step) steps")
  }
}

/// `radlm clip zero-shot --model DIR --labels A,B FILE…`.
struct CLIPZeroShotCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "zero-shot",
    abstract: "Classify image files by prompts: one JSON line per image with each label's probability.")

  @Option(help: "A CLIP folder written by `radlm clip train`.") var model: String
  @Option(help: "Comma-separated class labels.") var labels: String
  @Option(help: "Prompt template with {} for the label (repeat for an ensemble; default: \"{}\").")
  var template: [String] = []
  @Argument(help: "Image files.") var files: [String]

  func validate() throws {
    try OptionCheck.exists(model, "--model")
    let names = labels.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    if names.count < 2 || names.contains(where: \.isEmpty) {
      throw ValidationError("--labels must list at least two non-empty labels, comma-separated (got \(labels))")
    }
    if let bad = template.first(where: { !$0.contains("{}") }) {
      throw ValidationError("--template must contain {} where the label goes (got \(bad))")
    }
    if files.isEmpty { throw ValidationError("<files> must name at least one image file") }
    try OptionCheck.exist(files, "<files>")
  }

  func run() throws {
    let towers = try CLIPTowers.load()
    let clip = try LockedCLIP(folder: URL(fileURLWithPath: model), imageModel: towers.image, embedder: towers.text)
    let names = labels.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    let templates = template.isEmpty ? ["{}"] : template
    let classifier = try clip.zeroShot(
      labels: names, prompts: names.map { name in templates.map { $0.replacingOccurrences(of: "{}", with: name) } })
    for file in files {
      let probabilities = classifier.probabilities(
        imageEmbeddings: clip.imageEmbeddings(try clip.imageFeatures(paths: [file])))
      let object: [String: Any] = [
        "file": file,
        "probabilities": Dictionary(uniqueKeysWithValues: zip(names, probabilities.data.map(Double.init))),
      ]
      let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
      print(String(decoding: data, as: UTF8.self))
    }
  }
}

/// `radlm clip retrieve --model DIR --pairs FILE`.
struct CLIPRetrieveCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "retrieve",
    abstract: "Image→text and text→image recall@1/5/10 of a CLIP over matching pairs (one JSON object).")

  @Option(help: "A CLIP folder written by `radlm clip train`.") var model: String
  @Option(help: "Pairs to rank (JSON Lines {\"image\", \"text\"}).") var pairs: String

  func validate() throws {
    try OptionCheck.exists(model, "--model")
    try OptionCheck.exists(pairs, "--pairs")
  }

  func run() throws {
    let towers = try CLIPTowers.load()
    let clip = try LockedCLIP(folder: URL(fileURLWithPath: model), imageModel: towers.image, embedder: towers.text)
    let examples = try ImageTextExample.read(URL(fileURLWithPath: pairs))
    let (imageToText, textToImage) = try clip.retrieval(examples)
    func recall(_ r: [Int: Double]) -> [String: Double] {
      Dictionary(uniqueKeysWithValues: r.map { ("r\($0.key)", $0.value) })
    }
    let object: [String: Any] = [
      "pairs": examples.count, "image_to_text": recall(imageToText), "text_to_image": recall(textToImage),
    ]
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    print(String(decoding: data, as: UTF8.self))
  }
}

/// `radlm clip pairs --cxr-metadata metadata.csv --out DIR`: pairs files from the permissive chest X-rays.
struct CLIPPairsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pairs",
    abstract: "Write train.jsonl and test.jsonl image–text pairs from the permissive chest X-rays' metadata.csv.",
    discussion: """
      Text: finding and view, then the clinical note when there is one; each line keeps the image's \
      licence and source URL (CC BY / CC BY-SA: keep the attribution). Split by patient: patient \
      number mod 5 = 0 is test.
      """
  )

  @Option(help: "The cxr_permissive metadata.csv (images in its folder column).") var cxrMetadata: String
  @Option(help: "Output folder for train.jsonl and test.jsonl.") var out: String

  func validate() throws {
    try OptionCheck.exists(cxrMetadata, "--cxr-metadata")
  }

  func run() throws {
    let rows = try PermissiveChestXRay.read(metadata: URL(fileURLWithPath: cxrMetadata))
    let folder = URL(fileURLWithPath: out, isDirectory: true)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    for (name, part) in [("train", rows.filter { !$0.isTest }), ("test", rows.filter(\.isTest))] {
      let text = part.map(\.jsonLine).joined(separator: "\n") + "\n"
      try AtomicFile.write([UInt8](text.utf8), to: folder.appendingPathComponent("\(name).jsonl"))
      print("\(name): \(part.count) pairs, \(Set(part.map(\.patient)).count) patients")
    }
  }
}
