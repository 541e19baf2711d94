import Foundation

/// A text normalizer from the Hugging Face `tokenizer.json` vocabulary: it rewrites the input
/// before pre-tokenization (case folding, Unicode normal forms, BERT cleaning) while keeping each
/// character's span in the original string.
public indirect enum Normalizer: Sendable, Equatable {
  /// BERT's normalizer: drop control characters and map white space to " " (cleanText), pad CJK
  /// ideographs with spaces, strip accents (NFD then drop non-spacing marks), lowercase.
  /// `stripAccents == nil` follows `lowercase`, as in BERT uncased.
  case bert(cleanText: Bool, handleChineseChars: Bool, stripAccents: Bool?, lowercase: Bool)
  case nfc, nfd, nfkc, nfkd
  case lowercase
  case strip(left: Bool, right: Bool)
  /// Removes non-spacing marks (usually after NFD).
  case stripAccents
  /// Replaces every occurrence of a literal string.
  case replace(pattern: String, content: String)
  case prepend(String)
  case sequence([Normalizer])

  /// Applies the normalizer.
  public func apply(_ t: NormalizedText) -> NormalizedText {
    switch self {
    case .bert(let clean, let cjk, let strip, let lower):
      var x = t
      if clean { x = Self.map(x) { c in
        if c == 0 || c == 0xFFFD { return [] }
        let k = ScalarClass.of(c)
        if k.contains(.control) { return [] }
        if k.contains(.whitespace) { return [0x20] }
        return [c]
      } }
      if cjk { x = Self.padCJK(x) }
      if strip ?? lower { x = Self.unicodeForm(x, .nfd); x = Self.map(x) { ScalarClass.of($0).contains(.nonspacingMark) ? [] : [$0] } }
      if lower { x = Self.lower(x) }
      return x
    case .nfc: return Self.unicodeForm(t, .nfc)
    case .nfd: return Self.unicodeForm(t, .nfd)
    case .nfkc: return Self.unicodeForm(t, .nfkc)
    case .nfkd: return Self.unicodeForm(t, .nfkd)
    case .lowercase: return Self.lower(t)
    case .stripAccents: return Self.map(t) { ScalarClass.of($0).contains(.nonspacingMark) ? [] : [$0] }
    case .strip(let left, let right):
      var lo = 0
      var hi = t.count
      if left { while lo < hi && ScalarClass.of(t.chars[lo]).contains(.whitespace) { lo += 1 } }
      if right { while hi > lo && ScalarClass.of(t.chars[hi - 1]).contains(.whitespace) { hi -= 1 } }
      return NormalizedText(chars: Array(t.chars[lo..<hi]), starts: Array(t.starts[lo..<hi]), ends: Array(t.ends[lo..<hi]))
    case .replace(let pattern, let content):
      return Self.replace(t, UTF8Codec.scalars(of: pattern), UTF8Codec.scalars(of: content))
    case .prepend(let p):
      if t.count == 0 { return t }
      var out = NormalizedText.empty(capacity: t.count + p.unicodeScalars.count)
      for c in UTF8Codec.scalars(of: p) { out.append(c, t.starts[0], t.ends[0]) }
      out.chars += t.chars; out.starts += t.starts; out.ends += t.ends
      return out
    case .sequence(let list):
      var x = t
      for n in list { x = n.apply(x) }
      return x
    }
  }

  /// Rewrites each character into zero or more characters that inherit its span.
  static func map(_ t: NormalizedText, _ f: (UInt32) -> [UInt32]) -> NormalizedText {
    var out = NormalizedText.empty(capacity: t.count)
    for i in 0..<t.count {
      let c = t.chars[i]
      if c < 0x80 && c >= 0x20 && c != 0x7F {
        // ASCII printable characters are never dropped or expanded by the maps used here,
        // except by lowercasing, which callers handle themselves.
        let r = f(c)
        for x in r { out.append(x, t.starts[i], t.ends[i]) }
        continue
      }
      for x in f(c) { out.append(x, t.starts[i], t.ends[i]) }
    }
    return out
  }

  static func lower(_ t: NormalizedText) -> NormalizedText {
    var out = NormalizedText.empty(capacity: t.count)
    for i in 0..<t.count {
      let c = t.chars[i]
      if c < 0x80 {
        out.append((c >= 0x41 && c <= 0x5A) ? c + 32 : c, t.starts[i], t.ends[i])
      } else if let s = Unicode.Scalar(c) {
        for l in s.properties.lowercaseMapping.unicodeScalars { out.append(l.value, t.starts[i], t.ends[i]) }
      }
    }
    return out
  }

  static func padCJK(_ t: NormalizedText) -> NormalizedText {
    var out = NormalizedText.empty(capacity: t.count)
    for i in 0..<t.count {
      let c = t.chars[i]
      if c >= 0x3400 && ScalarClass.of(c).contains(.cjk) {
        out.append(0x20, t.starts[i], t.ends[i]); out.append(c, t.starts[i], t.ends[i]); out.append(0x20, t.starts[i], t.ends[i])
      } else {
        out.append(c, t.starts[i], t.ends[i])
      }
    }
    return out
  }

  enum Form { case nfc, nfd, nfkc, nfkd }

  /// Unicode normal forms. Runs of ASCII are already normal; every other run from one starter
  /// to the next is normalized as a unit so each output character inherits the run's span.
  static func unicodeForm(_ t: NormalizedText, _ form: Form) -> NormalizedText {
    if !t.chars.contains(where: { $0 >= 0x80 }) { return t }
    var out = NormalizedText.empty(capacity: t.count)
    var i = 0
    let n = t.count
    while i < n {
      let c = t.chars[i]
      if c < 0x80 && (i + 1 >= n || t.chars[i + 1] < 0x80) {
        out.append(c, t.starts[i], t.ends[i]); i += 1; continue
      }
      // A cluster: this character plus following combining characters (canonical class != 0).
      var j = i + 1
      while j < n, let s = Unicode.Scalar(t.chars[j]), s.properties.canonicalCombiningClass.rawValue != 0 { j += 1 }
      let piece = UTF8Codec.string(t.chars[i..<j])
      let normalized: String
      switch form {
      case .nfc: normalized = piece.precomposedStringWithCanonicalMapping
      case .nfd: normalized = piece.decomposedStringWithCanonicalMapping
      case .nfkc: normalized = piece.precomposedStringWithCompatibilityMapping
      case .nfkd: normalized = piece.decomposedStringWithCompatibilityMapping
      }
      let outChars = normalized.unicodeScalars.map { $0.value }
      if outChars.count == j - i {
        for k in 0..<outChars.count { out.append(outChars[k], t.starts[i + k], t.ends[i + k]) }
      } else {
        // Expansion or contraction: attribute the first output characters to the source
        // characters in order and the rest to the last source character.
        for (k, oc) in outChars.enumerated() {
          let src = i + min(k, j - i - 1)
          let isFirstOfSource = k < j - i
          out.append(oc, t.starts[isFirstOfSource ? src : i], t.ends[src])
        }
      }
      i = j
    }
    return out
  }

  static func replace(_ t: NormalizedText, _ pat: [UInt32], _ rep: [UInt32]) -> NormalizedText {
    guard !pat.isEmpty else { return t }
    var out = NormalizedText.empty(capacity: t.count)
    var i = 0
    let n = t.count
    while i < n {
      if i + pat.count <= n && t.chars[i] == pat[0] && Array(t.chars[i..<(i + pat.count)]) == pat {
        let s = t.starts[i]
        let e = t.ends[i + pat.count - 1]
        for r in rep { out.append(r, s, e) }
        i += pat.count
      } else {
        out.append(t.chars[i], t.starts[i], t.ends[i]); i += 1
      }
    }
    return out
  }
}
