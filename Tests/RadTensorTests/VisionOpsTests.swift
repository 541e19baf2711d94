import Foundation
import RadTensor
import Testing

/// Convolution, batch norm, pooling and the MobileNet activations against PyTorch (fixtures from
/// tools/reference/vision_fixtures.py): forward ≤ 1e-5 relative, gradients ≤ 1e-4; plus central
/// finite differences for conv2d and batch norm.
@Suite("Vision operations")
struct VisionOpsTests {
  struct Case: @unchecked Sendable, CustomTestStringConvertible {
    let name: String
    let root: [String: Any]
    let tensors: [String: Tensor]
    var testDescription: String { name }

    func tensor(_ key: String) throws -> Tensor {
      guard let value = tensors[key] else { throw TorchFixture.FixtureError.missing("\(name): \(key)") }
      return value
    }

    var inputs: [Tensor] {
      (0..<8).compactMap { tensors["in\($0)"] }
    }
  }

  static let cases: [Case] = {
    guard let root = try? TorchFixture.raw("torch_vision_ops.json"), let list = root["cases"] as? [[String: Any]]
    else { return [] }
    return list.compactMap { entry in
      guard let name = entry["name"] as? String,
        let tensors = try? TorchFixture.decodeTensors(entry["tensors"], file: name)
      else { return nil }
      return Case(name: name, root: entry, tensors: tensors)
    }
  }()

  static func cases(prefix: String) -> [Case] { cases.filter { $0.name.hasPrefix(prefix) } }

  @Test func fixtureHasEveryCase() {
    #expect(Self.cases.count == 23)
  }

  /// Runs `function` on the case's inputs as leaves, compares the output and every input gradient.
  func check(_ testCase: Case, _ function: ([Tensor]) -> Tensor) throws {
    let leaves = testCase.inputs.map { $0.requiringGrad() }
    let out = function(leaves)
    expectClose(out, try testCase.tensor("out"), 1e-5, "\(testCase.name) out")
    (out * (try testCase.tensor("projection"))).sum().backward()
    for (index, leaf) in leaves.enumerated() {
      guard let grad = leaf.grad else {
        Issue.record("\(testCase.name): input \(index) got no gradient")
        continue
      }
      expectClose(grad, try testCase.tensor("grad\(index)"), 1e-4, "\(testCase.name) grad\(index)")
    }
  }

  static func geometry(_ root: [String: Any]) -> Conv2DGeometry {
    let stride = root["stride"] as? Int ?? 1
    let padding = root["padding"] as? [Int] ?? [0, 0, 0, 0]  // left, right, top, bottom (F.pad order)
    let dilation = root["dilation"] as? Int ?? 1
    return Conv2DGeometry(
      strideH: stride, strideW: stride, padTop: padding[2], padBottom: padding[3], padLeft: padding[0],
      padRight: padding[1], dilationH: dilation, dilationW: dilation, groups: root["groups"] as? Int ?? 1)
  }

  @Test(arguments: cases(prefix: "conv_"))
  func conv2d(_ testCase: Case) throws {
    let geometry = Self.geometry(testCase.root)
    try check(testCase) { inputs in
      inputs[0].conv2d(weight: inputs[1], bias: inputs.count > 2 ? inputs[2] : nil, geometry: geometry)
    }
  }

  @Test(arguments: cases(prefix: "bn_train"))
  func batchNormTraining(_ testCase: Case) throws {
    var statistics = BatchNormStatistics(
      mean: try testCase.tensor("running_mean").data, variance: try testCase.tensor("running_var").data)
    let momentum = Float(testCase.root["momentum"] as? Double ?? 0)
    let eps = Float(testCase.root["eps"] as? Double ?? 0)
    try check(testCase) { inputs in
      inputs[0].batchNorm(weight: inputs[1], bias: inputs[2], training: &statistics, momentum: momentum, eps: eps)
    }
    let channels = statistics.mean.count
    expectClose(
      Tensor(shape: [channels], data: statistics.mean), try testCase.tensor("running_mean_after"), 1e-5, "mean")
    expectClose(
      Tensor(shape: [channels], data: statistics.variance), try testCase.tensor("running_var_after"), 1e-5, "variance")
    #expect(statistics.batchesTracked == 1)
  }

  @Test func batchNormEvaluation() throws {
    let testCase = try #require(Self.cases.first { $0.name == "bn_eval" })
    let statistics = BatchNormStatistics(
      mean: try testCase.tensor("running_mean").data, variance: try testCase.tensor("running_var").data)
    let eps = Float(testCase.root["eps"] as? Double ?? 0)
    try check(testCase) { inputs in
      inputs[0].batchNorm(weight: inputs[1], bias: inputs[2], statistics: statistics, eps: eps)
    }
  }

  @Test(arguments: cases(prefix: "maxpool") + cases(prefix: "avgpool") + cases(prefix: "adaptive"))
  func pooling(_ testCase: Case) throws {
    let root = testCase.root
    try check(testCase) { inputs in
      if let output = root["output"] as? [Int] {
        return inputs[0].adaptiveAvgPool2d(outputHeight: output[0], outputWidth: output[1])
      }
      let (kernel, stride, padding) = (root["kernel"] as! Int, root["stride"] as! Int, root["padding"] as! Int)
      if testCase.name.hasPrefix("maxpool") {
        return inputs[0].maxPool2d(kernel: kernel, stride: stride, padding: padding)
      }
      return inputs[0].avgPool2d(
        kernel: kernel, stride: stride, padding: padding, countIncludePad: root["count_include_pad"] as! Bool)
    }
  }

  @Test(arguments: ["relu6", "hardswish"])
  func activation(_ name: String) throws {
    let testCase = try #require(Self.cases.first { $0.name == name })
    try check(testCase) { name == "relu6" ? $0[0].relu6() : $0[0].hardswish() }
  }

  @Test func conv2dFiniteDifferences() {
    var random = SeededRandom(seed: 7)
    var checker = GradientCheck()
    let x = Tensor.normal([2, 4, 5, 5], std: 0.5, using: &random)
    let weight = Tensor.normal([6, 2, 3, 3], std: 0.5, using: &random)
    let bias = Tensor.normal([6], using: &random)
    let geometry = Conv2DGeometry(strideH: 2, strideW: 1, padTop: 1, padBottom: 0, padLeft: 1, padRight: 2, groups: 2)
    checker.check("grouped conv2d", inputs: [x, weight, bias]) {
      $0[0].conv2d(weight: $0[1], bias: $0[2], geometry: geometry)
    }
    let depthwise = Tensor.normal([4, 1, 3, 3], std: 0.5, using: &random)
    checker.check("depthwise conv2d", inputs: [x, depthwise]) {
      $0[0].conv2d(weight: $0[1], geometry: Conv2DGeometry(stride: 2, padding: 1, dilation: 1, groups: 4))
    }
  }

  @Test func batchNormFiniteDifferences() {
    var random = SeededRandom(seed: 8)
    var checker = GradientCheck()
    let x = Tensor.normal([3, 2, 3, 3], using: &random)
    let weight = Tensor.normal([2], using: &random)
    let bias = Tensor.normal([2], using: &random)
    checker.check("batch norm (training)", inputs: [x, weight, bias]) { inputs in
      var statistics = BatchNormStatistics(channels: 2)
      return inputs[0].batchNorm(weight: inputs[1], bias: inputs[2], training: &statistics)
    }
  }
}
