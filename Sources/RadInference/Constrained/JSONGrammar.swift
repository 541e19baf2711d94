/// The byte-level grammar a `JSONSchema` compiles to for constrained decoding: each schema
/// position becomes a list of alternative nodes (anyOf branches, type lists), each node one JSON
/// construct whose documents all validate. It admits a subset of the valid documents: compact
/// JSON with at most one space after `{`, `[`, `,`, `:` and a value, declared properties only (an
/// object schema that declares none and allows additional properties takes any keys and values),
/// strings without `\u` surrogate escapes, numbers with at most 15 integer and 15 fraction digits
/// and a two-digit exponent (`integer`: whole numbers only), `enum`/`const` spelled canonically.
public final class JSONGrammar: Sendable {
  /// One JSON construct.
  enum Node: Sendable {
    /// Exactly one of these byte strings (enum, const, true/false, null).
    case literals([[UInt8]])
    case string(maxLength: Int?)
    case number(integer: Bool)
    case object(ObjectRule)
    case array(items: [Int], minItems: Int, maxItems: Int?)
    /// An object with any keys (strings) whose values are any of `values` (`{"type":"object"}`,
    /// which is what `response_format` `json_object` asks for).
    case freeObject(values: [Int])
  }

  struct Property: Sendable {
    /// The name as spelled between the quotes.
    let key: [UInt8]
    let choices: [Int]
    let minBytes: Int
    /// Bytes of `"key":value` at its shortest.
    var memberBytes: Int { key.count + 3 + minBytes }
  }

  struct ObjectRule: Sendable {
    let properties: [Property]
    let requiredMask: UInt64
  }

  let nodes: [Node]
  /// Shortest document of each node.
  let minBytes: [Int]
  /// Alternatives for the whole document.
  let root: [Int]
  public let schema: JSONSchema

  static let numberDigits = 15
  static let exponentDigits = 2

  /// Compiles `schema`; throws if the schema admits no document this grammar can produce.
  public init(schema: JSONSchema) throws(JSONSchemaError) {
    var builder = Builder()
    let root = builder.choices(schema)
    guard !root.isEmpty else {
      throw JSONSchemaError(path: "", message: "the schema admits no document (empty enum, minItems > maxItems, …)")
    }
    self.nodes = builder.nodes
    self.minBytes = builder.minBytes
    self.root = root
    self.schema = schema
  }

  /// Shortest document of a list of alternatives.
  func minBytes(of choices: [Int]) -> Int { choices.map { minBytes[$0] }.min() ?? Int.max }

  func isFreeObject(_ node: Int) -> Bool {
    if case .freeObject = nodes[node] { return true }
    return false
  }

  func freeObjectValues(_ node: Int) -> [Int] {
    if case .freeObject(let values) = nodes[node] { return values }
    return []
  }

  /// The shortest document of the whole schema, in bytes.
  public var shortestDocument: Int { minBytes(of: root) }

  /// Every byte the shortest completions may need (for the single-byte-token requirement).
  var witnessBytes: Set<UInt8> {
    var bytes = Set(Array("{}[],:\"0".utf8))
    for node in nodes {
      switch node {
      case .literals(let list): list.forEach { bytes.formUnion($0) }
      case .object(let rule): rule.properties.forEach { bytes.formUnion($0.key) }
      default: break
      }
    }
    return bytes
  }

  /// Turns schemas into nodes, dropping alternatives that admit no document.
  struct Builder {
    var nodes: [Node] = []
    var minBytes: [Int] = []

    mutating func add(_ node: Node, _ bytes: Int) -> Int {
      nodes.append(node)
      minBytes.append(bytes)
      return nodes.count - 1
    }

    mutating func choices(_ schema: JSONSchema) -> [Int] {
      if let branches = schema.anyOf { return branches.flatMap { choices($0) } }
      if schema.enumValues != nil || schema.constValue != nil {
        var candidates = schema.enumValues ?? [schema.constValue!]
        candidates = candidates.filter { JSONSchemaValidator.isValid($0, schema) }
        var spelled: [[UInt8]] = []
        for value in candidates where !spelled.contains(value.jsonBytes) { spelled.append(value.jsonBytes) }
        guard !spelled.isEmpty else { return [] }
        return [add(.literals(spelled), spelled.map(\.count).min()!)]
      }
      // Without a type, scalar values of any kind (containers need `type`).
      let types = schema.types ?? [.string, .number, .boolean, .null]
      var out: [Int] = []
      for type in types {
        switch type {
        case .null: out.append(add(.literals([Array("null".utf8)]), 4))
        case .boolean: out.append(add(.literals([Array("true".utf8), Array("false".utf8)]), 4))
        case .string: out.append(add(.string(maxLength: schema.maxLength), 2))
        case .number: out.append(add(.number(integer: false), 1))
        case .integer: out.append(add(.number(integer: true), 1))
        case .array:
          let itemChoices = schema.items.map { choices($0) } ?? choices(Self.anyScalar)
          var maxItems = schema.maxItems
          if itemChoices.isEmpty { maxItems = 0 }
          if let m = maxItems, m < schema.minItems { continue }
          let itemBytes = itemChoices.map { minBytes[$0] }.min() ?? 0
          let bytes = schema.minItems == 0 ? 2 : 2 + schema.minItems * itemBytes + schema.minItems - 1
          out.append(add(.array(items: itemChoices, minItems: schema.minItems, maxItems: maxItems), bytes))
        case .object where schema.properties.isEmpty && schema.additionalPropertiesAllowed:
          out.append(add(.freeObject(values: anyValue()), 2))
        case .object:
          var properties: [Property] = []
          var mask: UInt64 = 0
          var satisfiable = true
          for (name, propertySchema) in schema.properties {
            let alternatives = choices(propertySchema)
            let isRequired = schema.required.contains(name)
            if alternatives.isEmpty {
              if isRequired { satisfiable = false }
              continue
            }
            if isRequired { mask |= 1 << UInt64(properties.count) }
            let key = Array(JSONValue.encodedString(name).dropFirst().dropLast())
            properties.append(
              Property(key: key, choices: alternatives, minBytes: alternatives.map { minBytes[$0] }.min()!))
          }
          guard satisfiable else { continue }
          let requiredBytes = properties.indices.filter { mask & (1 << UInt64($0)) != 0 }
            .map { properties[$0].memberBytes + 1 }.reduce(0, +)
          out.append(add(.object(ObjectRule(properties: properties, requiredMask: mask)), 1 + max(requiredBytes, 1)))
        }
      }
      return out
    }

    /// Nodes of any JSON value (objects and arrays of any values nest), built once per grammar.
    var anyValueChoices: [Int]?

    mutating func anyValue() -> [Int] {
      if let anyValueChoices { return anyValueChoices }
      let string = add(.string(maxLength: nil), 2)
      let number = add(.number(integer: false), 1)
      let literals = add(.literals([Array("true".utf8), Array("false".utf8), Array("null".utf8)]), 4)
      // The containers refer to the list that holds them: added first, filled in below.
      let object = add(.freeObject(values: []), 2)
      let array = add(.array(items: [], minItems: 0, maxItems: nil), 2)
      let all = [string, number, literals, object, array]
      nodes[object] = .freeObject(values: all)
      nodes[array] = .array(items: all, minItems: 0, maxItems: nil)
      anyValueChoices = all
      return all
    }

    /// What array items may be when `items` is absent.
    static let anyScalar: JSONSchema = {
      // A fixed, valid schema text: cannot fail.
      (try? JSONSchema(text: #"{"type":["string","number","boolean","null"]}"#))!
    }()
  }
}
