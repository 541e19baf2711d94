import Foundation

/// A small JSON parser for tokenizer files. Foundation's JSONSerialization spends most of a
/// 49k-token tokenizer.json load creating bridged objects; this one reads the UTF-8 bytes
/// directly into Swift values (JSONObject, [Any], String, Int, Double, Bool, NSNull) that the
/// tokenizer.json reader consumes. Errors carry the byte offset.
enum FastJSON {
  struct ParseError: Error, CustomStringConvertible {
    let offset: Int
    let message: String
    var description: String { "\(message) at byte \(offset)" }
  }

  static func parse(_ data: Data) throws(ParseError) -> Any {
    let bytes = [UInt8](data)
    return try bytes.withUnsafeBufferPointer { b throws(ParseError) -> Any in
      var p = Parser(b: b, i: 0)
      p.skipWS()
      let v = try p.value(depth: 0)
      p.skipWS()
      if p.i != b.count { throw ParseError(offset: p.i, message: "unexpected trailing characters") }
      return v
    }
  }

  struct Parser {
    let b: UnsafeBufferPointer<UInt8>
    var i: Int

    @inline(__always) mutating func skipWS() {
      while i < b.count {
        let c = b[i]
        if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i += 1 } else { break }
      }
    }

    func fail(_ m: String) -> ParseError { ParseError(offset: i, message: m) }

    mutating func value(depth: Int) throws(ParseError) -> Any {
      guard depth < 512 else { throw fail("nesting too deep") }
      guard i < b.count else { throw fail("unexpected end of input") }
      switch b[i] {
      case UInt8(ascii: "{"):
        i += 1
        let d = JSONObject()
        skipWS()
        if i < b.count && b[i] == UInt8(ascii: "}") { i += 1; return d }
        while true {
          skipWS()
          guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
          let k = try string()
          skipWS()
          guard i < b.count, b[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
          i += 1
          skipWS()
          d.keys.append(k)
          d.values.append(try value(depth: depth + 1))
          skipWS()
          guard i < b.count else { throw fail("unexpected end of input") }
          if b[i] == UInt8(ascii: ",") { i += 1; continue }
          if b[i] == UInt8(ascii: "}") { i += 1; return d }
          throw fail("expected ',' or '}'")
        }
      case UInt8(ascii: "["):
        i += 1
        var a: [Any] = []
        skipWS()
        if i < b.count && b[i] == UInt8(ascii: "]") { i += 1; return a }
        while true {
          skipWS()
          a.append(try value(depth: depth + 1))
          skipWS()
          guard i < b.count else { throw fail("unexpected end of input") }
          if b[i] == UInt8(ascii: ",") { i += 1; continue }
          if b[i] == UInt8(ascii: "]") { i += 1; return a }
          throw fail("expected ',' or ']'")
        }
      case UInt8(ascii: "\""):
        return try string()
      case UInt8(ascii: "t"):
        try literal("true"); return true
      case UInt8(ascii: "f"):
        try literal("false"); return false
      case UInt8(ascii: "n"):
        try literal("null"); return NSNull()
      default:
        return try number()
      }
    }

    mutating func literal(_ s: StaticString) throws(ParseError) {
      let n = s.utf8CodeUnitCount
      guard i + n <= b.count else { throw fail("invalid literal") }
      for k in 0..<n where b[i + k] != s.utf8Start[k] { throw fail("invalid literal") }
      i += n
    }

    mutating func number() throws(ParseError) -> Any {
      let start = i
      var isInt = true
      if i < b.count && b[i] == UInt8(ascii: "-") { i += 1 }
      var v: Int = 0
      var digits = 0
      while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 {
        if digits < 18 { v = v * 10 + Int(b[i] - 0x30) } else { isInt = false }
        digits += 1; i += 1
      }
      guard digits > 0 else { throw fail("invalid value") }
      if i < b.count && (b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E")) {
        isInt = false
        i += 1
        while i < b.count,
          (b[i] >= 0x30 && b[i] <= 0x39) || b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E")
            || b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: ".")
        { i += 1 }
      }
      if isInt { return b[start] == UInt8(ascii: "-") ? -v : v }
      let s = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
      guard let d = Double(s) else { throw ParseError(offset: start, message: "invalid number") }
      return d
    }

    mutating func string() throws(ParseError) -> String {
      i += 1  // opening quote
      let start = i
      while i < b.count {
        let c = b[i]
        if c == UInt8(ascii: "\"") {
          let s = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
          i += 1
          return s
        }
        if c == UInt8(ascii: "\\") { break }
        if c < 0x20 { throw fail("control character in string") }
        i += 1
      }
      // Slow path with escapes.
      var out = [UInt8](UnsafeBufferPointer(rebasing: b[start..<i]))
      while i < b.count {
        let c = b[i]
        if c == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
        if c < 0x20 { throw fail("control character in string") }
        if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
        i += 1
        guard i < b.count else { break }
        let e = b[i]
        i += 1
        switch e {
        case UInt8(ascii: "\""): out.append(0x22)
        case UInt8(ascii: "\\"): out.append(0x5C)
        case UInt8(ascii: "/"): out.append(0x2F)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
          var u = try hex4()
          if u >= 0xD800 && u < 0xDC00 {
            if i + 1 < b.count && b[i] == UInt8(ascii: "\\") && b[i + 1] == UInt8(ascii: "u") {
              i += 2
              let lo = try hex4()
              guard lo >= 0xDC00 && lo < 0xE000 else { throw fail("invalid surrogate pair") }
              u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00)
            } else {
              throw fail("unpaired surrogate")
            }
          } else if u >= 0xDC00 && u < 0xE000 {
            throw fail("unpaired surrogate")
          }
          UTF8Codec.append(u, to: &out)
        default: throw fail("invalid escape")
        }
      }
      throw fail("unterminated string")
    }

    mutating func hex4() throws(ParseError) -> UInt32 {
      guard i + 4 <= b.count else { throw fail("invalid \\u escape") }
      var v: UInt32 = 0
      for _ in 0..<4 {
        let c = b[i]
        let d: UInt32
        switch c {
        case 0x30...0x39: d = UInt32(c - 0x30)
        case 0x41...0x46: d = UInt32(c - 0x41 + 10)
        case 0x61...0x66: d = UInt32(c - 0x61 + 10)
        default: throw fail("invalid \\u escape")
        }
        v = v * 16 + d
        i += 1
      }
      return v
    }
  }
}

/// Numbers from FastJSON values (Int or Double; booleans are not numbers).
enum JSONNumber {
  static func int(_ v: Any?) -> Int? {
    if let i = v as? Int { return i }
    if let d = v as? Double, d == d.rounded(), abs(d) < 1e15 { return Int(d) }
    return nil
  }

  static func double(_ v: Any?) -> Double? {
    if let d = v as? Double { return d }
    if let i = v as? Int { return Double(i) }
    return nil
  }
}

/// A JSON object with its members in file order. Lookups by key are linear, which suits the
/// small objects of tokenizer.json; the large ones (vocabularies) are iterated, never searched,
/// so no String hashing is spent on them.
final class JSONObject: @unchecked Sendable {
  var keys: [String] = []
  var values: [Any] = []

  subscript(_ key: String) -> Any? {
    var i = keys.count - 1
    while i >= 0 {
      if keys[i] == key { return values[i] }
      i -= 1
    }
    return nil
  }

  var count: Int { keys.count }
}
