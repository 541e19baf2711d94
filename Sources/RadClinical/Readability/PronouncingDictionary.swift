import Foundation

/// The CMU Pronouncing Dictionary reduced to what readability needs: each word's syllable count,
/// the vowel phones (those ending in a stress digit) of its first pronunciation, as textstat reads
/// it through NLTK. Read from the `cmudict.dict` file of `radlm fetch cmudict`.
public struct PronouncingDictionary: Sendable {
  private let syllables: [String: Int]

  /// The number of words with a pronunciation.
  public var count: Int { syllables.count }

  /// Reads `cmudict.dict`: lines `word[(n)] PHONE PHONE … [# comment]`; the first line of a word
  /// is its first pronunciation.
  public init(contentsOf url: URL) throws {
    guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8)
    else {
      throw ReadabilityError.unreadable(file: url.path, reason: "no such file, or not UTF-8 text")
    }
    try self.init(dictionaryText: text, file: url.path)
  }

  /// Parses dictionary lines (see `init(contentsOf:)`).
  public init(dictionaryText text: String, file: String = "(dictionary)") throws {
    var syllables: [String: Int] = [:]
    for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
      let entry = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
      let pieces = entry.split(whereSeparator: { $0 == " " || $0 == "\t" })
      guard var word = pieces.first.map(String.init) else { continue }
      if word.hasSuffix(")"), let open = word.firstIndex(of: "(") { word = String(word[..<open]) }
      word = word.lowercased()
      if syllables[word] != nil { continue }
      syllables[word] = pieces.dropFirst().filter { $0.last?.isASCII == true && $0.last?.isNumber == true }.count
    }
    guard !syllables.isEmpty else { throw ReadabilityError.unreadable(file: file, reason: "holds no pronunciations") }
    self.syllables = syllables
  }

  /// The syllables of `word` (lowercase), or nil when the dictionary lacks it.
  public func syllables(of word: String) -> Int? { syllables[word] }
}
