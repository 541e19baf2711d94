import Foundation

/// A Hugging Face `config.json` read as a dictionary, with typed accessors that throw
/// `ModelError.invalidConfig` naming the file and field when a value is missing or mistyped.
public struct ConfigJSON: @unchecked Sendable {
  /// Where the values came from (for error messages).
  public let source: String
  /// The raw values.
  public let values: [String: Any]

  public init(values: [String: Any], source: String = "config.json") {
    self.values = values
    self.source = source
  }

  /// Parses `data` as a JSON object.
  public init(data: Data, source: String) throws {
    guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw ModelError.invalidConfig(file: source, field: "(root)", reason: "is not a JSON object")
    }
    self.init(values: object, source: source)
  }

  /// Reads and parses the file at `url`.
  public init(contentsOf url: URL) throws {
    guard let data = FileManager.default.contents(atPath: url.path) else {
      throw ModelError.invalidConfig(file: url.path, field: "(file)", reason: "cannot be read")
    }
    try self.init(data: data, source: url.path)
  }

  public func has(_ key: String) -> Bool { values[key] != nil && !(values[key] is NSNull) }

  public func int(_ key: String) throws -> Int {
    guard let value = optionalInt(key) else {
      throw ModelError.invalidConfig(file: source, field: key, reason: has(key) ? "is not an integer" : "is missing")
    }
    return value
  }

  public func optionalInt(_ key: String) -> Int? {
    if let number = values[key] as? NSNumber, !(values[key] is Bool) {
      let double = number.doubleValue
      return double == double.rounded() ? Int(double) : nil
    }
    return values[key] as? Int
  }

  public func int(_ key: String, default fallback: Int) throws -> Int {
    has(key) ? try int(key) : fallback
  }

  public func double(_ key: String) throws -> Double {
    guard let number = values[key] as? NSNumber else {
      throw ModelError.invalidConfig(file: source, field: key, reason: has(key) ? "is not a number" : "is missing")
    }
    return number.doubleValue
  }

  public func double(_ key: String, default fallback: Double) throws -> Double {
    has(key) ? try double(key) : fallback
  }

  public func string(_ key: String) throws -> String {
    guard let value = values[key] as? String else {
      throw ModelError.invalidConfig(file: source, field: key, reason: has(key) ? "is not a string" : "is missing")
    }
    return value
  }

  public func string(_ key: String, default fallback: String) throws -> String {
    has(key) ? try string(key) : fallback
  }

  public func bool(_ key: String, default fallback: Bool) throws -> Bool {
    guard has(key) else { return fallback }
    guard let value = values[key] as? Bool else {
      if let number = values[key] as? NSNumber { return number.intValue != 0 }
      throw ModelError.invalidConfig(file: source, field: key, reason: "is not a boolean")
    }
    return value
  }

  /// A nested object (e.g. `rope_parameters`).
  public func object(_ key: String) -> ConfigJSON? {
    (values[key] as? [String: Any]).map { ConfigJSON(values: $0, source: "\(source) \(key)") }
  }

  /// An integer or the first of a list of integers (`eos_token_id` may be either).
  public func intList(_ key: String) -> [Int] {
    if let single = optionalInt(key) { return [single] }
    if let list = values[key] as? [NSNumber] { return list.map(\.intValue) }
    return []
  }

  /// Serialises back to pretty, key-sorted JSON.
  public func jsonData() throws -> Data {
    try JSONSerialization.data(withJSONObject: values, options: [.prettyPrinted, .sortedKeys])
  }
}
