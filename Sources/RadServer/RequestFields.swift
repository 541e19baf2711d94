import Foundation

/// A JSON value as a request carries it (decoded by Foundation's JSONDecoder, which keeps
/// booleans, numbers and strings apart).
enum JSONInput: Decodable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONInput])
  case object([String: JSONInput])

  init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let b = try? container.decode(Bool.self) {
      self = .bool(b)
    } else if let n = try? container.decode(Double.self) {
      self = .number(n)
    } else if let s = try? container.decode(String.self) {
      self = .string(s)
    } else if let a = try? container.decode([JSONInput].self) {
      self = .array(a)
    } else {
      self = .object(try container.decode([String: JSONInput].self))
    }
  }

  var typeName: String {
    switch self {
    case .null: "null"
    case .bool: "boolean"
    case .number: "number"
    case .string: "string"
    case .array: "array"
    case .object: "object"
    }
  }
}

/// The top-level object of a JSON request body with typed accessors: each throws an `APIError`
/// naming the field when it has the wrong type or value, so a client learns which parameter to fix.
struct RequestFields {
  let values: [String: JSONInput]
  /// The path of this object inside the request ("" at the top, "response_format." below it).
  let prefix: String

  /// Parses `bytes` as a JSON object.
  init(json bytes: [UInt8]) throws(APIError) {
    let parsed: JSONInput
    do { parsed = try JSONDecoder().decode(JSONInput.self, from: Data(bytes)) } catch {
      throw APIError(.badRequest, "The request body is not valid JSON", code: "invalid_json")
    }
    guard case .object(let object) = parsed else {
      throw APIError(
        .badRequest, "The request body must be a JSON object, not a \(parsed.typeName)", code: "invalid_json")
    }
    values = object
    prefix = ""
  }

  init(_ values: [String: JSONInput], prefix: String) {
    self.values = values
    self.prefix = prefix
  }

  func has(_ key: String) -> Bool {
    guard let value = values[key] else { return false }
    if case .null = value { return false }
    return true
  }

  private func wrongType(_ key: String, _ expected: String) -> APIError {
    APIError.invalid(prefix + key, "'\(prefix + key)' must be \(expected), not \(values[key]?.typeName ?? "missing")")
  }

  func string(_ key: String) throws(APIError) -> String? {
    guard has(key) else { return nil }
    guard case .string(let s) = values[key] else { throw wrongType(key, "a string") }
    return s
  }

  func requiredString(_ key: String) throws(APIError) -> String {
    guard let s = try string(key) else { throw APIError.missing(prefix + key) }
    return s
  }

  func number(_ key: String, in range: ClosedRange<Double>) throws(APIError) -> Double? {
    guard has(key) else { return nil }
    guard case .number(let n) = values[key] else { throw wrongType(key, "a number") }
    guard range.contains(n) else {
      throw APIError.invalid(
        prefix + key, "'\(prefix + key)' must be between \(range.lowerBound) and \(range.upperBound)")
    }
    return n
  }

  func integer(_ key: String, in range: ClosedRange<Int>) throws(APIError) -> Int? {
    guard has(key) else { return nil }
    guard case .number(let n) = values[key], let i = Int(exactly: n) else { throw wrongType(key, "an integer") }
    guard range.contains(i) else {
      throw APIError.invalid(
        prefix + key, "'\(prefix + key)' must be between \(range.lowerBound) and \(range.upperBound)")
    }
    return i
  }

  func bool(_ key: String) throws(APIError) -> Bool? {
    guard has(key) else { return nil }
    guard case .bool(let b) = values[key] else { throw wrongType(key, "a boolean") }
    return b
  }

  func object(_ key: String) throws(APIError) -> RequestFields? {
    guard has(key) else { return nil }
    guard case .object(let o) = values[key] else { throw wrongType(key, "an object") }
    return RequestFields(o, prefix: prefix + key + ".")
  }

  /// A string or a list of strings (`stop`, `input`, `prompt`).
  func strings(_ key: String) throws(APIError) -> [String]? {
    guard has(key) else { return nil }
    switch values[key] {
    case .string(let s): return [s]
    case .array(let items):
      var out: [String] = []
      for item in items {
        guard case .string(let s) = item else { throw wrongType(key, "a string or an array of strings") }
        out.append(s)
      }
      return out
    default: throw wrongType(key, "a string or an array of strings")
    }
  }

  func array(_ key: String) throws(APIError) -> [JSONInput]? {
    guard has(key) else { return nil }
    guard case .array(let items) = values[key] else { throw wrongType(key, "an array") }
    return items
  }
}
