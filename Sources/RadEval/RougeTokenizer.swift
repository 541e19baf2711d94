/// rouge-score 0.1.2's default tokenizer.
///
/// It lowercases (Python `str.lower()`), turns every run of characters outside `[a-z0-9]` into a
/// space, splits, optionally Porter-stems tokens longer than three characters, and keeps only
/// tokens made of `[a-z0-9]`. So `3.5` gives `3`, `5` and `café` gives `caf`.
public struct RougeTokenizer: Sendable {
  public let useStemmer: Bool
  private let stemmer = PorterStemmer()

  public init(useStemmer: Bool = false) { self.useStemmer = useStemmer }

  /// The tokens of `text`.
  public func tokenize(_ text: String) -> [String] {
    var interner = SliceInterner()
    var cache = StemCache()
    return tokenIDs(text, interner: &interner, cache: &cache).flatMap { $0 }.map { id in
      String(decoding: interner.slice(id).map { UInt8(truncatingIfNeeded: $0) }, as: UTF8.self)
    }
  }

  /// Interned token ids per line (`\n`-separated, as rouge-score's ROUGE-Lsum splits), lines
  /// without tokens dropped. Tokenizing per line equals tokenizing the whole text because a
  /// newline is a separator; the flat token list is the concatenation.
  func tokenIDs(_ text: String, interner: inout SliceInterner, cache: inout StemCache) -> [[Int32]] {
    var lines: [[Int32]] = []
    var line: [Int32] = []
    var current: [UInt32] = []
    current.reserveCapacity(32)
    func flush() {
      guard !current.isEmpty else { return }
      if useStemmer && current.count > 3 {
        let stemmed = cache.stem(current, stemmer)
        line.append(stemmed.withUnsafeBufferPointer { interner.id($0) })
      } else {
        line.append(current.withUnsafeBufferPointer { interner.id($0) })
      }
      current.removeAll(keepingCapacity: true)
    }
    @inline(__always) func feed(_ v: UInt32) {
      if (v >= 0x61 && v <= 0x7A) || (v >= 0x30 && v <= 0x39) {
        current.append(v)
      } else if v >= 0x41 && v <= 0x5A {
        current.append(v + 32)
      } else {
        flush()
      }
    }
    for s in text.unicodeScalars {
      let v = s.value
      if v == 0x0A {
        flush()
        if !line.isEmpty { lines.append(line) }
        line.removeAll(keepingCapacity: true)
      } else if v < 0x80 {
        feed(v)
      } else {
        // A few non-ASCII letters lowercase to ASCII (KELVIN SIGN -> k, U+0130 -> i + dot).
        for l in s.properties.lowercaseMapping.unicodeScalars { feed(l.value) }
      }
    }
    flush()
    if !line.isEmpty { lines.append(line) }
    return lines
  }
}

/// Memoised Porter stems of `[a-z0-9]` tokens; one per worker thread.
struct StemCache {
  private var table: [[UInt32]: [UInt32]] = [:]

  mutating func stem(_ token: [UInt32], _ stemmer: PorterStemmer) -> [UInt32] {
    if let s = table[token] { return s }
    let s = stemmer.stem(asciiBytes: token.map { UInt8(truncatingIfNeeded: $0) }).map { UInt32($0) }
    if table.count > 200_000 { table.removeAll(keepingCapacity: true) }
    table[token] = s
    return s
  }
}
