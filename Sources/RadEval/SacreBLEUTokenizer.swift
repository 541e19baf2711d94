/// sacrebleu 2.6.0's word tokenizers for BLEU: `13a` (mteval-v13a, the WMT default), `intl`
/// (mteval-v14 international: Unicode punctuation and symbols), `char` (every code point) and
/// `none` (whitespace only).
///
/// Each returns the tokens that sacrebleu's `line.split()` would see after its tokenizer ran on
/// `sent.rstrip()`. Regular-expression substitutions are re-implemented as left-to-right scans
/// with the same non-overlapping match semantics as Python's `re.sub`.
public enum SacreBLEUTokenizer: String, Sendable, CaseIterable {
  case thirteenA = "13a"
  case intl = "intl"
  case char = "char"
  case none = "none"

  /// The name in sacrebleu's signature (`tok:13a`).
  public var signatureName: String { rawValue }

  /// Tokens of one segment (already lowercased if case-insensitive scoring was asked for).
  public func tokens(_ segment: String) -> [String] {
    let cps = PythonText.codePoints(PythonText.rstrip(segment))
    switch self {
    case .none: return Self.splitTokens(cps)
    case .char:
      // " ".join(line) then split(): every non-whitespace code point is a token.
      return cps.compactMap { PythonText.isWhitespace($0) ? nil : Self.string([$0]) }
    case .thirteenA: return Self.splitTokens(Self.tokenize13a(cps))
    case .intl: return Self.splitTokens(Self.tokenizeIntl(cps))
    }
  }

  // MARK: - 13a

  static func tokenize13a(_ input: [UInt32]) -> [UInt32] {
    var line = replace(input, "<skipped>", "")
    line = replace(line, "-\n", "")
    line = replace(line, "\n", " ")
    if line.contains(0x26) {
      line = replace(line, "&quot;", "\"")
      line = replace(line, "&amp;", "&")
      line = replace(line, "&lt;", "<")
      line = replace(line, "&gt;", ">")
    }
    var padded: [UInt32] = [0x20]
    padded.reserveCapacity(line.count * 2 + 2)
    padded.append(contentsOf: line)
    padded.append(0x20)
    // 1. ([\{-\~\[-\` -\&\(-\+\:-\@\/]) -> " \1 "
    var s1: [UInt32] = []
    s1.reserveCapacity(padded.count * 2)
    for c in padded {
      if isPunct13a(c) {
        s1.append(0x20)
        s1.append(c)
        s1.append(0x20)
      } else {
        s1.append(c)
      }
    }
    // 2. ([^0-9])([\.,]) -> "\1 \2 "
    let s2 = substitutePairs(s1, first: { !isDigit($0) }, second: isDotComma) { a, b in
      [a, 0x20, b, 0x20]
    }
    // 3. ([\.,])([^0-9]) -> " \1 \2"
    let s3 = substitutePairs(s2, first: isDotComma, second: { !isDigit($0) }) { a, b in
      [0x20, a, 0x20, b]
    }
    // 4. ([0-9])(-) -> "\1 \2 "
    return substitutePairs(s3, first: isDigit, second: { $0 == 0x2D }) { a, b in
      [a, 0x20, b, 0x20]
    }
  }

  @inline(__always) static func isDigit(_ c: UInt32) -> Bool { c >= 0x30 && c <= 0x39 }
  @inline(__always) static func isDotComma(_ c: UInt32) -> Bool { c == 0x2E || c == 0x2C }
  @inline(__always) static func isPunct13a(_ c: UInt32) -> Bool {
    (c >= 0x7B && c <= 0x7E) || (c >= 0x5B && c <= 0x60) || (c >= 0x20 && c <= 0x26)
      || (c >= 0x28 && c <= 0x2B) || (c >= 0x3A && c <= 0x40) || c == 0x2F
  }

  // MARK: - intl

  static func tokenizeIntl(_ input: [UInt32]) -> [UInt32] {
    // 1. (\P{N})(\p{P}) -> "\1 \2 "
    let s1 = substitutePairs(input, first: { !isNumber($0) }, second: isPunctuation) { a, b in
      [a, 0x20, b, 0x20]
    }
    // 2. (\p{P})(\P{N}) -> " \1 \2"
    let s2 = substitutePairs(s1, first: isPunctuation, second: { !isNumber($0) }) { a, b in
      [0x20, a, 0x20, b]
    }
    // 3. (\p{S}) -> " \1 "
    var s3: [UInt32] = []
    s3.reserveCapacity(s2.count * 2)
    for c in s2 {
      if isSymbol(c) {
        s3.append(0x20)
        s3.append(c)
        s3.append(0x20)
      } else {
        s3.append(c)
      }
    }
    return s3
  }

  static func category(_ c: UInt32) -> Unicode.GeneralCategory? {
    Unicode.Scalar(c)?.properties.generalCategory
  }
  static func isNumber(_ c: UInt32) -> Bool {
    switch category(c) {
    case .decimalNumber, .letterNumber, .otherNumber: return true
    default: return false
    }
  }
  static func isPunctuation(_ c: UInt32) -> Bool {
    switch category(c) {
    case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
      .initialPunctuation, .finalPunctuation, .otherPunctuation:
      return true
    default: return false
    }
  }
  static func isSymbol(_ c: UInt32) -> Bool {
    switch category(c) {
    case .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol: return true
    default: return false
    }
  }

  // MARK: - Helpers

  /// `re.sub` of a two-character pattern `(A)(B)`: leftmost, non-overlapping matches.
  @inline(__always)
  static func substitutePairs(
    _ s: [UInt32], first: (UInt32) -> Bool, second: (UInt32) -> Bool,
    _ replacement: (UInt32, UInt32) -> [UInt32]
  ) -> [UInt32] {
    var out: [UInt32] = []
    out.reserveCapacity(s.count + s.count / 2)
    var i = 0
    while i < s.count {
      if i + 1 < s.count && first(s[i]) && second(s[i + 1]) {
        out.append(contentsOf: replacement(s[i], s[i + 1]))
        i += 2
      } else {
        out.append(s[i])
        i += 1
      }
    }
    return out
  }

  /// Python `str.replace(old, new)` on code points.
  static func replace(_ s: [UInt32], _ old: String, _ new: String) -> [UInt32] {
    let o = PythonText.codePoints(old)
    let n = PythonText.codePoints(new)
    guard !o.isEmpty, s.count >= o.count else { return s }
    var out: [UInt32] = []
    out.reserveCapacity(s.count)
    var i = 0
    while i < s.count {
      if i + o.count <= s.count && s[i] == o[0] && Array(s[i..<(i + o.count)]) == o {
        out.append(contentsOf: n)
        i += o.count
      } else {
        out.append(s[i])
        i += 1
      }
    }
    return out
  }

  static func splitTokens(_ cps: [UInt32]) -> [String] {
    var tokens: [String] = []
    var start = -1
    for (i, c) in cps.enumerated() {
      if PythonText.isWhitespace(c) {
        if start >= 0 {
          tokens.append(string(cps[start..<i]))
          start = -1
        }
      } else if start < 0 {
        start = i
      }
    }
    if start >= 0 { tokens.append(string(cps[start...])) }
    return tokens
  }

  static func string<C: Collection>(_ cps: C) -> String where C.Element == UInt32 {
    var v = String.UnicodeScalarView()
    for c in cps { if let s = Unicode.Scalar(c) { v.append(s) } }
    return String(v)
  }
}
