import RadTokenizers

/// The bytes each vocabulary entry adds to the text, computed once per tokenizer so constrained
/// decoding can test tokens against a byte grammar. Byte-level BPE tokens map through GPT-2's
/// byte alphabet (a token may hold part of a UTF-8 character), `<0xAB>` byte-fallback tokens are
/// one byte, SentencePiece's `▁` is a space; special tokens and empty pieces are never offered.
public final class TokenByteTable: Sendable {
  /// Bytes per token id; nil for tokens constrained decoding never proposes.
  public let bytes: [[UInt8]?]
  /// For tokens that are ordinary string content on their own (whole UTF-8 characters, no quote,
  /// backslash or control byte): their number of characters; -1 otherwise.
  let plainCharacters: [Int32]
  let plainTokens: [Int]
  /// All offered tokens as a byte trie, and the tokens that are not plain as another.
  let allTokens: TokenTrie
  let otherTokens: TokenTrie
  /// A token that is exactly this one byte, if the vocabulary has one.
  let singleByteToken: [Int?]

  public var count: Int { bytes.count }

  public convenience init(tokenizer: Tokenizer) {
    var table: [[UInt8]?] = []
    let byteLevel = Self.usesByteLevel(tokenizer.decoder)
    for id in 0..<tokenizer.vocabularySize {
      guard !tokenizer.isSpecial(id), let piece = tokenizer.idToToken(id) else {
        table.append(nil)
        continue
      }
      let bytes: [UInt8]
      let utf8 = Array(piece.utf8)
      if byteLevel, let decoded = ByteLevelAlphabet.decode(piece) {
        bytes = decoded
      } else if utf8.count == 6, piece.hasPrefix("<0x"), piece.hasSuffix(">"),
        let value = UInt8(String(decoding: utf8[3..<5], as: UTF8.self), radix: 16)
      {
        bytes = [value]
      } else {
        bytes = Array(piece.replacingOccurrences(of: "\u{2581}", with: " ").utf8)
      }
      table.append(bytes.isEmpty ? nil : bytes)
    }
    self.init(bytes: table)
  }

  /// A table from explicit byte strings (tests, and vocabularies read elsewhere).
  public init(bytes table: [[UInt8]?]) {
    bytes = table
    var plain = [Int32](repeating: -1, count: table.count)
    var plainList: [Int] = []
    var all = TokenTrie()
    var others = TokenTrie()
    var single = [Int?](repeating: nil, count: 256)
    for (id, entry) in table.enumerated() {
      guard let entry, let first = entry.first else { continue }
      all.insert(entry, id)
      if entry.count == 1 && single[Int(first)] == nil { single[Int(first)] = id }
      if let characters = Self.plainCharacterCount(entry) {
        plain[id] = Int32(characters)
        plainList.append(id)
      } else {
        others.insert(entry, id)
      }
    }
    plainCharacters = plain
    plainTokens = plainList
    allTokens = all
    otherTokens = others
    singleByteToken = single
  }

  static func usesByteLevel(_ decoder: Decoder?) -> Bool {
    switch decoder {
    case .byteLevel?: return true
    case .sequence(let list)?: return list.contains { usesByteLevel($0) }
    default: return false
    }
  }

  /// Characters in `bytes` if it is complete, valid UTF-8 free of `"`, `\` and control bytes.
  static func plainCharacterCount(_ bytes: [UInt8]) -> Int? {
    guard !bytes.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else { return nil }
    guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
    return text.unicodeScalars.count
  }
}

/// Token byte strings as a trie, so a grammar state is advanced once per shared prefix rather
/// than once per token (tokens sharing a rejected prefix are all skipped together).
struct TokenTrie: Sendable {
  /// Per node: (byte, child node) edges.
  private(set) var children: [[(byte: UInt8, node: Int)]] = [[]]
  /// Per node: the tokens whose bytes end there.
  private(set) var tokens: [[Int]] = [[]]

  mutating func insert(_ bytes: [UInt8], _ id: Int) {
    var node = 0
    for byte in bytes {
      if let edge = children[node].first(where: { $0.byte == byte }) {
        node = edge.node
      } else {
        children.append([])
        tokens.append([])
        children[node].append((byte, children.count - 1))
        node = children.count - 1
      }
    }
    tokens[node].append(id)
  }
}
