import Foundation
import RadMultimodal
import RadTensor
import RadVision
import Testing

/// The CLIP dual encoder against Hugging Face `CLIPModel` on a tiny random configuration (fixture
/// from tools/reference/vit_clip_fixtures.py): embeddings, logits per image and text, the
/// contrastive loss, and the gradients of the loss for the pixels and every weight.
@Suite("CLIP parity")
struct CLIPParityTests {
  static let fixtureURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/clip_tiny.json")

  struct Fixture {
    let root: [String: Any]
    let tensors: [String: Tensor]

    init() throws {
      let object = try JSONSerialization.jsonObject(with: Data(contentsOf: CLIPParityTests.fixtureURL))
      root = try #require(object as? [String: Any])
      let entries = try #require(root["tensors"] as? [String: [String: Any]])
      var tensors: [String: Tensor] = [:]
      for (name, entry) in entries {
        let shape = try #require(entry["shape"] as? [Int])
        let data = try #require(entry["data"] as? [Double])
        tensors[name] = Tensor(shape: shape, data: data.map { Float($0) })
      }
      self.tensors = tensors
    }

    func tensor(_ name: String) throws -> Tensor { try #require(tensors[name], "fixture has no \(name)") }
  }

  static func build(_ fixture: Fixture) throws -> ContrastiveModel {
    let text = try #require(fixture.root["text_config"] as? [String: Any])
    let vision = try #require(fixture.root["vision_config"] as? [String: Any])
    let store = ParameterStore()
    let weights: (String) throws -> Tensor = { try fixture.tensor("weight." + $0) }
    let imageEncoder = try VisionTransformer(
      config: VisionTransformerConfig(
        family: .clip, imageSize: vision["image_size"] as! Int, patchSize: vision["patch_size"] as! Int,
        hiddenSize: vision["hidden_size"] as! Int, layers: vision["num_hidden_layers"] as! Int,
        heads: vision["num_attention_heads"] as! Int, layerNormEps: Float(vision["layer_norm_eps"] as! Double),
        activation: .quickGelu),
      prefix: "vision_model", store: store, tensors: weights)
    let textEncoder = try CLIPTextTransformer(
      config: CLIPTextTransformer.Config(
        vocabularySize: text["vocab_size"] as! Int, hiddenSize: text["hidden_size"] as! Int,
        layers: text["num_hidden_layers"] as! Int, heads: text["num_attention_heads"] as! Int,
        maxPositions: text["max_position_embeddings"] as! Int, layerNormEps: Float(text["layer_norm_eps"] as! Double),
        activation: .quickGelu, endOfTextId: text["eos_token_id"] as! Int),
      store: store, tensors: weights)
    return ContrastiveModel(
      imageEncoder: imageEncoder, textEncoder: textEncoder, store: store,
      imageProjection: try weights("visual_projection.weight"), textProjection: try weights("text_projection.weight"),
      logitScale: try weights("logit_scale").item)
  }

  @Test func logitsLossAndGradientsMatchTransformers() throws {
    let fixture = try Fixture()
    let model = try Self.build(fixture)
    let ids = try #require(fixture.root["input_ids"] as? [[Int]])
    let mask = try #require(fixture.root["attention_mask"] as? [[Int]])
    let pixels = try fixture.tensor("pixel_values").requiringGrad()
    let images = model.imageEmbeddings(pixels)
    let texts = try model.textEmbeddings(ids: ids, attentionMask: mask)
    expectClose(images, try fixture.tensor("image_embeds"), 1e-4, "image embeddings")
    expectClose(texts, try fixture.tensor("text_embeds"), 1e-4, "text embeddings")
    let (perImage, perText) = model.logits(imageEmbeddings: images, textEmbeddings: texts)
    expectClose(perImage, try fixture.tensor("logits_per_image"), 1e-4, "logits per image")
    expectClose(perText, try fixture.tensor("logits_per_text"), 1e-4, "logits per text")
    let loss = model.loss(imageEmbeddings: images, textEmbeddings: texts)
    expectClose(loss, try fixture.tensor("loss"), 1e-4, "loss")
    loss.backward()
    expectClose(try #require(pixels.grad), try fixture.tensor("grad.pixel_values"), 1e-3, "d pixels")
    var checked = 0
    for parameter in model.parameters.parameters {
      guard let expected = fixture.tensors["grad." + parameter.name] else {
        Issue.record("no reference gradient for \(parameter.name)")
        continue
      }
      let gradient = Tensor(shape: expected.shape, data: try #require(parameter.gradient, "\(parameter.name)"))
      expectGradientClose(gradient, expected, name: parameter.name, "d \(parameter.name)")
      checked += 1
    }
    #expect(checked == fixture.tensors.keys.filter { $0.hasPrefix("grad.") }.count - 1)
  }

  @Test func logitScaleIsClampedToLn100() throws {
    let model = try Self.build(try Fixture())
    #expect(abs(ContrastiveModel.initialLogitScale - Float(log(1 / 0.07))) < 1e-6)
    model.logitScale.update { $0[0] = 7 }
    model.clampLogitScale()
    #expect(model.logitScale.value.item == Float(log(100.0)))
    model.logitScale.update { $0[0] = -1 }
    model.clampLogitScale()
    #expect(model.logitScale.value.item == 0)
  }
}

/// |a − b| ≤ tolerance · max(|b|, 1e-2 · max|expected|) element-wise.
func expectClose(_ actual: Tensor, _ expected: Tensor, _ tolerance: Float, _ label: String) {
  #expect(actual.shape == expected.shape, "\(label): shape \(actual.shape) vs \(expected.shape)")
  let scale = (expected.data.map { abs($0) }.max() ?? 0) * 1e-2
  var worst: Float = 0
  for (a, b) in zip(actual.data, expected.data) {
    let error = abs(a - b) / max(abs(b), scale, .leastNormalMagnitude)
    if error > worst || error.isNaN { worst = error }
  }
  #expect(worst <= tolerance, "\(label): relative error \(worst)")
}

/// Compares a reference gradient. A key projection's bias gets no gradient in exact arithmetic
/// (softmax ignores a constant added to all of a query's scores), so both sides must be float32
/// round-off (≤ 1e-5); everything else is compared relatively.
func expectGradientClose(_ actual: Tensor, _ expected: Tensor, name: String, _ label: String) {
  if name.hasSuffix("k_proj.bias") {
    let largest = (actual.data + expected.data).map { abs($0) }.max() ?? 0
    #expect(largest <= 1e-5, "\(label): key bias gradient \(largest) should vanish")
  } else {
    expectClose(actual, expected, 1e-3, label)
  }
}
