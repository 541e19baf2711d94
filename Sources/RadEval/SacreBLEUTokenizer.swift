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
    let cps = tokenizedCodePoints(segment)
    var out: [String] = []
    forEachToken(cps) { out.append(Self.string($0)) }
    return out
  }

  /// The tokenizer's output line as code points (tokens separated by whitespace).
  func tokenizedCodePoints(_ segment: String) -> [UInt32] {
    var cps = PythonText.codePoints(segment)
    while let last = cps.last, PythonText.isWhitespace(last) { cps.removeLast() }  // rstrip()
    switch self {
    case .none, .char: return cps  // char: " ".join(line).split() == every non-space code point
    case .thirteenA: return Self.tokenize13a(cps)
    case .intl: return Self.tokenizeIntl(cps)
    }
  }

  /// Calls `body` with each whitespace-separated token (each code point for `char`).
  @inline(__always)
  func forEachToken(_ cps: [UInt32], _ body: (ArraySlice<UInt32>) -> Void) {
    if self == .char {
      for i in cps.indices where !PythonText.isWhitespace(cps[i]) { body(cps[i..<(i + 1)]) }
    } else {
      Self.forEachToken(cps, body)
    }
  }

  @inline(__always)
  static func forEachToken(_ cps: [UInt32], _ body: (ArraySlice<UInt32>) -> Void) {
    var start = -1
    for i in cps.indices {
      if PythonText.isWhitespace(cps[i]) {
        if start >= 0 {
          body(cps[start..<i])
          start = -1
        }
      } else if start < 0 {
        start = i
      }
    }
    if start >= 0 { body(cps[start...]) }
  }

  // MARK: - 13a

  static func tokenize13a(_ input: [UInt32]) -> [UInt32] {
    var line = input
    if line.contains(0x3C) { line = replace(line, "<skipped>", "") }
    if line.contains(0x0A) {
      line = replace(line, "-\n", "")
      line = replace(line, "\n", " ")
    }
    if line.contains(0x26) {
      line = replace(line, "&quot;", "\"")
      line = replace(line, "&amp;", "&")
      line = replace(line, "&lt;", "<")
      line = replace(line, "&gt;", ">")
    }
    // 1. ([\{-\~\[-\` -\&\(-\+\:-\@\/]) -> " \1 ", on " " + line + " " (the padding spaces
    //    are in the class themselves, so each becomes three spaces).
    let s1 = [UInt32](unsafeUninitializedCapacity: line.count * 3 + 6) { out, count in
      var k = 0
      @inline(__always) func put(_ v: UInt32) { out[k] = v; k += 1 }
      put(0x20); put(0x20); put(0x20)
      line.withUnsafeBufferPointer { p in
        for c in p {
          if isPunct13a(c) { put(0x20); put(c); put(0x20) } else { put(c) }
        }
      }
      put(0x20); put(0x20); put(0x20)
      count = k
    }
    // 2. ([^0-9])([\.,]) -> "\1 \2 "
    let s2 = pairPass(s1) { a, b in
      !isDigit(a) && isDotComma(b)
    } emit: { a, b, put in
      put(a); put(0x20); put(b); put(0x20)
    }
    // 3. ([\.,])([^0-9]) -> " \1 \2"
    let s3 = pairPass(s2) { a, b in
      isDotComma(a) && !isDigit(b)
    } emit: { a, b, put in
      put(0x20); put(a); put(0x20); put(b)
    }
    // 4. ([0-9])(-) -> "\1 \2 "
    return pairPass(s3) { a, b in
      isDigit(a) && b == 0x2D
    } emit: { a, b, put in
      put(a); put(0x20); put(b); put(0x20)
    }
  }

  /// One `re.sub` of a two-character pattern over a buffer: leftmost, non-overlapping matches;
  /// a match is replaced by the four code points `emit` writes.
  @inline(__always)
  static func pairPass(
    _ input: [UInt32], match: (UInt32, UInt32) -> Bool,
    emit: (UInt32, UInt32, (UInt32) -> Void) -> Void
  ) -> [UInt32] {
    input.withUnsafeBufferPointer { p in
      [UInt32](unsafeUninitializedCapacity: p.count * 2 + 2) { out, count in
        var k = 0
        var i = 0
        let n = p.count
        while i < n {
          let a = p[i]
          if i + 1 < n && match(a, p[i + 1]) {
            emit(a, p[i + 1]) {
              out[k] = $0; k += 1
            }
            i += 2
          } else {
            out[k] = a
            k += 1
            i += 1
          }
        }
        count = k
      }
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
    let s1 = substitutePairs(input, first: { !isNumber($0) }, second: isPunctuation, .spaceBetweenAndAfter)
    // 2. (\p{P})(\P{N}) -> " \1 \2"
    let s2 = substitutePairs(s1, first: isPunctuation, second: { !isNumber($0) }, .spaceBeforeAndBetween)
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

  /// The two replacement templates the tokenizers use: `\1 \2 ` and ` \1 \2`.
  enum PairReplacement { case spaceBetweenAndAfter, spaceBeforeAndBetween }

  /// `re.sub` of a two-character pattern `(A)(B)`: leftmost, non-overlapping matches.
  @inline(__always)
  static func substitutePairs(
    _ s: [UInt32], first: (UInt32) -> Bool, second: (UInt32) -> Bool, _ replacement: PairReplacement
  ) -> [UInt32] {
    var out: [UInt32] = []
    out.reserveCapacity(s.count + s.count / 2 + 4)
    var i = 0
    let n = s.count
    while i < n {
      let a = s[i]
      if i + 1 < n && first(a) && second(s[i + 1]) {
        let b = s[i + 1]
        switch replacement {
        case .spaceBetweenAndAfter:
          out.append(a); out.append(0x20); out.append(b); out.append(0x20)
        case .spaceBeforeAndBetween:
          out.append(0x20); out.append(a); out.append(0x20); out.append(b)
        }
        i += 2
      } else {
        out.append(a)
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
      if s[i] == o[0] && i + o.count <= s.count && s[i..<(i + o.count)].elementsEqual(o) {
        out.append(contentsOf: n)
        i += o.count
      } else {
        out.append(s[i])
        i += 1
      }
    }
    return out
  }

  static func string<C: Collection>(_ cps: C) -> String where C.Element == UInt32 {
    var v = String.UnicodeScalarView()
    for c in cps { if let s = Unicode.Scalar(c) { v.append(s) } }
    return String(v)
  }
}
