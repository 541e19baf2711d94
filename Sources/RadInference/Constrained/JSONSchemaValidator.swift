/// Checks a JSON value against a `JSONSchema` with the semantics of the JSON Schema
/// specification (as the Python `jsonschema` package implements them) for the supported
/// keywords: each keyword constrains only values of its own type, `integer` admits numbers with
/// no fractional part, booleans are not numbers, and string lengths count Unicode code points.
public enum JSONSchemaValidator {
  /// The first violation found (a JSON pointer into the instance and a reason), or nil if valid.
  public static func firstError(_ value: JSONValue, _ schema: JSONSchema, at path: String = "") -> String? {
    if let branches = schema.anyOf {
      if branches.contains(where: { firstError(value, $0, at: path) == nil }) { return nil }
      return "\(path): matches no branch of anyOf"
    }
    if let types = schema.types, !types.contains(where: { has(value, type: $0) }) {
      return "\(path): not of type \(types.map(\.rawValue).joined(separator: "/"))"
    }
    if let values = schema.enumValues, !values.contains(value) { return "\(path): not one of the enum values" }
    if let constant = schema.constValue, constant != value { return "\(path): not the const value" }
    switch value {
    case .string(let s):
      if let limit = schema.maxLength, s.unicodeScalars.count > limit { return "\(path): longer than \(limit)" }
    case .array(let items):
      if items.count < schema.minItems { return "\(path): fewer than \(schema.minItems) items" }
      if let limit = schema.maxItems, items.count > limit { return "\(path): more than \(limit) items" }
      if let itemSchema = schema.items {
        for (i, item) in items.enumerated() {
          if let error = firstError(item, itemSchema, at: "\(path)/\(i)") { return error }
        }
      }
    case .object(let members):
      for name in schema.required where !members.contains(where: { $0.key == name }) {
        return "\(path): missing required property \"\(name)\""
      }
      for member in members {
        if let propertySchema = schema.property(member.key) {
          if let error = firstError(member.value, propertySchema, at: "\(path)/\(member.key)") { return error }
        } else if !schema.additionalPropertiesAllowed {
          return "\(path): property \"\(member.key)\" is not allowed"
        }
      }
    default: break
    }
    return nil
  }

  public static func isValid(_ value: JSONValue, _ schema: JSONSchema) -> Bool { firstError(value, schema) == nil }

  static func has(_ value: JSONValue, type: JSONSchema.TypeName) -> Bool {
    switch (value, type) {
    case (.object, .object), (.array, .array), (.string, .string), (.number, .number), (.bool, .boolean),
      (.null, .null):
      return true
    case (.number(let x, _), .integer): return x.isFinite && x == x.rounded()
    default: return false
    }
  }
}
