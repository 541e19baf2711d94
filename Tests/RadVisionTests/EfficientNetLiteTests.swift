import Foundation
import RadModelFiles
import RadTensor
import RadVision
import Testing

/// EfficientNet-Lite0 with its released ImageNet weights (`radlm fetch efficientnet`) against the
/// PyTorch reference model (tools/reference/efficientnet_lite0_reference.py) on the fixture images:
/// logits within 1e-3.
@Suite("EfficientNet-Lite0")
struct EfficientNetLiteTests {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

  static func weights() throws -> URL {
    try ModelCache().path(of: "efficientnet")
  }

  @Test func logitsMatchPyTorch() throws {
    let model = try EfficientNetLite(checkpoint: try Self.weights())
    let reference = try #require(
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: Self.fixtures.appendingPathComponent("efficientnet_lite0_logits.json")))
        as? [String: Any])
    let names = try #require(reference["images"] as? [String])
    let logits = try #require(reference["logits"] as? [[Double]])
    let pooled = try #require(reference["pooled"] as? [[Double]])
    let top5 = try #require(reference["top5"] as? [[Int]])
    let images = try names.map { name in
      let bytes = [UInt8](try Data(contentsOf: Self.fixtures.appendingPathComponent("images/\(name)")))
      return try EfficientNetLite.preprocess(rgb: bytes, height: 224, width: 224)
    }
    let batch = Tensor.concatenate(images, axis: 0)
    let (features, output) = Autograd.inferenceMode {
      (model.encode(batch), model.logits(batch))
    }
    #expect(output.shape == [names.count, 1000])
    for row in 0..<names.count {
      let actual = Array(output.data[(row * 1000)..<((row + 1) * 1000)])
      let worst = zip(actual, logits[row]).map { abs(Double($0) - $1) }.max() ?? .infinity
      #expect(worst <= 1e-3, "\(names[row]): max |logit difference| \(worst)")
      let width = model.featureWidth
      let feature = Array(features.data[(row * width)..<((row + 1) * width)])
      let worstFeature = zip(feature, pooled[row]).map { abs(Double($0) - $1) }.max() ?? .infinity
      #expect(worstFeature <= 1e-3, "\(names[row]): max |feature difference| \(worstFeature)")
      let order = actual.indices.sorted { actual[$0] > actual[$1] }
      #expect(Array(order.prefix(5)) == top5[row], "\(names[row]) top-5")
    }
  }
}
