import Foundation

/// BERT's WordPiece model: each word is split greedily into the longest vocabulary entries from
/// left to right, pieces after the first carrying the `##` continuation prefix. A word with an
/// unmatchable remainder, or longer than `maxInputCharsPerWord`, becomes the single unknown token.
public final class WordPieceModel: Sendable {
  /// Token string to id (built on demand; lookups use exact UTF-8 bytes).
  public var vocab: [String: Int32] {
    var d: [String: Int32] = [:]
    for (i, t) in idToToken.enumerated() where d[t] == nil { d[t] = Int32(i) }
    return d
  }
  public let idToToken: [String]
  let tokens: TokenTable
  let prefixBytes: [UInt8]
  public let unkToken: String
  let unkId: Int32
  public let continuingSubwordPrefix: String
  public let maxInputCharsPerWord: Int

  public init(
    vocab: [String: Int32], unkToken: String = "[UNK]", continuingSubwordPrefix: String = "##",
    maxInputCharsPerWord: Int = 100, source: String = "vocab"
  ) throws(TokenizerError) {
    var inverse = [String](repeating: "", count: vocab.count)
    var seen = [Bool](repeating: false, count: vocab.count)
    for (t, id) in vocab {
      guard id >= 0 && Int(id) < vocab.count else {
        throw .vocabularyGap(source: source, missingId: BPEModel.firstGap(Array(vocab.values)))
      }
      inverse[Int(id)] = t; seen[Int(id)] = true
    }
    if let gap = seen.firstIndex(of: false) { throw .vocabularyGap(source: source, missingId: gap) }
    var table = TokenTable(capacity: inverse.count)
    for (i, t) in inverse.enumerated() { table.insert(t, id: Int32(i)) }
    guard let u = table.lookup(unkToken) else { throw .unknownToken(source: source, token: unkToken) }
    tokens = table
    prefixBytes = Array(continuingSubwordPrefix.utf8)
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
      if vocab[tok] == nil {
        vocab[tok] = Int32(line)
      } else {
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
    // The word's UTF-8 once, with each character's byte offset; candidates are byte ranges.
    var bytes: [UInt8] = []
    var offs: [Int] = []
    offs.reserveCapacity(n + 1)
    for c in chars { offs.append(bytes.count); UTF8Codec.append(c, to: &bytes) }
    offs.append(bytes.count)
    var cand: [UInt8] = []
    var start = 0
    let firstId = ids.count
    let firstLen = lens.count
    while start < n {
      var end = n
      var found: Int32 = -1
      while start < end {
        cand.removeAll(keepingCapacity: true)
        if start > 0 { cand.append(contentsOf: prefixBytes) }
        cand.append(contentsOf: bytes[offs[start]..<offs[end]])
        if let id = cand.withUnsafeBufferPointer({ tokens.lookup($0) }) { found = id; break }
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
