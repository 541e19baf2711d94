import Foundation
import RadImaging
import RadInference
import RadModelFiles
import RadModels
import RadTensor
import RadTokenizers
import RadVision
import Testing

@testable import RadMultimodal

/// The early-fusion splice against transformers (fixture from tools/reference/early_fusion_fixtures.py):
/// image tokens through the 2-layer GELU projector, spliced between token embeddings and run by
/// `LlamaForCausalLM(inputs_embeds=…)`: logits, the answer-only loss and the projector's gradients.
@Suite("Early fusion parity")
struct EarlyFusionParityTests {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/early_fusion")
  static let tokenizerPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("RadTokenizersTests/Fixtures/smollm2_tokenizer.json").path

  /// The tiny Llama of the fixture with the SmolLM2 tokenizer (only its special tokens are used).
  static func model(patchSize: Int = 4, imageSize: Int = 12) throws -> VisionLanguageModel {
    let loaded = try ModelLoader.load(directory: fixtures.appendingPathComponent("llama"))
    let language = try #require(loaded as? any LanguageModel)
    let tokenizer = try TokenizerJSON.load(path: tokenizerPath)
    let bundle = ModelBundle(
      model: language, tokenizer: tokenizer, eosTokenIds: [2],
      storedChatTemplate: StoredChatTemplate(source: nil, origin: "fixture"))
    let configuration = VisionLanguageConfiguration(
      languageModel: fixtures.appendingPathComponent("llama").path, chatTemplate: "chatml",
      visionEncoder: VisualEncoderConfiguration(type: "pixel-patches", imageSize: imageSize, patchSize: patchSize))
    let encoder = try PixelPatchEncoder(imageSize: imageSize, patchSize: patchSize)
    let model = try VisionLanguageModel(configuration: configuration, bundle: bundle, encoder: encoder, seed: 0)
    try model.loadProjector(from: fixtures.appendingPathComponent("projector.safetensors"))
    return model
  }

  static func close(_ a: [Float], _ b: [Double], tolerance: Double) -> Bool {
    guard a.count == b.count else { return false }
    return zip(a, b).allSatisfy { abs(Double($0) - $1) <= tolerance * max(1, abs($1)) }
  }

  @Test func logitsLossAndProjectorGradientsMatchTransformers() throws {
    let root = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: Self.fixtures.appendingPathComponent("splice.json")))
        as? [String: Any])
    let model = try Self.model()
    let (prefix, suffix, answer) = (
      try #require(root["prefix"] as? [Int]), try #require(root["suffix"] as? [Int]),
      try #require(root["answer"] as? [Int])
    )
    let count = try #require(root["token_count"] as? Int)
    let width = try #require(root["token_width"] as? Int)
    #expect(model.encoder.tokenWidth == width && model.imageTokenCount == count)
    let image = Tensor(
      shape: [1, count, width], data: try #require(root["image_tokens"] as? [Double]).map { Float($0) })

    // Logits of the spliced sequence.
    let vectors = try model.inputVectors(prefix: prefix, image: image, rest: suffix + answer)
    let length = try #require(root["length"] as? Int)
    #expect(vectors.shape == [1, length, 32])
    let logits = try Autograd.inferenceMode {
      try model.language.logits(embeddings: vectors.detached(), attentionMask: nil, cache: nil)
    }
    let rows = try #require(root["logit_rows"] as? [Int])
    let expected = try #require(root["logits"] as? [[Double]])
    for (row, values) in zip(rows, expected) {
      let got = Array(logits.data[(row * 512)..<((row + 1) * 512)])
      #expect(Self.close(got, values, tolerance: 2e-4), "logits row \(row)")
    }

    // The answer-only loss and the projector's gradients.
    model.language.parameters.zeroGrad()
    let (loss, targets) = try model.answerLoss(prefix: prefix, encoderTokens: image, suffix: suffix, answer: answer)
    #expect(targets == answer.count)
    #expect(abs(Double(loss.item) - (try #require(root["loss"] as? Double))) < 2e-4)
    loss.backward()
    let gradients = try #require(root["gradients"] as? [String: [Double]])
    #expect(gradients.count == 4)
    for parameter in model.projector.parameters {
      let want = try #require(gradients[parameter.name], "\(parameter.name)")
      let got = try #require(parameter.gradient, "no gradient for \(parameter.name)")
      #expect(Self.close(got, want, tolerance: 5e-4), "gradient of \(parameter.name)")
    }
  }

  /// EfficientNet-Lite0 tokens (`radlm fetch efficientnet`): the cells of the head's feature map
  /// whose mean is the pooled feature vector checked against PyTorch in RadVisionTests.
  @Test func efficientNetTokensAreTheCellsOfThePooledFeatureMap() throws {
    let weights = try ModelCache().path(of: "efficientnet")
    let network = try EfficientNetLite(checkpoint: weights)
    let encoder = try EfficientNetTokenEncoder(network: network, imageSize: 64, weights: "efficientnet")
    var pixels = [Float](repeating: 0, count: 64 * 64)
    for i in pixels.indices {
      let value: Int = (i * 7 + (i / 64) * 13) % 256
      pixels[i] = Float(value)
    }
    let image = try Image(rows: 64, columns: 64, pixels: pixels, metadata: ImageMetadata(maximumSampleValue: 255))
    let tokens = try encoder.tokens(image)
    #expect(tokens.shape == [1, 4, 1282] && encoder.tokenCount == 4 && encoder.tokenWidth == 1282)
    let scaled = pixels.map { ($0 - EfficientNetLite.pixelMean) / EfficientNetLite.pixelStd }
    let pooled = Autograd.inferenceMode {
      network.encode(Tensor(shape: [1, 3, 64, 64], data: scaled + scaled + scaled))
    }.data
    for c in 0..<1280 {
      let cells: [Float] = (0..<4).map { tokens.data[$0 * 1282 + c] }
      let mean: Float = cells.reduce(0, +) / 4
      let bound: Float = 1e-5 * max(1, abs(pooled[c]))
      #expect(abs(mean - pooled[c]) <= bound)
    }
    let rowPositions: [Float] = (0..<4).map { tokens.data[$0 * 1282 + 1280] }
    let columnPositions: [Float] = (0..<4).map { tokens.data[$0 * 1282 + 1281] }
    #expect(rowPositions == [-1, -1, 1, 1] && columnPositions == [-1, 1, -1, 1])
  }

  @Test func badConfigurationsAndPromptsAreRefused() throws {
    let model = try Self.model()
    #expect(throws: VisionLanguageError.self) { _ = try model.promptParts(question: "What is <image>?") }
    #expect(throws: VisionLanguageError.self) { _ = try PixelPatchEncoder(imageSize: 10, patchSize: 4) }
    #expect(throws: VisionLanguageError.self) {
      _ = try VisionProjector(kind: "conv", inputWidth: 4, outputWidth: 4, store: ParameterStore(), seed: 0)
    }
    #expect(throws: VisionLanguageError.self) {
      try model.loadProjector(from: Self.fixtures.appendingPathComponent("llama/model.safetensors"))
    }
  }
}
