import Foundation

/// Liang hyphenation patterns in the Hunspell `hyph_*.dic` format, applied as pyphen 0.18.1 does:
/// each pattern's digits raise the score between letters of any word it matches, and odd scores
/// mark places where the word may break. textstat counts a word the pronouncing dictionary lacks
/// as its break points (at least two letters from either end) plus one syllable.
public struct HyphenationPatterns: Sendable {
  /// Pattern letters → (offset of the first non-zero score, the scores from there).
  private let patterns: [String: (offset: Int, values: [Int])]
  /// The longest pattern, in scalars.
  private let longest: Int
  /// Fewest letters before the first and after the last break (pyphen's defaults, 2 and 2).
  public var left = 2
  public var right = 2

  /// Reads a `hyph_*.dic` file (first line: its encoding; only UTF-8 and ISO8859-1 are read).
  public init(contentsOf url: URL) throws {
    guard let data = FileManager.default.contents(atPath: url.path) else {
      throw ReadabilityError.unreadable(file: url.path, reason: "no such file or not readable")
    }
    let firstLineEnd = data.firstIndex(of: UInt8(ascii: "\n")) ?? data.endIndex
    let encodingName = String(decoding: data[data.startIndex..<firstLineEnd], as: UTF8.self)
      .trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
    let text: String?
    switch encodingName {
    case "UTF-8": text = String(data: data, encoding: .utf8)
    case "ISO8859-1", "ISO-8859-1": text = String(data: data, encoding: .isoLatin1)
    default:
      throw ReadabilityError.unreadable(file: url.path, reason: "encoding \"\(encodingName)\" is not supported")
    }
    guard let text else { throw ReadabilityError.unreadable(file: url.path, reason: "not valid \(encodingName)") }
    try self.init(patternText: text, file: url.path)
  }

  /// Parses the pattern lines of a dictionary (everything after its first line).
  public init(patternText text: String, file: String = "(patterns)") throws {
    let ignored = ["%", "#", "LEFTHYPHENMIN", "RIGHTHYPHENMIN", "COMPOUNDLEFTHYPHENMIN", "COMPOUNDRIGHTHYPHENMIN"]
    var patterns: [String: (offset: Int, values: [Int])] = [:]
    for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst() {
      var pattern = line.trimmingCharacters(in: .whitespacesAndNewlines)
      if pattern.isEmpty || ignored.contains(where: { pattern.hasPrefix($0) }) { continue }
      pattern = Self.replacingHexEscapes(pattern)
      // A non-standard alternative ("pattern/change,index,cut") does not change where breaks go.
      if pattern.contains("/") && pattern.contains("="), let slash = pattern.firstIndex(of: "/") {
        pattern = String(pattern[..<slash])
      }
      // Python's re.findall(r'(\d?)(\D?)'): pairs of an optional digit and an optional letter,
      // ending with one empty pair.
      let scalars = Array(pattern.unicodeScalars)
      var tags = String.UnicodeScalarView()
      var values: [Int] = []
      var position = 0
      while true {
        var value = 0
        if position < scalars.count, let digit = PythonTextRules.digitValue(scalars[position]) {
          value = digit
          position += 1
        }
        var letter: Unicode.Scalar?
        if position < scalars.count, PythonTextRules.digitValue(scalars[position]) == nil {
          letter = scalars[position]
          position += 1
        }
        values.append(value)
        if let letter { tags.append(letter) }
        if position >= scalars.count && letter == nil { break }
      }
      guard let first = values.firstIndex(where: { $0 != 0 }), let last = values.lastIndex(where: { $0 != 0 }) else {
        continue
      }
      patterns[String(tags)] = (first, Array(values[first...last]))
    }
    guard let longest = patterns.keys.map({ $0.unicodeScalars.count }).max() else {
      throw ReadabilityError.unreadable(file: file, reason: "holds no hyphenation patterns")
    }
    self.patterns = patterns
    self.longest = longest
  }

  /// Hunspell's `^^hh` escapes (two lowercase hex digits), written out as the character they name.
  private static func replacingHexEscapes(_ pattern: String) -> String {
    guard pattern.contains("^^") else { return pattern }
    let hex = Set("0123456789abcdef".unicodeScalars)
    let scalars = Array(pattern.unicodeScalars)
    var result = String.UnicodeScalarView()
    var index = 0
    while index < scalars.count {
      if index + 3 < scalars.count, scalars[index] == "^", scalars[index + 1] == "^",
        hex.contains(scalars[index + 2]), hex.contains(scalars[index + 3]),
        let value = UInt32(String(String.UnicodeScalarView(scalars[(index + 2)...(index + 3)])), radix: 16),
        let scalar = Unicode.Scalar(value)
      {
        result.append(scalar)
        index += 4
      } else {
        result.append(scalars[index])
        index += 1
      }
    }
    return String(result)
  }

  /// Break points inside `word` (offsets in scalars), as pyphen's `Pyphen.positions`.
  public func positions(_ word: String) -> [Int] {
    let lowered = Array(word.lowercased().unicodeScalars)
    let pointed: [Unicode.Scalar] = ["."] + lowered + ["."]
    var references = [Int](repeating: 0, count: pointed.count + 1)
    for start in 0..<(pointed.count - 1) {
      let stop = min(start + longest, pointed.count)
      var key = String.UnicodeScalarView()
      for end in (start + 1)...stop {
        key.append(pointed[end - 1])
        guard let pattern = patterns[String(key)] else { continue }
        for (k, value) in pattern.values.enumerated() {
          let index = start + pattern.offset + k
          if index < references.count { references[index] = max(references[index], value) }
        }
      }
    }
    let upper = word.unicodeScalars.count - right
    return references.indices.compactMap { index -> Int? in
      guard references[index] % 2 == 1 else { return nil }
      let point = index - 1
      return point >= left && point <= upper ? point : nil
    }
  }
}
