/// The character classes of Python's `re` and `str` that textstat's word and sentence rules rest
/// on, over Unicode scalars (Python indexes a `str` by code point). Kept in one place so that
/// every readability count agrees with the reference on what a word character or a space is.
enum PythonTextRules {
  /// Python's `\w` on a `str`: letters, numbers and the underscore.
  static func isWord(_ scalar: Unicode.Scalar) -> Bool {
    if scalar == "_" { return true }
    switch scalar.properties.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
      .decimalNumber, .letterNumber, .otherNumber:
      return true
    default:
      return false
    }
  }

  /// Python's `str.isspace()` (and `\s`), which `str.split()` splits on.
  static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x09...0x0D, 0x1C...0x1F, 0x20, 0x85, 0xA0: return true
    default: return scalar.value > 0x7F && scalar.properties.isWhitespace
    }
  }

  /// Python's `\d` on a `str`: a decimal digit, with its value.
  static func digitValue(_ scalar: Unicode.Scalar) -> Int? {
    guard scalar.properties.numericType == .decimal, let value = scalar.properties.numericValue else { return nil }
    return Int(value)
  }

  /// `str.split()`: runs of non-space scalars.
  static func split(_ scalars: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
    var words: [[Unicode.Scalar]] = []
    var current: [Unicode.Scalar] = []
    for scalar in scalars {
      if isSpace(scalar) {
        if !current.isEmpty { words.append(current) }
        current = []
      } else {
        current.append(scalar)
      }
    }
    if !current.isEmpty { words.append(current) }
    return words
  }

  /// `str.lower()` on a word.
  static func lower(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
    var text = String.UnicodeScalarView()
    text.append(contentsOf: scalars)
    return Array(String(text).lowercased().unicodeScalars)
  }
}
