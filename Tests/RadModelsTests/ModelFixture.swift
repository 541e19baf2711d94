import Foundation
import RadModelFiles
import RadModels
import RadTensor
import Testing

/// One reference fixture written by tools/reference/model_fixtures.py: a tiny transformers model
/// (config.json + model.safetensors), its inputs and transformers' outputs and gradients.
struct ModelFixture {
  let directory: URL
  let inputs: [String: Any]
  let expected: SafetensorsFile

  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

  init(_ name: String) throws {
    directory = ModelFixture.root.appendingPathComponent(name)
    let data = try Data(contentsOf: directory.appendingPathComponent("inputs.json"))
    inputs = try JSONSerialization.jsonObject(with: data) as! [String: Any]
    expected = try SafetensorsFile(url: directory.appendingPathComponent("expected.safetensors"))
  }

  func rows(_ key: String) -> [[Int]] { (inputs[key] as? [[Int]]) ?? [] }
  func optionalRows(_ key: String) -> [[Int]]? { inputs[key] as? [[Int]] }
  func number(_ key: String) -> Float { Float((inputs[key] as! NSNumber).doubleValue) }
  func tensor(_ name: String) throws -> Tensor { try expected.tensor(name) }
  var config: ConfigJSON { get throws { try ConfigJSON(contentsOf: directory.appendingPathComponent("config.json")) } }
  var weights: any TensorArchive { get throws { try ModelLoader.weightsArchive(in: directory) } }

  /// Gradient names stored in the fixture.
  var gradientNames: [String] { expected.tensorNames.filter { $0.hasPrefix("grad.") }.map { String($0.dropFirst(5)) } }
}

/// Largest absolute difference, with a shape check.
func maxAbsDifference(_ a: Tensor, _ b: Tensor) -> Float {
  #expect(a.count == b.count, "sizes differ: \(a.shape) vs \(b.shape)")
  var worst: Float = 0
  for (x, y) in zip(a.data, b.data) { worst = max(worst, abs(x - y)) }
  return a.data.contains(where: \.isNaN) ? .infinity : worst
}

/// max|a − b| / max|b|: the relative error of a whole gradient tensor. Gradients that are zero
/// in exact arithmetic (a key bias: softmax ignores a constant added to a row) are float noise
/// on both sides, so a difference below 1e-6 in absolute terms counts as zero.
func relativeDifference(_ a: [Float], _ b: [Float]) -> Float {
  var worst: Float = 0
  var scale: Float = 0
  for (x, y) in zip(a, b) {
    worst = max(worst, abs(x - y))
    scale = max(scale, abs(y))
  }
  return worst <= 1e-6 ? 0 : worst / max(scale, 1e-12)
}

/// Compares every parameter gradient with the fixture's, by Hugging Face name (the fixture may
/// carry the task-model prefix).
func expectGradientsMatch(_ model: any TransformerModel, _ fixture: ModelFixture, tolerance: Float = 1e-3) throws {
  let names = fixture.gradientNames
  #expect(!names.isEmpty)
  var checked = 0
  for name in names {
    let parameter =
      model.parameters[name]
      ?? model.parameters[(model.basePrefix.map { $0 + "." } ?? "") + name]
      ?? model.parameters[String(name.drop(while: { $0 != "." }).dropFirst())]
    guard let parameter else {
      Issue.record("no parameter for gradient \(name)")
      continue
    }
    guard let gradient = parameter.gradient else {
      Issue.record("\(name) received no gradient")
      continue
    }
    let reference = try fixture.tensor("grad." + name)
    let error = relativeDifference(gradient, reference.data)
    #expect(error <= tolerance, "gradient of \(name): relative error \(error)")
    checked += 1
  }
  #expect(checked == names.count)
}
