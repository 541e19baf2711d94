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
    var tokens: [String] = []
    var current: [UInt8] = []
    func flush() {
      guard !current.isEmpty else { return }
      let token = String(decoding: current, as: UTF8.self)
      tokens.append(useStemmer && current.count > 3 ? stemmer.stem(token) : token)
      current.removeAll(keepingCapacity: true)
    }
    @inline(__always) func feed(_ v: UInt32) {
      if (v >= 0x61 && v <= 0x7A) || (v >= 0x30 && v <= 0x39) {
        current.append(UInt8(v))
      } else if v >= 0x41 && v <= 0x5A {
        current.append(UInt8(v + 32))
      } else {
        flush()
      }
    }
    for s in text.unicodeScalars {
      if s.value < 0x80 {
        feed(s.value)
      } else {
        // A few non-ASCII letters lowercase to ASCII (KELVIN SIGN -> k, U+0130 -> i + dot).
        for l in s.properties.lowercaseMapping.unicodeScalars { feed(l.value) }
      }
    }
    flush()
    return tokens
  }
}
