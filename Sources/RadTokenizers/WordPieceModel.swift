import Foundation

/// BERT's WordPiece model: each word is split greedily into the longest vocabulary entries from
/// left to right, pieces after the first carrying the `##` continuation prefix. A word with an
/// unmatchable remainder, or longer than `maxInputCharsPerWord`, becomes the single unknown token.
public final class WordPieceModel: Sendable {
  public let vocab: [String: Int32]
  public let idToToken: [String]
  public let unkToken: String
  let unkId: Int32
  public let continuingSubwordPrefix: String
  public let maxInputCharsPerWord: Int

  public init(vocab: [String: Int32], unkToken: String = "[UNK]", continuingSubwordPrefix: String = "##",
              maxInputCharsPerWord: Int = 100, source: String = "vocab") throws(TokenizerError) {
    var inverse = [String](repeating: "", count: vocab.count)
    var seen = [Bool](repeating: false, count: vocab.count)
    for (t, id) in vocab {
      guard id >= 0 && Int(id) < vocab.count else { throw .vocabularyGap(source: source, missingId: BPEModel.firstGap(Array(vocab.values))) }
      inverse[Int(id)] = t; seen[Int(id)] = true
    }
    if let gap = seen.firstIndex(of: false) { throw .vocabularyGap(source: source, missingId: gap) }
    guard let u = vocab[unkToken] else { throw .unknownToken(source: source, token: unkToken) }
    self.vocab = vocab
    idToToken = inverse
    self.unkToken = unkToken
    unkId = u
    self.continuingSubwordPrefix = continuingSubwordPrefix
    self.maxInputCharsPerWord = maxInputCharsPerWord
  }

  /// Reads BERT's `vocab.txt` (one token per line, id = line number).
  public static func readVocabTxt(_ path: String) throws(TokenizerError) -> [String: Int32] {
    let data: [UInt8]
    do { data = try Array(Foundation.Data(contentsOf: URL(fileURLWithPath: path))) } catch {
      throw .io(path: path, message: "cannot read: \(error)")
    }
    let scalars = try data.withUnsafeBufferPointer { b throws(TokenizerError) in try UTF8Codec.decode(b, source: path) }
    var vocab: [String: Int32] = [:]
    var line = 0
    var start = 0
    func take(_ end: Int) throws(TokenizerError) {
      var e = end
      if e > start && scalars[e - 1] == 0x0D { e -= 1 }
      let tok = UTF8Codec.string(scalars[start..<e])
      if vocab[tok] == nil { vocab[tok] = Int32(line) } else {
        throw .malformedLine(source: path, line: line + 1, message: "duplicate token '\(tok)'")
      }
      line += 1
    }
    for (i, c) in scalars.enumerated() where c == 0x0A { try take(i); start = i + 1 }
    if start < scalars.count { try take(scalars.count) }
    return vocab
  }

  /// Tokenizes one word; appends ids and each token's length in characters.
  func encode(_ chars: ArraySlice<UInt32>, ids: inout [Int32], lens: inout [Int32]) {
    let n = chars.count
    if n > maxInputCharsPerWord { ids.append(unkId); lens.append(Int32(n)); return }
    let base = chars.startIndex
    var start = 0
    let firstId = ids.count
    let firstLen = lens.count
    while start < n {
      var end = n
      var found: Int32 = -1
      while start < end {
        var s = start > 0 ? continuingSubwordPrefix : ""
        for c in chars[(base + start)..<(base + end)] { if let u = Unicode.Scalar(c) { s.unicodeScalars.append(u) } }
        if let id = vocab[s] { found = id; break }
        end -= 1
      }
      if found < 0 {
        ids.removeLast(ids.count - firstId)
        lens.removeLast(lens.count - firstLen)
        ids.append(unkId); lens.append(Int32(n))
        return
      }
      ids.append(found); lens.append(Int32(end - start))
      start = end
    }
  }
}
