import RadTensor

/// The type tag of a GGUF metadata value, as numbered by the GGUF specification.
public enum GGUFValueType: UInt32, Sendable, CustomStringConvertible {
  case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6, bool = 7
  case string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12

  public var description: String {
    switch self {
    case .uint8: return "uint8"
    case .int8: return "int8"
    case .uint16: return "uint16"
    case .int16: return "int16"
    case .uint32: return "uint32"
    case .int32: return "int32"
    case .float32: return "float32"
    case .bool: return "bool"
    case .string: return "string"
    case .array: return "array"
    case .uint64: return "uint64"
    case .int64: return "int64"
    case .float64: return "float64"
    }
  }
}

/// One value of a GGUF file's key/value metadata: a scalar, a string, or a typed array (arrays
/// may nest). The accessors give the common readings (an integer of any width, a float of either
/// width, a list of strings) so model loaders need not care which width the converter chose.
public indirect enum GGUFValue: Sendable, Equatable, CustomStringConvertible {
  case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
  case uint64(UInt64), int64(Int64), float32(Float), float64(Double), bool(Bool), string(String)
  /// An array whose elements all have type `elementType`.
  case array(elementType: GGUFValueType, values: [GGUFValue])

  /// The value's type tag.
  public var type: GGUFValueType {
    switch self {
    case .uint8: return .uint8
    case .int8: return .int8
    case .uint16: return .uint16
    case .int16: return .int16
    case .uint32: return .uint32
    case .int32: return .int32
    case .uint64: return .uint64
    case .int64: return .int64
    case .float32: return .float32
    case .float64: return .float64
    case .bool: return .bool
    case .string: return .string
    case .array: return .array
    }
  }

  /// The value as an integer, for any integer type that fits in `Int`.
  public var intValue: Int? {
    switch self {
    case .uint8(let v): return Int(v)
    case .int8(let v): return Int(v)
    case .uint16(let v): return Int(v)
    case .int16(let v): return Int(v)
    case .uint32(let v): return Int(v)
    case .int32(let v): return Int(v)
    case .uint64(let v): return Int(exactly: v)
    case .int64(let v): return Int(v)
    default: return nil
    }
  }

  /// The value as a Double, for any numeric type.
  public var doubleValue: Double? {
    switch self {
    case .float32(let v): return Double(v)
    case .float64(let v): return v
    default: return intValue.map(Double.init)
    }
  }

  public var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  public var boolValue: Bool? {
    if case .bool(let b) = self { return b }
    return nil
  }

  /// The elements of an array value.
  public var arrayValue: [GGUFValue]? {
    if case .array(_, let values) = self { return values }
    return nil
  }

  /// An array of strings (e.g. `tokenizer.ggml.tokens`).
  public var stringArray: [String]? {
    guard let values = arrayValue else { return nil }
    var out: [String] = []
    out.reserveCapacity(values.count)
    for v in values {
      guard let s = v.stringValue else { return nil }
      out.append(s)
    }
    return out
  }

  /// An array of integers (e.g. `tokenizer.ggml.token_type`).
  public var intArray: [Int]? {
    guard let values = arrayValue else { return nil }
    var out: [Int] = []
    out.reserveCapacity(values.count)
    for v in values {
      guard let i = v.intValue else { return nil }
      out.append(i)
    }
    return out
  }

  /// An array of numbers as Float (e.g. `tokenizer.ggml.scores`).
  public var floatArray: [Float]? {
    guard let values = arrayValue else { return nil }
    var out: [Float] = []
    out.reserveCapacity(values.count)
    for v in values {
      guard let d = v.doubleValue else { return nil }
      out.append(Float(d))
    }
    return out
  }

  /// A one-line rendering; arrays show their element type, length and first `limit` elements.
  public func rendered(arrayLimit limit: Int = 8) -> String {
    switch self {
    case .string(let s): return GGUFValue.quoted(s)
    case .array(let elementType, let values):
      let shown = values.prefix(limit).map { $0.rendered(arrayLimit: limit) }
      let more = values.count > limit ? ", …" : ""
      return "[\(elementType) × \(values.count)] [\(shown.joined(separator: ", "))\(more)]"
    case .uint8(let v): return "\(v)"
    case .int8(let v): return "\(v)"
    case .uint16(let v): return "\(v)"
    case .int16(let v): return "\(v)"
    case .uint32(let v): return "\(v)"
    case .int32(let v): return "\(v)"
    case .uint64(let v): return "\(v)"
    case .int64(let v): return "\(v)"
    case .float32(let v): return "\(v)"
    case .float64(let v): return "\(v)"
    case .bool(let v): return "\(v)"
    }
  }

  public var description: String { rendered() }

  /// A JSON string literal for `s`.
  public static func quoted(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if scalar.value < 0x20 {
          let hex = String(scalar.value, radix: 16)
          out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }
}
