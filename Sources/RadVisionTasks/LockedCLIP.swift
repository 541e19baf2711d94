import Foundation
import RadImaging
import RadModelFiles
import RadModels
import RadMultimodal
import RadTensor
import RadTraining
import RadVision

/// One image–text example of a pairs file: the image's path and its text (a caption, a note).
public struct ImageTextExample: Sendable, Equatable {
  public var image: String
  public var text: String

  public init(image: String, text: String) {
    self.image = image
    self.text = text
  }

  /// Reads JSON Lines `{"image": PATH, "text": TEXT}`; relative image paths are taken from the
  /// file's folder, and every image must exist.
  public static func read(_ url: URL) throws -> [ImageTextExample] {
    var reader = JSONLinesReader()
    let folder = url.deletingLastPathComponent()
    let examples = try reader.read(url).map { line, object -> ImageTextExample in
      let image = try JSONLinesReader.string(object, "image", file: url.path, line: line)
      let text = try JSONLinesReader.string(object, "text", file: url.path, line: line)
      let path = image.hasPrefix("/") ? image : folder.appendingPathComponent(image).path
      guard FileManager.default.fileExists(atPath: path) else {
        throw TrainingDataError.malformedLine(file: url.path, line: line, reason: "image \(path) does not exist")
      }
      return ImageTextExample(image: path, text: text)
    }
    guard !examples.isEmpty else { throw TrainingDataError.empty(file: url.path) }
    return examples
  }
}

/// A CLIP with locked towers (LiT-style): EfficientNet-Lite0's ImageNet features and MiniLM's
/// mean-pooled sentence states stay frozen, and only the two projections into the shared space
/// and the temperature are trained with the symmetric InfoNCE loss. That is what a department's
/// few hundred image–note pairs can fit on two cores; the full dual encoder (`ContrastiveModel`
/// with trainable towers) is the same objective. A saved model is a folder with `clip.json`
/// (image size, projection width, which encoders) and `projections.safetensors`.
public final class LockedCLIP: @unchecked Sendable {
  public static let configFile = "clip.json"
  public static let weightsFile = "projections.safetensors"

  public let imageModel: EfficientNetLite
  public let embedder: SentenceEmbedder
  /// Side of the images the image tower sees.
  public let size: Int
  public let model: ContrastiveModel

  /// A fresh model: seeded random projections of width `projectionWidth`.
  public init(imageModel: EfficientNetLite, embedder: SentenceEmbedder, size: Int, projectionWidth: Int, seed: UInt64) {
    self.imageModel = imageModel
    self.embedder = embedder
    self.size = size
    model = ContrastiveModel(
      imageEncoder: PrecomputedImageFeatures(featureWidth: imageModel.featureWidth),
      textEncoder: LockedTextEncoder(BertTextEncoder(model: embedder.encoder, pooling: .mean)),
      store: ParameterStore(), projectionWidth: projectionWidth, seed: seed)
  }

  /// Loads a folder written by `save(to:)`.
  public init(folder: URL, imageModel: EfficientNetLite, embedder: SentenceEmbedder) throws {
    let configURL = folder.appendingPathComponent(Self.configFile)
    guard let data = FileManager.default.contents(atPath: configURL.path),
      let config = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let size = config["size"] as? Int
    else { throw VisionError.badInput("\(configURL.path) is missing or has no \"size\"") }
    let weights = try SafetensorsFile(url: folder.appendingPathComponent(Self.weightsFile))
    let image = try weights.tensor("visual_projection.weight")
    let text = try weights.tensor("text_projection.weight")
    guard image.rank == 2, text.rank == 2, image.shape[1] == imageModel.featureWidth,
      text.shape[1] == embedder.encoder.config.width, image.shape[0] == text.shape[0]
    else {
      throw VisionError.badWeights("\(folder.path): projections \(image.shape), \(text.shape) do not fit the encoders")
    }
    self.imageModel = imageModel
    self.embedder = embedder
    self.size = size
    model = ContrastiveModel(
      imageEncoder: PrecomputedImageFeatures(featureWidth: imageModel.featureWidth),
      textEncoder: LockedTextEncoder(BertTextEncoder(model: embedder.encoder, pooling: .mean)),
      store: ParameterStore(), imageProjection: image, textProjection: text,
      logitScale: try weights.tensor("logit_scale").data.first ?? ContrastiveModel.initialLogitScale)
  }

  /// Writes `clip.json` and `projections.safetensors` into `folder` (created if needed).
  public func save(to folder: URL) throws {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let config: [String: Any] = [
      "image_encoder": "efficientnet-lite0", "text_encoder": "minilm (mean pooling)", "size": size,
      "projection_width": model.imageProjection.value.shape[0],
    ]
    let json = try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys, .prettyPrinted])
    try AtomicFile.write([UInt8](json), to: folder.appendingPathComponent(Self.configFile))
    try SafetensorsWriter.write(
      [
        "visual_projection.weight": model.imageProjection.value, "text_projection.weight": model.textProjection.value,
        "logit_scale": model.logitScale.value,
      ], to: folder.appendingPathComponent(Self.weightsFile))
  }

  /// The frozen image features of files, each [W, 1, 1].
  public func imageFeatures(paths: [String]) throws -> [Tensor] {
    try paths.map { path in
      let input = try EfficientNetInput.file(path, size: size)
      return Autograd.inferenceMode { imageModel.encode(input) }.reshaped([imageModel.featureWidth, 1, 1])
    }
  }

  /// The frozen image features of labelled images (MedMNIST), each [W, 1, 1].
  public func imageFeatures(_ images: LabelledImages, batchSize: Int = 32) throws -> [Tensor] {
    try ImageFeatures.efficientNet(imageModel, images: images, size: size, batchSize: batchSize).map {
      Tensor(shape: [$0.count, 1, 1], data: $0.map(Float.init))
    }
  }

  /// MiniLM token ids of a text (truncated to its maximum length).
  public func ids(_ text: String) -> [Int] { embedder.tokenizer.encode(text).ids }

  /// Normalised embeddings [N, projection] of image features.
  public func imageEmbeddings(_ features: [Tensor]) -> Tensor {
    Autograd.inferenceMode {
      model.imageEmbeddings(Tensor.concatenate(features.map { $0.reshaped([1] + $0.shape) }, axis: 0))
    }
  }

  /// Normalised embeddings [N, projection] of texts.
  public func textEmbeddings(_ texts: [String]) throws -> Tensor {
    let (ids, mask) = ContrastiveObjective.collate(texts.map(ids), padId: embedder.encoder.config.padTokenId)
    return try Autograd.inferenceMode { try model.textEmbeddings(ids: ids, attentionMask: mask) }
  }

  /// Trains the projections and temperature on `training` pairs (validation pairs report the
  /// loss) with the shared trainer; checkpoints go to `output`.
  public func train(
    training: [ImageTextExample], validation: [ImageTextExample], batchSize: Int,
    configuration: TrainingConfiguration, output: URL, events: (TrainingEvent) -> Void = { _ in }
  ) throws -> TrainingState {
    func pairs(_ examples: [ImageTextExample]) throws -> [ImageTextPair] {
      let features = try imageFeatures(paths: examples.map(\.image))
      return zip(features, examples).map { ImageTextPair(image: $0, ids: ids($1.text)) }
    }
    let objective = ContrastiveObjective(
      model: model, training: try pairs(training), validation: try pairs(validation),
      batchSize: Swift.min(batchSize, training.count), padId: embedder.encoder.config.padTokenId,
      seed: configuration.seed)
    let trainer = Trainer(objective: objective, configuration: configuration, output: output)
    let state = try trainer.run(events: events)
    model.clampLogitScale()
    return state
  }

  /// A zero-shot classifier over `labels`, each described by its prompts.
  public func zeroShot(labels: [String], prompts: [[String]]) throws -> ZeroShotClassifier {
    try ZeroShotClassifier(
      model: model, labels: labels, prompts: prompts.map { $0.map(ids) }, padId: embedder.encoder.config.padTokenId)
  }

  /// Image→text and text→image recall@1/5/10 over matching pairs (row i of each belongs together).
  public func retrieval(_ examples: [ImageTextExample]) throws -> (
    imageToText: [Int: Double], textToImage: [Int: Double]
  ) {
    let images = imageEmbeddings(try imageFeatures(paths: examples.map(\.image)))
    let texts = try textEmbeddings(examples.map(\.text))
    let similarity = Autograd.inferenceMode { images.matmul(texts, transposeOther: true) }
    let relevant = Array(0..<examples.count)
    return (
      RetrievalMetrics.recall(similarity: similarity, relevant: relevant),
      RetrievalMetrics.recall(similarity: similarity.transposed(0, 1), relevant: relevant)
    )
  }
}

/// Zero-shot scores of MedMNIST images from a saved CLIP: P(label 1) from the task's prompts.
public enum ZeroShotScorer {
  public static func medMNIST(
    clipFolder: URL, task: MedMNISTTask, imageModel: EfficientNetLite, embedder: SentenceEmbedder
  ) throws -> (LabelledImages) throws -> [Double] {
    let clip = try LockedCLIP(folder: clipFolder, imageModel: imageModel, embedder: embedder)
    let classifier = try clip.zeroShot(labels: task.classNames, prompts: task.prompts)
    return { images in
      let probabilities = classifier.probabilities(
        imageEmbeddings: clip.imageEmbeddings(try clip.imageFeatures(images)))
      return (0..<images.count).map { Double(probabilities.data[$0 * 2 + 1]) }
    }
  }
}
