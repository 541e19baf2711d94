import Foundation

/// A JSON value the server writes. Numbers keep their Swift type so that a `Float` is printed
/// as Swift prints it (the shortest text that reads back as the same Float, as `radlm embed`
/// prints), and object keys keep the order given, so responses read like OpenAI's.
public indirect enum JSONText: Sendable, Equatable {
  case string(String)
  case int(Int)
  case float(Float)
  case double(Double)
  case bool(Bool)
  case null
  case array([JSONText])
  case object([(String, JSONText)])

  public static func == (a: JSONText, b: JSONText) -> Bool { a.serialized == b.serialized }

  /// The compact JSON text.
  public var serialized: String {
    var out = ""
    write(into: &out)
    return out
  }

  func write(into out: inout String) {
    switch self {
    case .string(let s): Self.quote(s, into: &out)
    case .int(let i): out += String(i)
    case .float(let f): out += f.isFinite ? "\(f)" : "null"
    case .double(let d): out += d.isFinite ? "\(d)" : "null"
    case .bool(let b): out += b ? "true" : "false"
    case .null: out += "null"
    case .array(let items):
      out += "["
      for (i, item) in items.enumerated() {
        if i > 0 { out += "," }
        item.write(into: &out)
      }
      out += "]"
    case .object(let members):
      out += "{"
      for (i, (key, value)) in members.enumerated() {
        if i > 0 { out += "," }
        Self.quote(key, into: &out)
        out += ":"
        value.write(into: &out)
      }
      out += "}"
    }
  }

  static func quote(_ s: String, into out: inout String) {
    out += "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20:
        out +=
          "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
          + String(scalar.value, radix: 16)
      default: out.unicodeScalars.append(scalar)
      }
    }
    out += "\""
  }
}
