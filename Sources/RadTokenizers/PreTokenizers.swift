import Foundation

/// How a split keeps the delimiter it found (Hugging Face `SplitDelimiterBehavior`).
public enum SplitBehavior: String, Sendable, Equatable {
  case removed = "Removed", isolated = "Isolated", mergedWithPrevious = "MergedWithPrevious"
  case mergedWithNext = "MergedWithNext", contiguous = "Contiguous"
}

/// When Metaspace adds its replacement character in front of the text.
public enum PrependScheme: String, Sendable, Equatable { case always, never, first }

/// The pattern of a `Split` pre-tokenizer: a literal string or a regular expression. Known
/// regexes (GPT-2, Llama-3, Qwen2) run on the hand-written scanners; others on Foundation's
/// engine, which is correct but slow.
public struct SplitPattern: Sendable, Equatable {
  public let text: String
  public let isRegex: Bool
  let scanner: RegexScanner?
  let regex: RegexBox?

  public init(string: String) {
    text = string; isRegex = false; scanner = nil; regex = nil
  }

  public init(regex: String) throws(TokenizerError) {
    text = regex; isRegex = true
    scanner = RegexScanner(pattern: regex)
    if scanner == nil {
      do { self.regex = RegexBox(try NSRegularExpression(pattern: regex)) } catch {
        throw .malformedJSON(
          source: "tokenizer.json", field: "pre_tokenizer.pattern.Regex", message: "invalid regex \(regex)")
      }
    } else {
      self.regex = nil
    }
  }

  public static func == (a: SplitPattern, b: SplitPattern) -> Bool { a.text == b.text && a.isRegex == b.isRegex }

  /// Match ranges inside chars[lo..<hi].
  func matches(_ chars: [UInt32], _ lo: Int, _ hi: Int) -> [(Int, Int)] {
    if let scanner {
      var ends: [Int32] = []
      chars.withUnsafeBufferPointer { scanner.split($0, lo, hi, into: &ends) }
      var out: [(Int, Int)] = []
      var s = lo
      for e in ends { out.append((s, Int(e))); s = Int(e) }
      return out
    }
    if let regex {
      // Foundation works in UTF-16; map UTF-16 offsets back to character offsets.
      let slice = chars[lo..<hi]
      let str = UTF8Codec.string(slice)
      var u16ToChar = [Int](repeating: 0, count: str.utf16.count + 1)
      var u = 0
      for (k, c) in slice.enumerated() {
        let w = c >= 0x10000 ? 2 : 1
        for q in 0..<w { u16ToChar[u + q] = k }
        u += w
      }
      u16ToChar[u] = slice.count
      let ns = str as NSString
      return regex.value.matches(in: str, range: NSRange(location: 0, length: ns.length)).compactMap { m in
        guard m.range.length > 0 else { return nil }
        return (lo + u16ToChar[m.range.location], lo + u16ToChar[m.range.location + m.range.length])
      }
    }
    let pat = UTF8Codec.scalars(of: text)
    guard !pat.isEmpty else { return [] }
    var out: [(Int, Int)] = []
    var i = lo
    while i + pat.count <= hi {
      if chars[i] == pat[0] && chars[i..<(i + pat.count)].elementsEqual(pat) {
        out.append((i, i + pat.count)); i += pat.count
      } else {
        i += 1
      }
    }
    return out
  }
}

/// Makes a compiled Foundation regex shareable between threads (it is immutable once built).
final class RegexBox: @unchecked Sendable {
  let value: NSRegularExpression
  init(_ v: NSRegularExpression) { value = v }
}

/// A pre-tokenizer from the Hugging Face `tokenizer.json` vocabulary: it cuts normalized text
/// into pieces ("words") that the model then tokenizes independently, so no token crosses a
/// piece boundary.
public indirect enum PreTokenizer: Sendable, Equatable {
  /// GPT-2 byte-level: optional leading space, then the GPT-2 regex; the model sees UTF-8 bytes.
  case byteLevel(addPrefixSpace: Bool, useRegex: Bool, trimOffsets: Bool)
  /// BERT: split on white space (dropped) and isolate each punctuation character.
  case bert
  /// `\w+|[^\w\s]+`.
  case whitespace
  /// Split on white space, dropping it.
  case whitespaceSplit
  case split(pattern: SplitPattern, behavior: SplitBehavior, invert: Bool)
  /// Numbers isolated, either each digit alone or as runs.
  case digits(individual: Bool)
  case punctuation(SplitBehavior)
  /// SentencePiece style: spaces become `replacement`, optionally prepended, split before it.
  case metaspace(replacement: UInt32, prependScheme: PrependScheme, split: Bool)
  case sequence([PreTokenizer])

  /// Whether the model should see UTF-8 bytes (a ByteLevel step is present).
  public var isByteLevel: Bool {
    switch self {
    case .byteLevel: return true
    case .sequence(let l): return l.contains { $0.isByteLevel }
    default: return false
    }
  }

  /// Splits `pieces` (ranges of `text.chars`) further; may rewrite `text` (prefix space, Metaspace).
  func apply(_ text: inout NormalizedText, _ pieces: inout [(Int, Int)], isFirstSegment: Bool) {
    switch self {
    case .sequence(let list):
      for p in list { p.apply(&text, &pieces, isFirstSegment: isFirstSegment) }
    case .byteLevel(let prefix, let useRegex, _):
      if prefix { Self.prefixPieces(&text, &pieces, char: 0x20) { t, lo in t.chars[lo] != 0x20 } }
      if useRegex { pieces = Self.refine(text, pieces, RegexScanner.gpt2) }
    case .bert:
      pieces = Self.splitBy(text, pieces, .removed) { ScalarClass.of($0).contains(.whitespace) }
      pieces = Self.splitBy(text, pieces, .isolated) { ScalarClass.of($0).contains(.bertPunctuation) }
    case .whitespaceSplit:
      pieces = Self.splitBy(text, pieces, .removed) { ScalarClass.of($0).contains(.whitespace) }
    case .whitespace:
      // \w+|[^\w\s]+ : runs of word characters, runs of other non-space characters.
      var out: [(Int, Int)] = []
      for (lo, hi) in pieces {
        var i = lo
        while i < hi {
          let w = Self.isWordChar(text.chars[i])
          if !w && ScalarClass.of(text.chars[i]).contains(.whitespace) { i += 1; continue }
          var j = i + 1
          while j < hi {
            let c = text.chars[j]
            if w ? !Self.isWordChar(c) : (Self.isWordChar(c) || ScalarClass.of(c).contains(.whitespace)) { break }
            j += 1
          }
          out.append((i, j)); i = j
        }
      }
      pieces = out
    case .split(let pattern, let behavior, let invert):
      var out: [(Int, Int)] = []
      for (lo, hi) in pieces {
        let m = pattern.matches(text.chars, lo, hi)
        out += Self.applyBehavior(lo, hi, matches: m, behavior: behavior, invert: invert)
      }
      pieces = out
    case .digits(let individual):
      if individual {
        pieces = Self.splitBy(text, pieces, .isolated) { ScalarClass.of($0).contains(.number) }
      } else {
        pieces = Self.splitBy(text, pieces, .contiguous) { ScalarClass.of($0).contains(.number) }
      }
    case .punctuation(let b):
      pieces = Self.splitBy(text, pieces, b) { ScalarClass.of($0).contains(.bertPunctuation) }
    case .metaspace(let rep, let scheme, let split):
      for i in 0..<text.count where text.chars[i] == 0x20 { text.chars[i] = rep }
      if scheme == .always || (scheme == .first && isFirstSegment) {
        var first = true
        Self.prefixPieces(&text, &pieces, char: rep) { t, lo in
          defer { first = false }
          if scheme == .first && !first { return false }
          return t.chars[lo] != rep
        }
      }
      if split { pieces = Self.splitBy(text, pieces, .mergedWithNext) { $0 == rep } }
    }
  }

  static func isWordChar(_ c: UInt32) -> Bool {
    if c < 0x80 {
      return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F
    }
    guard let s = Unicode.Scalar(c) else { return false }
    if c == 0x200C || c == 0x200D { return true }  // Join_Control
    let p = s.properties
    if p.isAlphabetic { return true }
    switch p.generalCategory {
    case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
    default: return false
    }
  }

  /// Inserts `char` before each non-empty piece for which `need` holds.
  static func prefixPieces(
    _ text: inout NormalizedText, _ pieces: inout [(Int, Int)], char: UInt32, need: (NormalizedText, Int) -> Bool
  ) {
    var out = NormalizedText.empty(capacity: text.count + pieces.count)
    var newPieces: [(Int, Int)] = []
    var cursor = 0
    for (lo, hi) in pieces {
      while cursor < lo { out.append(text.chars[cursor], text.starts[cursor], text.ends[cursor]); cursor += 1 }
      let start = out.count
      if hi > lo && need(text, lo) { out.append(char, text.starts[lo], text.ends[lo]) }
      while cursor < hi { out.append(text.chars[cursor], text.starts[cursor], text.ends[cursor]); cursor += 1 }
      newPieces.append((start, out.count))
    }
    while cursor < text.count { out.append(text.chars[cursor], text.starts[cursor], text.ends[cursor]); cursor += 1 }
    text = out
    pieces = newPieces
  }

  static func refine(_ text: NormalizedText, _ pieces: [(Int, Int)], _ scanner: RegexScanner) -> [(Int, Int)] {
    var out: [(Int, Int)] = []
    out.reserveCapacity(pieces.count * 2)
    var ends: [Int32] = []
    text.chars.withUnsafeBufferPointer { buf in
      for (lo, hi) in pieces {
        ends.removeAll(keepingCapacity: true)
        scanner.split(buf, lo, hi, into: &ends)
        var s = lo
        for e in ends { out.append((s, Int(e))); s = Int(e) }
      }
    }
    return out
  }

  static func splitBy(
    _ text: NormalizedText, _ pieces: [(Int, Int)], _ behavior: SplitBehavior, _ isDelim: (UInt32) -> Bool
  ) -> [(Int, Int)] {
    var out: [(Int, Int)] = []
    for (lo, hi) in pieces {
      var matches: [(Int, Int)] = []
      var i = lo
      while i < hi {
        if isDelim(text.chars[i]) {
          if behavior == .contiguous {
            var j = i + 1
            while j < hi && isDelim(text.chars[j]) { j += 1 }
            matches.append((i, j)); i = j
          } else {
            matches.append((i, i + 1)); i += 1
          }
        } else {
          i += 1
        }
      }
      out += applyBehavior(
        lo, hi, matches: matches, behavior: behavior == .contiguous ? .isolated : behavior, invert: false)
    }
    return out
  }

  /// Turns delimiter matches inside [lo, hi) into pieces according to `behavior`.
  static func applyBehavior(_ lo: Int, _ hi: Int, matches: [(Int, Int)], behavior: SplitBehavior, invert: Bool)
    -> [(Int, Int)]
  {
    // Label every span: (start, end, isDelimiter).
    var spans: [(Int, Int, Bool)] = []
    var cur = lo
    for (s, e) in matches {
      if s > cur { spans.append((cur, s, invert)) }
      spans.append((s, e, !invert))
      cur = e
    }
    if cur < hi { spans.append((cur, hi, invert)) }
    var out: [(Int, Int)] = []
    switch behavior {
    case .removed:
      for s in spans where !s.2 { out.append((s.0, s.1)) }
    case .isolated:
      for s in spans { out.append((s.0, s.1)) }
    case .contiguous:
      var lastWasDelim = false
      for s in spans {
        if s.2 && lastWasDelim, let last = out.last, last.1 == s.0 {
          out[out.count - 1].1 = s.1
        } else {
          out.append((s.0, s.1))
        }
        lastWasDelim = s.2
      }
    case .mergedWithPrevious:
      var pendingStart: Int? = nil
      for s in spans {
        let start = pendingStart ?? s.0
        if s.2 { out.append((start, s.1)); pendingStart = nil } else { pendingStart = start }
        _ = start
      }
      if let p = pendingStart { out.append((p, hi)) }
    case .mergedWithNext:
      var pendingStart: Int? = nil
      for s in spans {
        if s.2 {
          if let p = pendingStart { out.append((p, s.0)) }
          pendingStart = s.0
        } else if pendingStart == nil {
          pendingStart = s.0
        }
      }
      if let p = pendingStart { out.append((p, hi)) }
    }
    return out.filter { $0.1 > $0.0 }
  }
}
