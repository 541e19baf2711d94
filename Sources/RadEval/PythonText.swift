/// Python `str` semantics that the reference metrics rely on, reproduced exactly.
///
/// The reference packages call `str.split()`, `str.rstrip()` and `str.lower()`, whose notion of
/// whitespace and of a character (a Unicode code point) differs from Swift's grapheme-based
/// `Character`. Every text metric in RadEval goes through these helpers so that tokens match the
/// Python packages code point for code point.
public enum PythonText {
  /// Whether `v` is whitespace for Python's `str.isspace()` / `str.split()`.
  @inline(__always)
  public static func isWhitespace(_ v: UInt32) -> Bool {
    switch v {
    case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F,
      0x205F, 0x3000:
      return true
    default:
      return false
    }
  }

  /// The code points of `text`.
  @inline(__always)
  public static func codePoints(_ text: String) -> [UInt32] {
    var out: [UInt32] = []
    out.reserveCapacity(text.utf8.count)
    for s in text.unicodeScalars { out.append(s.value) }
    return out
  }

  /// `text.split()`: runs of Python whitespace separate tokens; no empty tokens.
  public static func split(_ text: String) -> [String] {
    var tokens: [String] = []
    var current = String.UnicodeScalarView()
    for s in text.unicodeScalars {
      if isWhitespace(s.value) {
        if !current.isEmpty {
          tokens.append(String(current))
          current = String.UnicodeScalarView()
        }
      } else {
        current.append(s)
      }
    }
    if !current.isEmpty { tokens.append(String(current)) }
    return tokens
  }

  /// `text.rstrip()`: drops trailing Python whitespace.
  public static func rstrip(_ text: String) -> String {
    var scalars = text.unicodeScalars
    while let last = scalars.last, isWhitespace(last.value) { scalars.removeLast() }
    return String(scalars)
  }

  /// `text.lower()`: full Unicode lowercase mapping, ASCII fast path.
  public static func lower(_ text: String) -> String {
    var ascii = true
    for b in text.utf8 where b >= 0x80 { ascii = false; break }
    if ascii {
      var bytes = Array(text.utf8)
      for i in bytes.indices where bytes[i] >= 0x41 && bytes[i] <= 0x5A { bytes[i] += 32 }
      return String(decoding: bytes, as: UTF8.self)
    }
    var out = String.UnicodeScalarView()
    for s in text.unicodeScalars {
      if s.value < 0x80 {
        out.append(s.value >= 0x41 && s.value <= 0x5A ? Unicode.Scalar(UInt8(s.value + 32)) : s)
      } else {
        // Python lowers code point by code point with the full mapping (U+0130 -> "i̇"). Its
        // context-dependent final-sigma rule is not reproduced: only Greek text could differ.
        out.append(contentsOf: s.properties.lowercaseMapping.unicodeScalars)
      }
    }
    return String(out)
  }
}
