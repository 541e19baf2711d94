import Foundation
import RadModelFiles
import RadTensor
import Testing

/// Shared helpers of the model-file tests: fixture paths, scratch folders, tolerant comparison.
enum ModelFilesSupport {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures")

  static func fixture(_ name: String) -> URL { fixtures.appendingPathComponent(name) }

  static func json(_ name: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(contentsOf: fixture(name)))
  }

  /// A fresh empty folder under the system temporary folder.
  static func scratchFolder(_ label: String = #function) throws -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("radlm-io-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// Whether `a` and `b` agree to `tolerance` relative (absolute near zero).
  static func close(_ a: Double, _ b: Double, tolerance: Double = 1e-5) -> Bool {
    abs(a - b) <= tolerance * max(1, abs(b)) || (a.isNaN && b.isNaN)
  }

  static func doubles(_ any: Any?) -> [Double] {
    (any as? [Any] ?? []).compactMap { ($0 as? NSNumber)?.doubleValue }
  }

  /// The fetched path of a real model; when it is missing the thrown error fails the test with
  /// "run `radlm fetch NAME` first".
  static func realModel(_ name: String) throws -> URL {
    try ModelCache().path(of: name)
  }

  /// Little-endian bytes of an integer.
  static func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] {
    withUnsafeBytes(of: v.littleEndian) { Array($0) }
  }

  /// A safetensors file from a header string and `dataBytes` zero bytes of data.
  static func safetensorsBytes(header: String, dataBytes: Int, declaredLength: UInt64? = nil) -> [UInt8] {
    let h = Array(header.utf8)
    return le(declaredLength ?? UInt64(h.count)) + h + [UInt8](repeating: 0, count: dataBytes)
  }
}
