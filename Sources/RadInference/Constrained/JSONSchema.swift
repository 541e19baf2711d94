/// A JSON Schema restricted to the subset constrained decoding supports: `type` (one name or a
/// list), `properties`, `required`, `additionalProperties: false`, `items`, `minItems`,
/// `maxItems`, `enum`, `const`, `maxLength` and `anyOf`, plus ignored annotations (`title`,
/// `description`, `$schema`, …). Any other keyword is rejected with an error naming it, so a
/// schema never silently means less than it says.
public final class JSONSchema: Sendable {
  /// The seven JSON Schema type names.
  public enum TypeName: String, Sendable, CaseIterable {
    case object, array, string, number, integer, boolean, null
  }

  public let types: [TypeName]?
  /// Declared properties in schema order.
  public let properties: [(name: String, schema: JSONSchema)]
  public let required: [String]
  public let additionalPropertiesAllowed: Bool
  public let items: JSONSchema?
  public let minItems: Int
  public let maxItems: Int?
  public let maxLength: Int?
  public let enumValues: [JSONValue]?
  public let constValue: JSONValue?
  public let anyOf: [JSONSchema]?
  /// The schema document this was read from.
  public let source: JSONValue
  /// `source` as compact JSON text.
  public var sourceText: String { source.jsonText }

  static let annotations: Set<String> = [
    "title", "description", "$schema", "$id", "$comment", "examples", "default",
  ]

  /// Reads a schema document (JSON text).
  public convenience init(text: String) throws(JSONSchemaError) {
    let value: JSONValue
    do { value = try JSONValue.parse(text) } catch { throw JSONSchemaError(path: "", message: "not JSON: \(error)") }
    try self.init(value: value, path: "")
  }

  /// Reads a schema from a parsed value; `path` (a JSON pointer) names its place in error messages.
  public init(value: JSONValue, path: String = "") throws(JSONSchemaError) {
    guard case .object(let members) = value else {
      throw JSONSchemaError(path: path, message: "a schema must be an object (boolean schemas are not supported)")
    }
    func fail(_ message: String) -> JSONSchemaError { JSONSchemaError(path: path, message: message) }
    source = value
    func count(_ key: String) throws(JSONSchemaError) -> Int? {
      guard let v = value[key] else { return nil }
      guard case .number(let x, _) = v, x >= 0, x == x.rounded(), x < 1e9 else {
        throw fail("\"\(key)\" must be a non-negative integer")
      }
      return Int(x)
    }
    for member in members where !Self.annotations.contains(member.key) {
      let supported = [
        "type", "properties", "required", "additionalProperties", "items", "minItems", "maxItems", "maxLength",
        "enum", "const", "anyOf",
      ]
      guard supported.contains(member.key) else {
        throw fail("unsupported keyword \"\(member.key)\" (supported: \(supported.joined(separator: ", ")))")
      }
    }
    switch value["type"] {
    case nil: types = nil
    case .string(let name)?:
      guard let t = TypeName(rawValue: name) else { throw fail("unknown type \"\(name)\"") }
      types = [t]
    case .array(let names)?:
      var list: [TypeName] = []
      for name in names {
        guard case .string(let n) = name, let t = TypeName(rawValue: n) else { throw fail("unknown type \(name.jsonText)") }
        if !list.contains(t) { list.append(t) }
      }
      guard !list.isEmpty else { throw fail("\"type\" must not be an empty list") }
      types = list
    default: throw fail("\"type\" must be a type name or a list of them")
    }
    var props: [(name: String, schema: JSONSchema)] = []
    if let p = value["properties"] {
      guard case .object(let declared) = p else { throw fail("\"properties\" must be an object") }
      for member in declared {
        props.append((member.key, try JSONSchema(value: member.value, path: path + "/properties/" + member.key)))
      }
    }
    properties = props
    var names: [String] = []
    if let r = value["required"] {
      guard case .array(let list) = r else { throw fail("\"required\" must be a list of names") }
      for item in list {
        guard case .string(let name) = item else { throw fail("\"required\" must be a list of names") }
        if !names.contains(name) { names.append(name) }
      }
    }
    required = names
    switch value["additionalProperties"] {
    case nil, .bool(true)?: additionalPropertiesAllowed = true
    case .bool(false)?: additionalPropertiesAllowed = false
    default: throw fail("only \"additionalProperties\": false (or true) is supported")
    }
    if let i = value["items"] {
      guard case .object = i else { throw fail("\"items\" must be a schema object (tuple items are not supported)") }
      items = try JSONSchema(value: i, path: path + "/items")
    } else {
      items = nil
    }
    minItems = try count("minItems") ?? 0
    maxItems = try count("maxItems")
    maxLength = try count("maxLength")
    if let e = value["enum"] {
      guard case .array(let list) = e, !list.isEmpty else { throw fail("\"enum\" must be a non-empty list") }
      enumValues = list
    } else {
      enumValues = nil
    }
    constValue = value["const"]
    if let a = value["anyOf"] {
      guard case .array(let list) = a, !list.isEmpty else { throw fail("\"anyOf\" must be a non-empty list of schemas") }
      var branches: [JSONSchema] = []
      for (i, branch) in list.enumerated() { branches.append(try JSONSchema(value: branch, path: path + "/anyOf/\(i)")) }
      anyOf = branches
      let others = members.map(\.key).filter { $0 != "anyOf" && !Self.annotations.contains($0) }
      if let other = others.first {
        throw fail("\"anyOf\" next to \"\(other)\" is not supported (put the keywords inside each branch)")
      }
    } else {
      anyOf = nil
    }
    for name in required where !props.contains(where: { $0.name == name }) {
      throw fail("required property \"\(name)\" must be declared in \"properties\"")
    }
    if props.count > 64 { throw fail("more than 64 properties in one object are not supported") }
  }

  /// The declared schema of a property.
  public func property(_ name: String) -> JSONSchema? { properties.first(where: { $0.name == name })?.schema }
}

/// A schema outside the supported subset or malformed: the JSON pointer of the offending schema
/// and what is wrong.
public struct JSONSchemaError: Error, CustomStringConvertible, Equatable {
  public let path: String
  public let message: String
  public var description: String { "schema\(path.isEmpty ? "" : " at \(path)"): \(message)" }
}
