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
  /// Removes combining marks of every kind (Mn, Mc, Me), usually after NFD.
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
      if clean {
        x = Self.map(x) { c in
          if c == 0 || c == 0xFFFD { return [] }
          let k = ScalarClass.of(c)
          if k.contains(.control) { return [] }
          if k.contains(.whitespace) { return [0x20] }
          return [c]
        }
      }
      if cjk { x = Self.padCJK(x) }
      if strip ?? lower {
        x = Self.unicodeForm(x, .nfd); x = Self.map(x) { ScalarClass.of($0).contains(.nonspacingMark) ? [] : [$0] }
      }
      if lower { x = Self.lower(x) }
      return x
    case .nfc: return Self.unicodeForm(t, .nfc)
    case .nfd: return Self.unicodeForm(t, .nfd)
    case .nfkc: return Self.unicodeForm(t, .nfkc)
    case .nfkd: return Self.unicodeForm(t, .nfkd)
    case .lowercase: return Self.lower(t)
    case .stripAccents: return Self.map(t) { Self.isMark($0) ? [] : [$0] }
    case .strip(let left, let right):
      var lo = 0
      var hi = t.count
      if left { while lo < hi && ScalarClass.of(t.chars[lo]).contains(.whitespace) { lo += 1 } }
      if right { while hi > lo && ScalarClass.of(t.chars[hi - 1]).contains(.whitespace) { hi -= 1 } }
      return NormalizedText(
        chars: Array(t.chars[lo..<hi]), starts: Array(t.starts[lo..<hi]), ends: Array(t.ends[lo..<hi]))
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

  static func isMark(_ c: UInt32) -> Bool {
    guard c >= 0x300, let s = Unicode.Scalar(c) else { return false }
    switch s.properties.generalCategory {
    case .nonspacingMark, .spacingMark, .enclosingMark: return true
    default: return false
    }
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
        out.append(0x20, t.starts[i], t.ends[i]); out.append(c, t.starts[i], t.ends[i]);
        out.append(0x20, t.starts[i], t.ends[i])
      } else {
        out.append(c, t.starts[i], t.ends[i])
      }
    }
    return out
  }

  enum Form { case nfc, nfd, nfkc, nfkd }

  /// Unicode normal forms. Decompositions (NFD, NFKD) map each character on its own, so every
  /// output character inherits its source's span, then combining marks are put in canonical
  /// order. Compositions (NFC, NFKC) normalize each run from one starter to the next as a unit.
  static func unicodeForm(_ t: NormalizedText, _ form: Form) -> NormalizedText {
    if !t.chars.contains(where: { $0 >= 0x80 }) { return t }
    var out = NormalizedText.empty(capacity: t.count)
    let n = t.count
    if form == .nfd || form == .nfkd {
      for i in 0..<n {
        let c = t.chars[i]
        if c < 0x80 { out.append(c, t.starts[i], t.ends[i]); continue }
        let piece = UTF8Codec.string(t.chars[i..<(i + 1)])
        let d =
          form == .nfd ? piece.decomposedStringWithCanonicalMapping : piece.decomposedStringWithCompatibilityMapping
        for u in d.unicodeScalars { out.append(u.value, t.starts[i], t.ends[i]) }
      }
      canonicalOrder(&out)
      return out
    }
    var i = 0
    while i < n {
      let c = t.chars[i]
      if c < 0x80 && (i + 1 >= n || t.chars[i + 1] < 0x80) {
        out.append(c, t.starts[i], t.ends[i]); i += 1; continue
      }
      // A cluster: this character plus following combining characters (canonical class != 0).
      var j = i + 1
      while j < n, let s = Unicode.Scalar(t.chars[j]), s.properties.canonicalCombiningClass.rawValue != 0 { j += 1 }
      let piece = UTF8Codec.string(t.chars[i..<j])
      let normalized =
        form == .nfc ? piece.precomposedStringWithCanonicalMapping : piece.precomposedStringWithCompatibilityMapping
      let outChars = normalized.unicodeScalars.map { $0.value }
      if outChars.count == j - i {
        for k in 0..<outChars.count { out.append(outChars[k], t.starts[i + k], t.ends[i + k]) }
      } else if outChars.count < j - i {
        // Composition: output k keeps the span of source k (as `tokenizers` aligns it).
        for (k, oc) in outChars.enumerated() { out.append(oc, t.starts[i + k], t.ends[i + k]) }
      } else {
        // Expansion (compatibility mappings): extra outputs inherit the last source's span.
        for (k, oc) in outChars.enumerated() {
          let src = i + min(k, j - i - 1)
          out.append(oc, t.starts[src], t.ends[src])
        }
      }
      i = j
    }
    return out
  }

  /// Stable-sorts each run of combining marks by canonical combining class, spans moving along.
  static func canonicalOrder(_ t: inout NormalizedText) {
    var i = 0
    let n = t.count
    func ccc(_ c: UInt32) -> UInt8 {
      c < 0x300 ? 0 : (Unicode.Scalar(c)?.properties.canonicalCombiningClass.rawValue ?? 0)
    }
    while i < n {
      if ccc(t.chars[i]) == 0 { i += 1; continue }
      var j = i
      while j < n && ccc(t.chars[j]) != 0 { j += 1 }
      if j - i > 1 {
        let idx = (i..<j).sorted { a, b in
          let ca = ccc(t.chars[a]), cb = ccc(t.chars[b])
          return ca != cb ? ca < cb : a < b
        }
        let cs = idx.map { t.chars[$0] }, ss = idx.map { t.starts[$0] }, es = idx.map { t.ends[$0] }
        for k in 0..<(j - i) { t.chars[i + k] = cs[k]; t.starts[i + k] = ss[k]; t.ends[i + k] = es[k] }
      }
      i = j
    }
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
