import Foundation
import RadTokenizers

/// How documents are cut into searchable chunks. By sentence: whole sentences are packed into a
/// chunk while it stays within `size` model tokens, and the last `overlap` sentences of a chunk
/// start the next one. By tokens: windows of `size` model tokens, each starting `size − overlap`
/// tokens after the previous one, cut at token boundaries of the original text.
public struct ChunkingOptions: Sendable, Equatable {
  public enum Mode: String, Sendable, CaseIterable { case sentence, tokens }
  public var mode: Mode
  public var size: Int
  public var overlap: Int

  public init(mode: Mode = .sentence, size: Int = 128, overlap: Int = 0) {
    self.mode = mode
    self.size = size
    self.overlap = overlap
  }

  /// Part of each document's digest, so that other settings re-chunk on the next ingestion.
  var signature: String { "\(mode.rawValue):\(size):\(overlap)" }
}

/// Cuts text into chunks with `ChunkingOptions`, counting tokens with the embedding model's own
/// tokenizer (through `tokenSpans`).
public struct Chunker: Sendable {
  public let options: ChunkingOptions
  let tokenSpans: @Sendable (String) -> [TokenSpan]

  public init(options: ChunkingOptions, tokenSpans: @escaping @Sendable (String) -> [TokenSpan]) {
    self.options = options
    self.tokenSpans = tokenSpans
  }

  public func chunks(_ text: String) -> [String] {
    switch options.mode {
    case .sentence: return sentenceChunks(text)
    case .tokens: return tokenChunks(text)
    }
  }

  func sentenceChunks(_ text: String) -> [String] {
    let sentences = SentenceSplitter.split(text)
    let lengths = sentences.map { tokenSpans($0).count }
    var chunks: [String] = []
    var start = 0
    while start < sentences.count {
      var end = start + 1
      var tokens = lengths[start]
      while end < sentences.count && tokens + lengths[end] <= options.size {
        tokens += lengths[end]
        end += 1
      }
      chunks.append(sentences[start..<end].joined(separator: " "))
      if end >= sentences.count { break }
      start = Swift.max(start + 1, end - options.overlap)
    }
    return chunks
  }

  func tokenChunks(_ text: String) -> [String] {
    let spans = tokenSpans(text)
    guard !spans.isEmpty else { return [] }
    let scalars = Array(text.unicodeScalars)
    let stride = Swift.max(1, options.size - options.overlap)
    var chunks: [String] = []
    var start = 0
    while start < spans.count {
      let end = Swift.min(spans.count, start + options.size)
      let from = Swift.max(0, Swift.min(spans[start].start, scalars.count))
      let to = Swift.max(from, Swift.min(spans[end - 1].end, scalars.count))
      var view = String.UnicodeScalarView()
      view.append(contentsOf: scalars[from..<to])
      chunks.append(String(view))
      if end == spans.count { break }
      start += stride
    }
    return chunks
  }
}

/// Splits prose into sentences: after `.`, `!` or `?` followed by white space and a capital,
/// digit or opening bracket, and at blank lines and line starts of lists or headings. Common
/// abbreviations (e.g., Dr., vs.) and single-letter initials do not end a sentence.
public enum SentenceSplitter {
  static let abbreviations: Set<String> = [
    "e.g", "i.e", "dr", "mr", "mrs", "ms", "vs", "etc", "fig", "no", "approx", "cf", "al", "st", "ca",
  ]

  public static func split(_ text: String) -> [String] {
    var sentences: [String] = []
    for paragraph in paragraphs(text) {
      let chars = Array(paragraph)
      var start = 0
      var i = 0
      while i < chars.count {
        let c = chars[i]
        if c == "." || c == "!" || c == "?" {
          var j = i + 1
          while j < chars.count, chars[j] == "." || chars[j] == "\"" || chars[j] == "'" || chars[j] == ")" { j += 1 }
          var k = j
          while k < chars.count, chars[k].isWhitespace { k += 1 }
          if k > j, k < chars.count, chars[k].isUppercase || chars[k].isNumber || chars[k] == "(" || chars[k] == "\"",
            !(c == "." && endsWithAbbreviation(chars, start: start, dot: i))
          {
            append(chars[start..<j], to: &sentences)
            start = k
            i = k
            continue
          }
        }
        i += 1
      }
      append(chars[start...], to: &sentences)
    }
    return sentences
  }

  static func append(_ chars: ArraySlice<Character>, to sentences: inout [String]) {
    let sentence = String(chars).trimmingCharacters(in: .whitespacesAndNewlines)
    if !sentence.isEmpty { sentences.append(sentence) }
  }

  /// Blank-line separated blocks, with markdown headings and list items as blocks of their own;
  /// single newlines inside a block become spaces.
  static func paragraphs(_ text: String) -> [String] {
    var blocks: [String] = []
    var current: [String] = []
    func flush() {
      if !current.isEmpty { blocks.append(current.joined(separator: " ")) }
      current = []
    }
    for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
      let line = rawLine.trimmingCharacters(in: .whitespaces)
      if line.isEmpty {
        flush()
        continue
      }
      let isBlockStart = line.hasPrefix("#") || line.hasPrefix("- ") || line.hasPrefix("* ")
      if isBlockStart { flush() }
      current.append(line)
      if line.hasPrefix("#") { flush() }
    }
    flush()
    return blocks
  }

  static func endsWithAbbreviation(_ chars: [Character], start: Int, dot: Int) -> Bool {
    var k = dot
    while k > start, !chars[k - 1].isWhitespace { k -= 1 }
    let word = String(chars[k..<dot]).lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "(\"'"))
    if abbreviations.contains(word) { return true }
    return word.count == 1 && word.first!.isLetter
  }
}
