import Foundation
import RadTensor
import RadVision
import Testing

/// Reads a fixture written by tools/reference/vit_clip_fixtures.py.
struct TransformersFixture {
  let root: [String: Any]
  let tensors: [String: Tensor]

  init(_ url: URL) throws {
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
    guard let root = object as? [String: Any], let entries = root["tensors"] as? [String: [String: Any]] else {
      throw VisionError.badInput("malformed fixture \(url.path)")
    }
    self.root = root
    var tensors: [String: Tensor] = [:]
    for (name, entry) in entries {
      guard let shape = entry["shape"] as? [Int], let data = entry["data"] as? [Double] else {
        throw VisionError.badInput("malformed fixture entry \(name)")
      }
      tensors[name] = Tensor(shape: shape, data: data.map { Float($0) })
    }
    self.tensors = tensors
  }

  func tensor(_ name: String) throws -> Tensor {
    guard let tensor = tensors[name] else { throw VisionError.badInput("fixture has no \(name)") }
    return tensor
  }

  /// A weight by its Hugging Face name.
  func weight(_ name: String) throws -> Tensor { try tensor("weight." + name) }
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

/// ViT and CLIP vision towers against Hugging Face `ViTModel` and `CLIPVisionModel` on tiny random
/// configurations: outputs ≤ 1e-4, gradients of the pixels and every weight ≤ 1e-3 (relative).
@Suite("Vision transformer")
struct VisionTransformerTests {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

  static func config(_ fixture: TransformersFixture, family: VisionTransformerConfig.Family) throws
    -> VisionTransformerConfig
  {
    let fields = try #require(fixture.root["config"] as? [String: Any])
    return VisionTransformerConfig(
      family: family, imageSize: fields["image_size"] as! Int, patchSize: fields["patch_size"] as! Int,
      channels: fields["num_channels"] as! Int, hiddenSize: fields["hidden_size"] as! Int,
      layers: fields["num_hidden_layers"] as! Int, heads: fields["num_attention_heads"] as! Int,
      layerNormEps: Float(fields["layer_norm_eps"] as! Double),
      activation: TransformerActivation(rawValue: fields["hidden_act"] as! String)!)
  }

  @Test(arguments: [("vit_tiny.json", VisionTransformerConfig.Family.vit), ("clip_vision_tiny.json", .clip)])
  func matchesTransformers(_ file: String, _ family: VisionTransformerConfig.Family) throws {
    let fixture = try TransformersFixture(Self.fixtures.appendingPathComponent(file))
    let model = try VisionTransformer(config: try Self.config(fixture, family: family)) {
      try fixture.weight($0)
    }
    let pixels = try fixture.tensor("pixel_values").requiringGrad()
    let output = model.forward(pixels)
    expectClose(output.lastHiddenState, try fixture.tensor("last_hidden_state"), 1e-4, "\(file) last hidden state")
    expectClose(output.pooled, try fixture.tensor("pooler_output"), 1e-4, "\(file) pooled")
    let loss =
      (output.lastHiddenState * (try fixture.tensor("p1"))).sum() + (output.pooled * (try fixture.tensor("p2"))).sum()
    loss.backward()
    expectClose(try #require(pixels.grad), try fixture.tensor("grad.pixel_values"), 1e-3, "\(file) d pixels")
    for parameter in model.parameters.parameters {
      let gradient = Tensor(shape: parameter.value.shape, data: try #require(parameter.gradient, "\(parameter.name)"))
      expectGradientClose(
        gradient, try fixture.tensor("grad." + parameter.name), name: parameter.name, "\(file) d \(parameter.name)")
    }
    #expect(model.parameters.parameters.count == fixture.tensors.keys.filter { $0.hasPrefix("weight.") }.count)
  }
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
