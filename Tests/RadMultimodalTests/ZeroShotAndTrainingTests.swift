import Foundation
import RadModels
import RadMultimodal
import RadTensor
import RadTraining
import RadVision
import Testing

/// Zero-shot classification with prompt ensembles and Recall@K against the reference values of
/// tools/reference/vit_clip_fixtures.py, and CLIP training through the shared trainer (the loss
/// falls; a resumed run equals an uninterrupted one).
@Suite("CLIP zero-shot, retrieval and training")
struct ZeroShotAndTrainingTests {
  @Test func zeroShotMatchesTransformers() throws {
    let fixture = try CLIPParityTests.Fixture()
    let model = try CLIPParityTests.build(fixture)
    let prompts = try #require(fixture.root["zero_shot_prompts"] as? [[[Int]]])
    let classifier = try ZeroShotClassifier(model: model, labels: ["first", "second"], prompts: prompts)
    expectClose(classifier.classEmbeddings, try fixture.tensor("zero_shot_class_embeddings"), 1e-4, "class vectors")
    let images = Autograd.inferenceMode { model.imageEmbeddings(try! fixture.tensor("pixel_values")) }
    expectClose(
      classifier.probabilities(imageEmbeddings: images), try fixture.tensor("zero_shot_probabilities"), 1e-4,
      "probabilities")
  }

  @Test func recallAtKMatchesReference() throws {
    let fixture = try CLIPParityTests.Fixture()
    let expected = try #require(fixture.root["retrieval_recall"] as? [String: Double])
    let similarity = try fixture.tensor("retrieval_similarity")
    let recall = RetrievalMetrics.recall(similarity: similarity, relevant: Array(0..<similarity.shape[0]))
    for k in [1, 5, 10] {
      #expect(abs((recall[k] ?? -1) - (expected["\(k)"] ?? -2)) < 1e-6, "R@\(k)")
    }
  }

  /// Eight pairs of seeded images and token sequences for the tiny fixture model.
  static func pairs() -> [ImageTextPair] {
    var random = SeededRandom(seed: 5)
    return (0..<8).map { index in
      let image = Tensor.normal([3, 8, 8], using: &random)
      let body = (0..<(2 + index % 3)).map { (index * 7 + $0 * 3) % 40 + 1 }
      return ImageTextPair(image: image, ids: [48] + body + [49])
    }
  }

  static func configuration(steps: Int) -> TrainingConfiguration {
    var configuration = TrainingConfiguration()
    configuration.steps = steps
    configuration.learningRate = 3e-3
    configuration.warmupSteps = 0
    configuration.schedule = "constant"
    configuration.seed = 9
    configuration.checkpointEvery = 3
    return configuration
  }

  @Test func trainingLowersTheLossAndResumesExactly() throws {
    let fixture = try CLIPParityTests.Fixture()
    let pairs = Self.pairs()
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("radlm-clip-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: output) }

    let model = try CLIPParityTests.build(fixture)
    let objective = ContrastiveObjective(model: model, training: pairs, validation: pairs, batchSize: 4, seed: 3)
    let before = try #require(try objective.validationLoss())
    let state = try Trainer(objective: objective, configuration: Self.configuration(steps: 6), output: output).run()
    let after = try #require(try objective.validationLoss())
    #expect(after < before, "validation loss \(before) → \(after)")
    #expect(state.lossHistory.count == 6)

    // Three steps, then a fresh model resumed from the step-3 checkpoint for the other three.
    let resumedOutput = output.appendingPathComponent("resumed")
    let first = try CLIPParityTests.build(fixture)
    try Trainer(
      objective: ContrastiveObjective(model: first, training: pairs, validation: pairs, batchSize: 4, seed: 3),
      configuration: Self.configuration(steps: 3), output: resumedOutput
    ).run()
    let second = try CLIPParityTests.build(fixture)
    let trainer = Trainer(
      objective: ContrastiveObjective(model: second, training: pairs, validation: pairs, batchSize: 4, seed: 3),
      configuration: Self.configuration(steps: 6), output: resumedOutput)
    try trainer.resume()
    try trainer.run()
    for parameter in model.parameters.parameters {
      let resumed = try #require(second.parameters[parameter.name])
      #expect(resumed.value.data == parameter.value.data, "\(parameter.name) differs after resume")
    }
  }

  /// "Any image encoder + any text encoder": the fixture's ViT tower with a freshly initialised
  /// BERT (mean pooling) trains through the same objective and trainer.
  @Test func bertTextTowerTrains() throws {
    let fixture = try CLIPParityTests.Fixture()
    let clip = try CLIPParityTests.build(fixture)
    let store = ParameterStore()
    let vision = try VisionTransformer(
      config: (clip.imageEncoder as! VisionTransformer).config, prefix: "vision_model", store: store
    ) { try fixture.tensor("weight." + $0) }
    let bert = BertModel(
      config: BertConfiguration(
        vocabularySize: 50, width: 16, layers: 1, heads: 2, intermediateWidth: 32, maxPositions: 16),
      store: store, seed: 4, pooler: false)
    let model = ContrastiveModel(
      imageEncoder: vision, textEncoder: BertTextEncoder(model: bert), store: store, projectionWidth: 8, seed: 2)
    let pairs = Self.pairs()
    let objective = ContrastiveObjective(model: model, training: pairs, validation: pairs, batchSize: 4, seed: 3)
    let before = try #require(try objective.validationLoss())
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("radlm-clip-bert-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: output) }
    try Trainer(objective: objective, configuration: Self.configuration(steps: 6), output: output).run()
    let after = try #require(try objective.validationLoss())
    #expect(after < before, "validation loss \(before) → \(after)")
  }
}
