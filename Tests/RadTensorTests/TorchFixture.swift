import Foundation
import RadTensor
import Testing

/// Reads a fixture written by tools/reference/tensor_fixtures.py.
struct TorchFixture {
  let root: [String: Any]
  let tensors: [String: Tensor]

  init(_ name: String) throws {
    let root = try TorchFixture.raw(name)
    self.root = root
    tensors = try TorchFixture.decodeTensors(root["tensors"], file: name)
  }

  /// The fixture's top-level JSON object.
  static func raw(_ name: String) throws -> [String: Any] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("Fixtures").appendingPathComponent(name)
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
    guard let root = object as? [String: Any] else { throw FixtureError.malformed(name) }
    return root
  }

  static func decodeTensors(_ value: Any?, file: String) throws -> [String: Tensor] {
    guard let entries = value as? [String: Any] else { throw FixtureError.malformed(file) }
    var result: [String: Tensor] = [:]
    for (name, entry) in entries {
      guard let dictionary = entry as? [String: Any], let shape = dictionary["shape"] as? [Int],
        let data = dictionary["data"] as? [Double]
      else { throw FixtureError.malformed("\(file): \(name)") }
      result[name] = Tensor(shape: shape, data: data.map { Float($0) })
    }
    return result
  }

  subscript(name: String) -> Tensor {
    get throws {
      guard let tensor = tensors[name] else { throw FixtureError.missing(name) }
      return tensor
    }
  }

  enum FixtureError: Error { case malformed(String), missing(String) }
}

/// Compares element-wise with |a − b| ≤ tolerance · max(|b|, 1e-2 · max|expected|): relative where
/// values are of the tensor's own scale, and not blown up by elements that happen to be near zero
/// (float32 sums of order-one terms leave about 1e-7 absolute error there).
func expectClose(
  _ actual: Tensor, _ expected: Tensor, _ tolerance: Float, _ label: String,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(
    actual.shape == expected.shape, "\(label): shape \(actual.shape) vs \(expected.shape)",
    sourceLocation: sourceLocation)
  let scale = (expected.data.map { abs($0) }.max() ?? 0) * 1e-2
  var worst: Float = 0
  var worstIndex = 0
  for (index, (a, b)) in zip(actual.data, expected.data).enumerated() {
    let error = abs(a - b) / max(abs(b), scale, .leastNormalMagnitude)
    if error > worst || error.isNaN {
      worst = error
      worstIndex = index
    }
  }
  #expect(
    worst <= tolerance,
    "\(label): relative error \(worst) at \(worstIndex) (\(actual.data[worstIndex]) vs \(expected.data[worstIndex]))",
    sourceLocation: sourceLocation)
}
