import Foundation
import RadArchive

/// CLIP's byte-level BPE tokenizer (OpenAI CLIP, open_clip's `SimpleTokenizer`): text is cleaned
/// (HTML entities decoded, whitespace collapsed, lower-cased), split into words, numbers (one digit
/// each), contractions and punctuation runs; each piece's UTF-8 bytes become printable characters,
/// the last one marked end-of-word (`</w>`), and merges are applied by rank. A tokenized text is
/// `<start_of_text> … <end_of_text>` padded with 0 to the context length (77).
public final class CLIPTokenizer: @unchecked Sendable {
  /// Ids of `<start_of_text>` and `<end_of_text>`.
  public let startOfText: Int
  public let endOfText: Int
  public let vocabularySize: Int
  public let contextLength: Int
  private let ids: [String: Int]
  private let ranks: [String: Int]
  private let byteSymbols: [String]
  private let cacheLock = NSLock()
  private var cache: [String: [Int]] = [:]

  /// Merges in the file after its header line: 49152 − 256 − 2 of them, as CLIP uses.
  public static let mergeCount = 49_152 - 256 - 2

  /// Loads the gzip-compressed merges file (`bpe_simple_vocab_16e6.txt.gz`, `radlm fetch openclip`).
  public convenience init(mergesFile url: URL, contextLength: Int = 77) throws {
    let compressed: [UInt8]
    do {
      compressed = [UInt8](try Data(contentsOf: url))
    } catch {
      throw TokenizerError.io(path: url.path, message: error.localizedDescription)
    }
    let text: [UInt8]
    do {
      text = try Zlib.inflate(compressed, format: .gzip)
    } catch {
      throw TokenizerError.io(path: url.path, message: "not a gzip file: \(error)")
    }
    try self.init(mergesText: String(decoding: text, as: UTF8.self), source: url.path, contextLength: contextLength)
  }

  /// Builds the tokenizer from the merges text (first line a header, then "a b" per line).
  public init(mergesText: String, source: String = "merges", contextLength: Int = 77) throws {
    let lines = mergesText.split(separator: "\n", omittingEmptySubsequences: false)
    guard lines.count > Self.mergeCount else {
      throw TokenizerError.malformedLine(
        source: source, line: lines.count, message: "has \(lines.count - 1) merges, CLIP needs \(Self.mergeCount)")
    }
    let symbols = Self.byteSymbolsInVocabularyOrder()
    var vocabulary = symbols.map { String($0.symbol) }
    vocabulary += vocabulary.map { $0 + "</w>" }
    var ranks: [String: Int] = [:]
    ranks.reserveCapacity(Self.mergeCount)
    for (rank, line) in lines[1...Self.mergeCount].enumerated() {
      let parts = line.split(separator: " ")
      guard parts.count == 2 else {
        throw TokenizerError.malformedLine(source: source, line: rank + 2, message: "a merge needs two symbols")
      }
      ranks["\(parts[0]) \(parts[1])"] = rank
      vocabulary.append(String(parts[0] + parts[1]))
    }
    vocabulary += ["<start_of_text>", "<end_of_text>"]
    var ids: [String: Int] = [:]
    for (id, token) in vocabulary.enumerated() { ids[token] = id }
    self.ids = ids
    self.ranks = ranks
    vocabularySize = vocabulary.count
    startOfText = vocabulary.count - 2
    endOfText = vocabulary.count - 1
    self.contextLength = contextLength
    var byByte = [String](repeating: "", count: 256)
    for entry in symbols { byByte[Int(entry.byte)] = String(entry.symbol) }
    byteSymbols = byByte
  }

  /// GPT-2's reversible byte → character table, in CLIP's vocabulary order: the printable bytes
  /// (! to ~, ¡ to ¬, ® to ÿ) map to themselves, the other 68 to U+0100 onwards.
  static func byteSymbolsInVocabularyOrder() -> [(byte: UInt8, symbol: Character)] {
    let printable = Array(33...126) + Array(161...172) + Array(174...255)
    var table = printable.map { (UInt8($0), Character(Unicode.Scalar(UInt32($0))!)) }
    var next: UInt32 = 256
    for byte in 0...255 where !printable.contains(byte) {
      table.append((UInt8(byte), Character(Unicode.Scalar(next)!)))
      next += 1
    }
    return table
  }

  /// Token ids of `text` without the start/end tokens.
  public func encode(_ text: String) -> [Int] {
    var result: [Int] = []
    for piece in Self.pieces(of: Self.clean(text)) {
      if piece == "<start_of_text>" {
        result.append(startOfText)
      } else if piece == "<end_of_text>" {
        result.append(endOfText)
      } else {
        result += bpe(piece)
      }
    }
    return result
  }

  /// `<start_of_text> ids <end_of_text>` for each text, cut to the context length (the last kept
  /// token becoming `<end_of_text>`) and padded with 0.
  public func tokenize(_ texts: [String], contextLength: Int? = nil) -> [[Int]] {
    let length = contextLength ?? self.contextLength
    return texts.map { text in
      var tokens = [startOfText] + encode(text) + [endOfText]
      if tokens.count > length {
        tokens = Array(tokens.prefix(length))
        tokens[length - 1] = endOfText
      }
      return tokens + [Int](repeating: 0, count: length - tokens.count)
    }
  }

  /// The ids of one pre-tokenized piece after byte mapping and merges (cached per piece).
  func bpe(_ piece: String) -> [Int] {
    if let cached = cacheLock.withLock({ cache[piece] }) { return cached }
    var word = Array(piece.utf8).map { byteSymbols[Int($0)] }
    guard !word.isEmpty else { return [] }
    word[word.count - 1] += "</w>"
    while word.count > 1 {
      var best: (rank: Int, index: Int)?
      for index in 0..<(word.count - 1) {
        if let rank = ranks[word[index] + " " + word[index + 1]], rank < (best?.rank ?? .max) {
          best = (rank, index)
        }
      }
      guard let best else { break }
      let first = word[best.index]
      let second = word[best.index + 1]
      // Merge every occurrence of the pair, left to right.
      var merged: [String] = []
      var index = 0
      while index < word.count {
        if index < word.count - 1, word[index] == first, word[index + 1] == second {
          merged.append(first + second)
          index += 2
        } else {
          merged.append(word[index])
          index += 1
        }
      }
      word = merged
    }
    let result = word.compactMap { ids[$0] }
    cacheLock.withLock { cache[piece] = result }
    return result
  }

  /// open_clip's "lower" cleaning: HTML entities decoded twice, NFC, straight quotes, Latin ligatures split, whitespace
  /// runs collapsed to one space, trimmed, lower-cased. (ftfy's repair of mis-decoded text is not
  /// reproduced; text that is valid Unicode to begin with is unaffected by it.)
  static func clean(_ text: String) -> String {
    var value = unescapeHTML(unescapeHTML(text)).precomposedStringWithCanonicalMapping
    for (curly, straight) in [("\u{2018}", "'"), ("\u{2019}", "'"), ("\u{201C}", "\""), ("\u{201D}", "\"")] {
      value = value.replacingOccurrences(of: curly, with: straight)
    }
    // ftfy splits the Latin ligatures (ﬁ → fi) before tokenizing.
    if value.unicodeScalars.contains(where: { ligatures[$0] != nil }) {
      value = String(value.unicodeScalars.map { ligatures[$0] ?? String($0) }.joined())
    }
    let words = value.unicodeScalars.split(whereSeparator: { $0.properties.isWhitespace }).map {
      String(String.UnicodeScalarView($0))
    }
    return words.joined(separator: " ").lowercased()
  }

  /// The ligatures ftfy's `fix_latin_ligatures` expands.
  static let ligatures: [Unicode.Scalar: String] = [
    "\u{FB00}": "ff", "\u{FB01}": "fi", "\u{FB02}": "fl", "\u{FB03}": "ffi", "\u{FB04}": "ffl", "\u{FB05}": "\u{017F}t",
    "\u{FB06}": "st", "\u{0132}": "IJ", "\u{0133}": "ij", "\u{013F}": "L\u{00B7}", "\u{0140}": "l\u{00B7}",
    "\u{0149}": "\u{02BC}n", "\u{01C4}": "D\u{017D}", "\u{01C5}": "D\u{017E}", "\u{01C6}": "d\u{017E}",
    "\u{01C7}": "LJ", "\u{01C8}": "Lj", "\u{01C9}": "lj", "\u{01CA}": "NJ", "\u{01CB}": "Nj", "\u{01CC}": "nj",
    "\u{01F1}": "DZ", "\u{01F2}": "Dz", "\u{01F3}": "dz",
  ]

  /// Decodes numeric character references and the common named entities.
  static func unescapeHTML(_ text: String) -> String {
    guard text.contains("&") else { return text }
    let named = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{00A0}"]
    var output = ""
    var rest = Substring(text)
    while let ampersand = rest.firstIndex(of: "&") {
      output += rest[..<ampersand]
      let after = rest[rest.index(after: ampersand)...]
      if let semicolon = after.prefix(12).firstIndex(of: ";") {
        let name = after[..<semicolon]
        var replacement: String?
        if name.hasPrefix("#x") || name.hasPrefix("#X") {
          replacement = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String($0) }
        } else if name.hasPrefix("#") {
          replacement = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init).map { String($0) }
        } else {
          replacement = named[String(name)]
        }
        if let replacement {
          output += replacement
          rest = after[after.index(after: semicolon)...]
          continue
        }
      }
      output += "&"
      rest = after
    }
    return output + rest
  }

  /// Splits cleaned text as CLIP's pattern does: the special tokens, contractions ('s 't 're 've
  /// 'm 'll 'd), runs of letters, single number characters, and runs of other non-space characters.
  static func pieces(of text: String) -> [String] {
    let scalars = Array(text.unicodeScalars)
    var pieces: [String] = []
    var index = 0
    func isLetter(_ s: Unicode.Scalar) -> Bool {
      switch s.properties.generalCategory {
      case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
      default: return false
      }
    }
    func isNumber(_ s: Unicode.Scalar) -> Bool {
      switch s.properties.generalCategory {
      case .decimalNumber, .letterNumber, .otherNumber: return true
      default: return false
      }
    }
    func matches(_ literal: String, at position: Int) -> Bool {
      let target = Array(literal.unicodeScalars)
      guard position + target.count <= scalars.count else { return false }
      for (offset, scalar) in target.enumerated()
      where String(scalars[position + offset]).lowercased() != String(scalar) {
        return false
      }
      return true
    }
    func take(_ count: Int) {
      pieces.append(String(String.UnicodeScalarView(scalars[index..<(index + count)])))
      index += count
    }
    scan: while index < scalars.count {
      let scalar = scalars[index]
      if scalar.properties.isWhitespace {
        index += 1
        continue
      }
      for special in ["<start_of_text>", "<end_of_text>"] where matches(special, at: index) {
        take(special.unicodeScalars.count)
        continue scan
      }
      if scalar == "'" {
        for contraction in ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"] where matches(contraction, at: index) {
          take(contraction.unicodeScalars.count)
          continue scan
        }
      }
      var end = index + 1
      if isLetter(scalar) {
        while end < scalars.count, isLetter(scalars[end]) { end += 1 }
      } else if !isNumber(scalar) {
        while end < scalars.count, !isLetter(scalars[end]), !isNumber(scalars[end]),
          !scalars[end].properties.isWhitespace
        {
          end += 1
        }
      }
      take(end - index)
    }
    return pieces
  }
}
