import Foundation
import RadTensor

/// What `radlm inspect tensors` reports for one tensor: its stored type and shape, and after
/// conversion to F32 its sum, mean and first values. Kept in the library so the report's numbers
/// and JSON shape are tested directly.
public struct TensorSummary: Sendable, Equatable {
  public let name: String
  /// Stored element type as the file spells it (`Q4_1`, `F16`).
  public let dtype: String
  public let shape: [Int]
  /// Sum of all values in double precision.
  public let sum: Double
  /// `sum / count` (NaN for an empty tensor).
  public let mean: Double
  /// The first (up to) 8 values.
  public let first: [Float]

  /// Reads tensor `name` from `archive` and summarises it.
  public init(_ archive: any TensorArchive, name: String) throws {
    self.name = name
    dtype = try archive.storedTypeName(of: name)
    let tensor = try archive.tensor(name)
    shape = tensor.shape
    sum = TensorSummary.sum(tensor.data)
    mean = tensor.data.isEmpty ? .nan : sum / Double(tensor.data.count)
    first = Array(tensor.data.prefix(8))
  }

  /// `{"name":…,"dtype":…,"shape":[…],"sum":…,"mean":…,"first":[…]}`.
  public var json: String {
    "{\"name\":\(GGUFValue.quoted(name)),\"dtype\":\(GGUFValue.quoted(dtype)),"
      + "\"shape\":[\(shape.map(String.init).joined(separator: ","))],"
      + "\"sum\":\(JSONText.number(sum)),\"mean\":\(JSONText.number(mean)),"
      + "\"first\":[\(first.map { JSONText.number($0) }.joined(separator: ","))]}"
  }

  /// One tab-separated line for people.
  public var line: String {
    let values = first.map { "\($0)" }.joined(separator: ", ")
    let more = shape.reduce(1, *) > first.count ? ", …" : ""
    return "\(name)\t\(dtype)\t[\(shape.map(String.init).joined(separator: ", "))]"
      + "\tsum=\(sum)\tmean=\(mean)\tfirst=[\(values)\(more)]"
  }

  /// `{"tensors":[…]}` for a list of summaries.
  public static func json(_ summaries: [TensorSummary]) -> String {
    "{\"tensors\":[\(summaries.map(\.json).joined(separator: ","))]}"
  }

  /// The sum in double precision (as numpy's float64 sum), with four accumulators so the loop
  /// vectorises.
  public static func sum(_ values: [Float]) -> Double {
    values.withUnsafeBufferPointer { p -> Double in
      guard let base = p.baseAddress else { return 0 }
      var (a, b, c, d) = (0.0, 0.0, 0.0, 0.0)
      var i = 0
      let n = p.count
      while i + 4 <= n {
        a += Double(base[i])
        b += Double(base[i + 1])
        c += Double(base[i + 2])
        d += Double(base[i + 3])
        i += 4
      }
      while i < n {
        a += Double(base[i])
        i += 1
      }
      return (a + b) + (c + d)
    }
  }
}

/// JSON text for numbers; JSON has no NaN or infinity, so those become null.
public enum JSONText {
  public static func number(_ v: Double) -> String { v.isFinite ? "\(v)" : "null" }
  /// A Float in its shortest round-tripping form (not widened to Double digits).
  public static func number(_ v: Float) -> String { v.isFinite ? "\(v)" : "null" }
}

extension GGUFValue {
  /// JSON for the value, with arrays cut to `arrayLimit` elements.
  public func json(arrayLimit: Int = 8) -> String {
    switch self {
    case .string(let s): return GGUFValue.quoted(s)
    case .bool(let b): return b ? "true" : "false"
    case .float32(let f): return JSONText.number(f)
    case .float64(let d): return JSONText.number(d)
    case .array(_, let values):
      return "[" + values.prefix(arrayLimit).map { $0.json(arrayLimit: arrayLimit) }.joined(separator: ",") + "]"
    default: return rendered()
    }
  }
}

extension GGUFFile {
  /// `{"version":…,"tensor_count":…,"alignment":…,"metadata":[{"key","type"[,"element_type","count"],"value"}]}`
  /// with arrays cut to `arrayLimit` elements (`count` gives the full length).
  public func metadataJSON(arrayLimit: Int = 8) -> String {
    let items = metadata.map { kv -> String in
      var item = "{\"key\":\(GGUFValue.quoted(kv.key)),\"type\":\"\(kv.value.type)\""
      if case .array(let elementType, let values) = kv.value {
        item += ",\"element_type\":\"\(elementType)\",\"count\":\(values.count)"
      }
      return item + ",\"value\":\(kv.value.json(arrayLimit: arrayLimit))}"
    }
    return "{\"version\":\(version),\"tensor_count\":\(tensorInfos.count),"
      + "\"alignment\":\(alignment),\"metadata\":[\(items.joined(separator: ","))]}"
  }

  /// One line per key: `key: type = value`, arrays shortened, after a header line.
  public func metadataText(arrayLimit: Int = 8) -> String {
    var lines = ["GGUF v\(version): \(metadata.count) key/values, \(tensorInfos.count) tensors, alignment \(alignment)"]
    for (key, value) in metadata {
      lines.append("\(key): \(value.type) = \(value.rendered(arrayLimit: arrayLimit))")
    }
    return lines.joined(separator: "\n")
  }
}
