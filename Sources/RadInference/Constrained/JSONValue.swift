/// A parsed JSON document that keeps what schema validation needs: object members in order,
/// numbers with their source spelling (so `1.0` and `1` stay distinguishable in output), and
/// strings as Unicode scalars. Constrained decoding parses its output and validates this value.
public indirect enum JSONValue: Sendable, Equatable {
  case object([(key: String, value: JSONValue)])
  case array([JSONValue])
  case string(String)
  /// The number's value and its spelling in the source.
  case number(Double, String)
  case bool(Bool)
  case null

  /// Equality as JSON Schema's `enum`/`const` define it: numbers by value, objects by members
  /// regardless of order, booleans never equal to numbers.
  public static func == (a: JSONValue, b: JSONValue) -> Bool {
    switch (a, b) {
    case (.object(let x), .object(let y)):
      guard x.count == y.count else { return false }
      for member in x {
        guard let other = y.first(where: { $0.key == member.key }), other.value == member.value else { return false }
      }
      return true
    case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { $0 == $1 }
    case (.string(let x), .string(let y)): return x.unicodeScalars.elementsEqual(y.unicodeScalars)
    case (.number(let x, _), .number(let y, _)): return x == y
    case (.bool(let x), .bool(let y)): return x == y
    case (.null, .null): return true
    default: return false
    }
  }

  /// The member named `key` of an object.
  public subscript(key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members.first(where: { $0.key == key })?.value
  }

  /// Compact JSON text (no spaces); numbers as spelled in the source, strings escaped minimally.
  public var jsonText: String {
    String(decoding: jsonBytes, as: UTF8.self)
  }

  /// The UTF-8 bytes of `jsonText`.
  public var jsonBytes: [UInt8] {
    var out: [UInt8] = []
    write(into: &out)
    return out
  }

  func write(into out: inout [UInt8]) {
    switch self {
    case .object(let members):
      out.append(UInt8(ascii: "{"))
      for (i, member) in members.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        out += JSONValue.encodedString(member.key)
        out.append(UInt8(ascii: ":"))
        member.value.write(into: &out)
      }
      out.append(UInt8(ascii: "}"))
    case .array(let items):
      out.append(UInt8(ascii: "["))
      for (i, item) in items.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        item.write(into: &out)
      }
      out.append(UInt8(ascii: "]"))
    case .string(let s): out += JSONValue.encodedString(s)
    case .number(_, let text): out += Array(text.utf8)
    case .bool(let b): out += Array((b ? "true" : "false").utf8)
    case .null: out += Array("null".utf8)
    }
  }

  /// A string as a JSON literal with quotes: `"` and `\` escaped, control characters as `\n`,
  /// `\t`, … or `\u00XX`, everything else as raw UTF-8 (the spelling the grammar matches).
  public static func encodedString(_ s: String) -> [UInt8] {
    var out: [UInt8] = [UInt8(ascii: "\"")]
    for byte in s.utf8 {
      switch byte {
      case UInt8(ascii: "\""): out += [0x5C, 0x22]
      case UInt8(ascii: "\\"): out += [0x5C, 0x5C]
      case 0x0A: out += [0x5C, UInt8(ascii: "n")]
      case 0x0D: out += [0x5C, UInt8(ascii: "r")]
      case 0x09: out += [0x5C, UInt8(ascii: "t")]
      case 0x08: out += [0x5C, UInt8(ascii: "b")]
      case 0x0C: out += [0x5C, UInt8(ascii: "f")]
      case 0..<0x20:
        let hex = Array("0123456789abcdef".utf8)
        out += [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 15)]]
      default: out.append(byte)
      }
    }
    out.append(UInt8(ascii: "\""))
    return out
  }
}

/// Why a JSON text could not be parsed: the problem and the byte offset where it was found.
public struct JSONParseError: Error, CustomStringConvertible, Equatable {
  public let offset: Int
  public let message: String
  public var description: String { "\(message) at byte \(offset)" }
}

extension JSONValue {
  /// Parses one JSON document (RFC 8259; surrounding whitespace allowed, duplicate keys rejected).
  public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
    try parse(bytes: Array(text.utf8))
  }

  public static func parse(bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
    var parser = JSONTextParser(bytes: bytes)
    parser.skipWhitespace()
    let value = try parser.value(depth: 0)
    parser.skipWhitespace()
    if parser.position != bytes.count { throw parser.fail("unexpected text after the JSON value") }
    return value
  }
}

/// A recursive-descent reader of JSON bytes for `JSONValue.parse`.
struct JSONTextParser {
  let bytes: [UInt8]
  var position = 0

  init(bytes: [UInt8]) { self.bytes = bytes }

  func fail(_ message: String) -> JSONParseError { JSONParseError(offset: position, message: message) }

  mutating func skipWhitespace() {
    while position < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[position]) { position += 1 }
  }

  mutating func expect(_ literal: String, _ value: JSONValue) throws(JSONParseError) -> JSONValue {
    let expected = Array(literal.utf8)
    guard position + expected.count <= bytes.count, Array(bytes[position..<(position + expected.count)]) == expected
    else { throw fail("invalid literal") }
    position += expected.count
    return value
  }

  mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
    guard depth < 256 else { throw fail("nesting too deep") }
    guard position < bytes.count else { throw fail("unexpected end of text") }
    switch bytes[position] {
    case UInt8(ascii: "{"): return try object(depth: depth)
    case UInt8(ascii: "["): return try array(depth: depth)
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"): return try expect("true", .bool(true))
    case UInt8(ascii: "f"): return try expect("false", .bool(false))
    case UInt8(ascii: "n"): return try expect("null", .null)
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
    default: throw fail("unexpected character")
    }
  }

  mutating func object(depth: Int) throws(JSONParseError) -> JSONValue {
    position += 1
    var members: [(key: String, value: JSONValue)] = []
    skipWhitespace()
    if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
      position += 1
      return .object(members)
    }
    while true {
      skipWhitespace()
      guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
      let key = try string()
      if members.contains(where: { $0.key == key }) { throw fail("duplicate member name \"\(key)\"") }
      skipWhitespace()
      guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw fail("expected ':'") }
      position += 1
      skipWhitespace()
      members.append((key, try value(depth: depth + 1)))
      skipWhitespace()
      guard position < bytes.count else { throw fail("unexpected end of text") }
      if bytes[position] == UInt8(ascii: ",") {
        position += 1
      } else if bytes[position] == UInt8(ascii: "}") {
        position += 1
        return .object(members)
      } else {
        throw fail("expected ',' or '}'")
      }
    }
  }

  mutating func array(depth: Int) throws(JSONParseError) -> JSONValue {
    position += 1
    var items: [JSONValue] = []
    skipWhitespace()
    if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
      position += 1
      return .array(items)
    }
    while true {
      skipWhitespace()
      items.append(try value(depth: depth + 1))
      skipWhitespace()
      guard position < bytes.count else { throw fail("unexpected end of text") }
      if bytes[position] == UInt8(ascii: ",") {
        position += 1
      } else if bytes[position] == UInt8(ascii: "]") {
        position += 1
        return .array(items)
      } else {
        throw fail("expected ',' or ']'")
      }
    }
  }

  mutating func hexQuad() throws(JSONParseError) -> UInt32 {
    guard position + 4 <= bytes.count else { throw fail("short \\u escape") }
    var value: UInt32 = 0
    for _ in 0..<4 {
      let c = bytes[position]
      let digit: UInt32
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
      default: throw fail("invalid hex digit in \\u escape")
      }
      value = value * 16 + digit
      position += 1
    }
    return value
  }

  mutating func string() throws(JSONParseError) -> String {
    position += 1
    var scalars = String.UnicodeScalarView()
    var raw: [UInt8] = []
    func flush() throws(JSONParseError) {
      guard !raw.isEmpty else { return }
      guard let text = String(validating: raw, as: UTF8.self) else { throw fail("invalid UTF-8 in string") }
      scalars.append(contentsOf: text.unicodeScalars)
      raw = []
    }
    while true {
      guard position < bytes.count else { throw fail("unterminated string") }
      let c = bytes[position]
      if c == UInt8(ascii: "\"") {
        try flush()
        position += 1
        return String(scalars)
      }
      if c < 0x20 { throw fail("control character in string") }
      if c != UInt8(ascii: "\\") {
        raw.append(c)
        position += 1
        continue
      }
      try flush()
      position += 1
      guard position < bytes.count else { throw fail("unterminated escape") }
      let e = bytes[position]
      position += 1
      switch e {
      case UInt8(ascii: "\""): scalars.append("\"")
      case UInt8(ascii: "\\"): scalars.append("\\")
      case UInt8(ascii: "/"): scalars.append("/")
      case UInt8(ascii: "b"): scalars.append("\u{08}")
      case UInt8(ascii: "f"): scalars.append("\u{0C}")
      case UInt8(ascii: "n"): scalars.append("\n")
      case UInt8(ascii: "r"): scalars.append("\r")
      case UInt8(ascii: "t"): scalars.append("\t")
      case UInt8(ascii: "u"):
        var code = try hexQuad()
        if (0xD800..<0xDC00).contains(code), position + 1 < bytes.count, bytes[position] == 0x5C,
          bytes[position + 1] == UInt8(ascii: "u")
        {
          let save = position
          position += 2
          let low = try hexQuad()
          if (0xDC00..<0xE000).contains(low) {
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
          } else {
            position = save
          }
        }
        // A lone surrogate has no Unicode scalar; U+FFFD stands in (one character, as in Python).
        scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
      default: throw fail("invalid escape")
      }
    }
  }

  mutating func number() throws(JSONParseError) -> JSONValue {
    let start = position
    func digits() -> Int {
      let first = position
      while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) { position += 1 }
      return position - first
    }
    if bytes[position] == UInt8(ascii: "-") { position += 1 }
    guard position < bytes.count else { throw fail("invalid number") }
    if bytes[position] == UInt8(ascii: "0") {
      position += 1
    } else if digits() == 0 {
      throw fail("invalid number")
    }
    if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
      position += 1
      if digits() == 0 { throw fail("invalid number") }
    }
    if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
      position += 1
      if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
        position += 1
      }
      if digits() == 0 { throw fail("invalid number") }
    }
    let text = String(decoding: bytes[start..<position], as: UTF8.self)
    guard let value = Double(text) else { throw fail("invalid number") }
    return .number(value, text)
  }
}
