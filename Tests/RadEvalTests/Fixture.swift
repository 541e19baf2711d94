import Foundation
import RadEval

/// Reads the committed parity fixtures written by tools/reference/metric_fixtures.py.
enum Fixture {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures")

  static func json(_ name: String) throws -> [String: Any] {
    let data = try Data(contentsOf: directory.appendingPathComponent(name))
    guard let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw FixtureError.malformed(name)
    }
    return obj
  }

  static func parity() throws -> [String: Any] { try json("metric_parity.json") }

  /// The fixture's text pairs (single reference).
  static func pairs(_ root: [String: Any]) -> [TextPair] {
    (root["pairs"] as? [[String: Any]] ?? []).map {
      TextPair(reference: $0["reference"] as? String ?? "", hypothesis: $0["hypothesis"] as? String ?? "")
    }
  }

  static func multi(_ root: [String: Any]) -> [TextPair] {
    (root["multi"] as? [[String: Any]] ?? []).map {
      TextPair(references: $0["references"] as? [String] ?? [], hypothesis: $0["hypothesis"] as? String ?? "")
    }
  }
}

enum FixtureError: Error { case malformed(String) }

func double(_ any: Any?) -> Double {
  if let n = any as? NSNumber { return n.doubleValue }
  if let s = any as? String {
    switch s {
    case "nan": return .nan
    case "inf": return .infinity
    case "-inf": return -.infinity
    default: return Double(s) ?? .nan
    }
  }
  return .nan
}

func doubles(_ any: Any?) -> [Double] { (any as? [Any] ?? []).map(double) }
func ints(_ any: Any?) -> [Int] { (any as? [Any] ?? []).map { Int(double($0)) } }

/// |a − b| ≤ 1e-12 (relative for large values), NaN equals NaN.
func close(_ a: Double, _ b: Double, _ tol: Double = 1e-12) -> Bool {
  if a.isNaN && b.isNaN { return true }
  return abs(a - b) <= tol * max(1, abs(b))
}
