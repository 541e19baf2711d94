/// NLTK's Porter stemmer in its default `NLTK_EXTENSIONS` mode, as rouge-score uses it.
///
/// This is not the 1980 textbook algorithm: NLTK first looks words up in a small table of
/// irregular forms, treats `ies`/`ied` on four-letter words specially, retries step 2 after
/// `alli`, and adds the `fulli` and `logi` rules. Within each step the first suffix that matches
/// decides, and a failed condition leaves the word unchanged. Works on lowercase ASCII words,
/// which is all rouge-score's tokenizer can produce.
public struct PorterStemmer: Sendable {
  public init() {}

  private static let irregular: [String: String] = [
    "sky": "sky", "skies": "sky", "dying": "die", "lying": "lie", "tying": "tie", "news": "news",
    "innings": "inning", "inning": "inning", "outings": "outing", "outing": "outing",
    "cannings": "canning", "canning": "canning", "howe": "howe", "proceed": "proceed",
    "exceed": "exceed", "succeed": "succeed",
  ]

  /// The stem of `word`, which is lowercased first (as NLTK's `stem(word)` does).
  public func stem(_ word: String) -> String {
    let lowered = PythonText.lower(word)
    if let irregular = Self.irregular[lowered] { return irregular }
    // NLTK tests the length of the word as given, in code points.
    if word.unicodeScalars.count <= 2 { return lowered }
    var w = Array(lowered.utf8)
    // The rules are defined for ASCII letters; other code points count as consonants, exactly
    // as in NLTK, but must be kept whole, so fall back to scalar-wise bytes only for ASCII.
    guard w.allSatisfy({ $0 < 0x80 }) else { return stemScalars(lowered) }
    w = Self.step1a(w)
    w = Self.step1b(w)
    w = Self.step1c(w)
    w = Self.step2(w)
    w = Self.step3(w)
    w = Self.step4(w)
    w = Self.step5a(w)
    w = Self.step5b(w)
    return String(decoding: w, as: UTF8.self)
  }

  /// The stem of a lowercase ASCII word given as bytes (the tokens rouge-score produces).
  func stem(asciiBytes w0: [UInt8]) -> [UInt8] {
    if let irregular = Self.irregularBytes[w0] { return irregular }
    if w0.count <= 2 { return w0 }
    var w = Self.step1a(w0)
    w = Self.step1b(w)
    w = Self.step1c(w)
    w = Self.step2(w)
    w = Self.step3(w)
    w = Self.step4(w)
    w = Self.step5a(w)
    return Self.step5b(w)
  }

  private static let irregularBytes: [[UInt8]: [UInt8]] = Dictionary(
    uniqueKeysWithValues: irregular.map { (Array($0.key.utf8), Array($0.value.utf8)) })

  /// Non-ASCII words: map each code point to a placeholder consonant byte, stem, map back.
  private func stemScalars(_ word: String) -> String {
    // Suffix rules only ever touch ASCII letters; a non-ASCII code point behaves as a consonant
    // that matches no suffix letter. Encode such code points as private bytes >= 0x80.
    var table: [Unicode.Scalar] = []
    var bytes: [UInt8] = []
    for s in word.unicodeScalars {
      if s.isASCII {
        bytes.append(UInt8(s.value))
      } else if let i = table.firstIndex(of: s), i < 127 {
        bytes.append(UInt8(0x80 + i))
      } else if table.count < 127 {
        table.append(s)
        bytes.append(UInt8(0x80 + table.count - 1))
      } else {
        return word  // more than 127 distinct non-ASCII code points: not a word
      }
    }
    var w = bytes
    w = Self.step1a(w)
    w = Self.step1b(w)
    w = Self.step1c(w)
    w = Self.step2(w)
    w = Self.step3(w)
    w = Self.step4(w)
    w = Self.step5a(w)
    w = Self.step5b(w)
    var out = String.UnicodeScalarView()
    for b in w { out.append(b < 0x80 ? Unicode.Scalar(b) : table[Int(b - 0x80)]) }
    return String(out)
  }

  // MARK: - Letter classes

  @inline(__always) private static func isVowel(_ c: UInt8) -> Bool {
    c == 0x61 || c == 0x65 || c == 0x69 || c == 0x6F || c == 0x75  // a e i o u
  }

  /// Consonant flags: `y` is a consonant at the start or after a vowel.
  private static func consonantFlags(_ w: ArraySlice<UInt8>) -> [Bool] {
    var flags: [Bool] = []
    flags.reserveCapacity(w.count)
    var prev = false
    var first = true
    for c in w {
      let f: Bool
      if isVowel(c) {
        f = false
      } else if c == 0x79 {
        f = first ? true : !prev
      } else {
        f = true
      }
      flags.append(f)
      prev = f
      first = false
    }
    return flags
  }

  private static func isConsonant(_ w: [UInt8], _ i: Int) -> Bool {
    consonantFlags(w[0...i]).last ?? true
  }

  /// m in [C](VC){m}[V]: the number of vowel→consonant transitions.
  private static func measure(_ w: ArraySlice<UInt8>) -> Int {
    let f = consonantFlags(w)
    var m = 0
    var i = 1
    while i < f.count {
      if !f[i - 1] && f[i] { m += 1 }
      i += 1
    }
    return m
  }
  private static func measure(_ w: [UInt8]) -> Int { measure(w[...]) }

  private static func containsVowel(_ w: ArraySlice<UInt8>) -> Bool {
    consonantFlags(w).contains(false)
  }

  private static func endsDoubleConsonant(_ w: [UInt8]) -> Bool {
    w.count >= 2 && w[w.count - 1] == w[w.count - 2] && isConsonant(w, w.count - 1)
  }

  /// *o: consonant-vowel-consonant with the last not w, x or y; NLTK also accepts a two-letter
  /// vowel-consonant word.
  private static func endsCVC(_ w: [UInt8]) -> Bool {
    let n = w.count
    if n >= 3 {
      let f = consonantFlags(w[...])
      if f[n - 3] && !f[n - 2] && f[n - 1] && w[n - 1] != 0x77 && w[n - 1] != 0x78
        && w[n - 1] != 0x79
      {
        return true
      }
    }
    if n == 2 {
      let f = consonantFlags(w[...])
      return !f[0] && f[1]
    }
    return false
  }

  @inline(__always) private static func ends(_ w: [UInt8], _ suffix: [UInt8]) -> Bool {
    guard w.count >= suffix.count else { return false }
    var i = w.count - suffix.count
    for c in suffix {
      if w[i] != c { return false }
      i += 1
    }
    return true
  }

  private enum Condition {
    case none, positiveMeasure, measureAbove1, measureAbove1AndSOrT, logi
  }

  private struct Rule {
    let suffix: [UInt8]
    let replacement: [UInt8]
    let condition: Condition
    init(_ s: String, _ r: String, _ c: Condition) {
      suffix = Array(s.utf8)
      replacement = Array(r.utf8)
      condition = c
    }
  }

  private static func holds(_ c: Condition, stem: [UInt8], word: [UInt8]) -> Bool {
    switch c {
    case .none: return true
    case .positiveMeasure: return measure(stem) > 0
    case .measureAbove1: return measure(stem) > 1
    case .measureAbove1AndSOrT:
      return measure(stem) > 1 && (stem.last == 0x73 || stem.last == 0x74)
    case .logi: return measure(word[..<(word.count - 3)]) > 0
    }
  }

  /// The first rule whose suffix matches decides; a failed condition returns the word.
  private static func applyRules(_ w: [UInt8], _ rules: [Rule]) -> [UInt8] {
    for rule in rules where ends(w, rule.suffix) {
      let stem = Array(w[..<(w.count - rule.suffix.count)])
      return holds(rule.condition, stem: stem, word: w) ? stem + rule.replacement : w
    }
    return w
  }

  // MARK: - Steps

  private static let step1aRules = [
    Rule("sses", "ss", .none), Rule("ies", "i", .none), Rule("ss", "ss", .none),
    Rule("s", "", .none),
  ]

  private static func step1a(_ w: [UInt8]) -> [UInt8] {
    if w.count == 4 && ends(w, Array("ies".utf8)) { return Array(w[..<1]) + Array("ie".utf8) }
    return applyRules(w, step1aRules)
  }

  private static func step1b(_ w: [UInt8]) -> [UInt8] {
    if ends(w, Array("ied".utf8)) {
      let stem = Array(w[..<(w.count - 3)])
      return stem + Array((w.count == 4 ? "ie" : "i").utf8)
    }
    if ends(w, Array("eed".utf8)) {
      let stem = Array(w[..<(w.count - 3)])
      return measure(stem) > 0 ? stem + Array("ee".utf8) : w
    }
    var intermediate: [UInt8]? = nil
    for suffix in ["ed", "ing"] where ends(w, Array(suffix.utf8)) {
      let stem = Array(w[..<(w.count - suffix.utf8.count)])
      if containsVowel(stem[...]) {
        intermediate = stem
        break
      }
    }
    guard let s = intermediate else { return w }
    if ends(s, Array("at".utf8)) { return s + [0x65] }
    if ends(s, Array("bl".utf8)) { return s + [0x65] }
    if ends(s, Array("iz".utf8)) { return s + [0x65] }
    if endsDoubleConsonant(s) {
      let last = s[s.count - 1]
      // l, s, z keep the double letter; the rule list stops here either way.
      return (last != 0x6C && last != 0x73 && last != 0x7A) ? Array(s[..<(s.count - 1)]) : s
    }
    if measure(s) == 1 && endsCVC(s) { return s + [0x65] }
    return s
  }

  private static func step1c(_ w: [UInt8]) -> [UInt8] {
    guard w.last == 0x79 else { return w }
    let stem = Array(w[..<(w.count - 1)])
    if stem.count > 1 && isConsonant(stem, stem.count - 1) { return stem + [0x69] }
    return w
  }

  private static let step2Rules = [
    Rule("ational", "ate", .positiveMeasure), Rule("tional", "tion", .positiveMeasure),
    Rule("enci", "ence", .positiveMeasure), Rule("anci", "ance", .positiveMeasure),
    Rule("izer", "ize", .positiveMeasure), Rule("bli", "ble", .positiveMeasure),
    Rule("alli", "al", .positiveMeasure), Rule("entli", "ent", .positiveMeasure),
    Rule("eli", "e", .positiveMeasure), Rule("ousli", "ous", .positiveMeasure),
    Rule("ization", "ize", .positiveMeasure), Rule("ation", "ate", .positiveMeasure),
    Rule("ator", "ate", .positiveMeasure), Rule("alism", "al", .positiveMeasure),
    Rule("iveness", "ive", .positiveMeasure), Rule("fulness", "ful", .positiveMeasure),
    Rule("ousness", "ous", .positiveMeasure), Rule("aliti", "al", .positiveMeasure),
    Rule("iviti", "ive", .positiveMeasure), Rule("biliti", "ble", .positiveMeasure),
    Rule("fulli", "ful", .positiveMeasure), Rule("logi", "log", .logi),
  ]

  private static func step2(_ w: [UInt8]) -> [UInt8] {
    if ends(w, Array("alli".utf8)) {
      let stem = Array(w[..<(w.count - 4)])
      if measure(stem) > 0 { return step2(stem + Array("al".utf8)) }
    }
    return applyRules(w, step2Rules)
  }

  private static let step3Rules = [
    Rule("icate", "ic", .positiveMeasure), Rule("ative", "", .positiveMeasure),
    Rule("alize", "al", .positiveMeasure), Rule("iciti", "ic", .positiveMeasure),
    Rule("ical", "ic", .positiveMeasure), Rule("ful", "", .positiveMeasure),
    Rule("ness", "", .positiveMeasure),
  ]
  private static func step3(_ w: [UInt8]) -> [UInt8] { applyRules(w, step3Rules) }

  private static let step4Rules = [
    Rule("al", "", .measureAbove1), Rule("ance", "", .measureAbove1),
    Rule("ence", "", .measureAbove1), Rule("er", "", .measureAbove1),
    Rule("ic", "", .measureAbove1), Rule("able", "", .measureAbove1),
    Rule("ible", "", .measureAbove1), Rule("ant", "", .measureAbove1),
    Rule("ement", "", .measureAbove1), Rule("ment", "", .measureAbove1),
    Rule("ent", "", .measureAbove1), Rule("ion", "", .measureAbove1AndSOrT),
    Rule("ou", "", .measureAbove1), Rule("ism", "", .measureAbove1),
    Rule("ate", "", .measureAbove1), Rule("iti", "", .measureAbove1),
    Rule("ous", "", .measureAbove1), Rule("ive", "", .measureAbove1),
    Rule("ize", "", .measureAbove1),
  ]
  private static func step4(_ w: [UInt8]) -> [UInt8] { applyRules(w, step4Rules) }

  private static func step5a(_ w: [UInt8]) -> [UInt8] {
    guard w.last == 0x65 else { return w }
    let stem = Array(w[..<(w.count - 1)])
    let m = measure(stem)
    if m > 1 { return stem }
    if m == 1 && !endsCVC(stem) { return stem }
    return w
  }

  private static func step5b(_ w: [UInt8]) -> [UInt8] {
    guard ends(w, Array("ll".utf8)) else { return w }
    return measure(w[..<(w.count - 1)]) > 1 ? Array(w[..<(w.count - 1)]) : w
  }
}
