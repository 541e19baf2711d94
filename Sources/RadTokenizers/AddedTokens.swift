/// A token added on top of the model's vocabulary (special tokens such as `<|im_start|>` or
/// `[CLS]`, or user additions). Added tokens are found in the raw text before pre-tokenization,
/// so they are never split, and `special` ones can be skipped when decoding.
public struct AddedToken: Sendable, Equatable {
  public var id: Int32
  public var content: String
  public var singleWord: Bool
  public var lstrip: Bool
  public var rstrip: Bool
  public var normalized: Bool
  public var special: Bool

  public init(
    id: Int32, content: String, singleWord: Bool = false, lstrip: Bool = false, rstrip: Bool = false,
    normalized: Bool = false, special: Bool = true
  ) {
    self.id = id; self.content = content; self.singleWord = singleWord; self.lstrip = lstrip
    self.rstrip = rstrip; self.normalized = normalized; self.special = special
  }
}

/// Finds added tokens in text: leftmost match first, the longest token when several start at
/// the same place (as the Aho-Corasick leftmost-longest search in `tokenizers`).
struct AddedTokenMatcher: Sendable {
  /// Tokens by first character, longest first.
  private let byFirst: [UInt32: [(chars: [UInt32], token: AddedToken)]]
  /// Bit set over the Basic Multilingual Plane of characters that start some token, so the scan
  /// skips almost every character with one load instead of a dictionary lookup.
  private let firstBits: [UInt64]

  init(_ tokens: [AddedToken]) {
    var m: [UInt32: [(chars: [UInt32], token: AddedToken)]] = [:]
    for t in tokens {
      let cs = UTF8Codec.scalars(of: t.content)
      guard let f = cs.first else { continue }
      m[f, default: []].append((cs, t))
    }
    for k in m.keys { m[k]!.sort { $0.chars.count > $1.chars.count } }
    byFirst = m
    var bits = [UInt64](repeating: 0, count: 0x10000 / 64)
    for k in m.keys where k < 0x10000 { bits[Int(k) >> 6] |= 1 << UInt64(k & 63) }
    firstBits = bits
  }

  @inline(__always) private func mayStart(_ c: UInt32) -> Bool {
    if c < 0x10000 { return firstBits[Int(c) >> 6] & (1 << UInt64(c & 63)) != 0 }
    return byFirst[c] != nil
  }

  var isEmpty: Bool { byFirst.isEmpty }

  /// Matches in chars[lo..<hi] as (start, end, token), with lstrip/rstrip widening the span
  /// over neighbouring white space.
  func find(_ chars: [UInt32], _ lo: Int, _ hi: Int) -> [(Int, Int, AddedToken)] {
    var out: [(Int, Int, AddedToken)] = []
    if byFirst.isEmpty { return out }
    var i = lo
    while i < hi {
      guard mayStart(chars[i]), let cands = byFirst[chars[i]] else { i += 1; continue }
      var hit: (Int, AddedToken)? = nil
      for c in cands where i + c.chars.count <= hi {
        var ok = true
        for k in 1..<max(1, c.chars.count) where chars[i + k] != c.chars[k] { ok = false; break }
        if !ok { continue }
        if c.token.singleWord {
          let before = i > lo ? PreTokenizer.isWordChar(chars[i - 1]) : false
          let after = i + c.chars.count < hi ? PreTokenizer.isWordChar(chars[i + c.chars.count]) : false
          if before || after { continue }
        }
        hit = (c.chars.count, c.token); break
      }
      guard let (len, tok) = hit else { i += 1; continue }
      var s = i
      var e = i + len
      let prevEnd = out.last?.1 ?? lo
      if tok.lstrip { while s > prevEnd && ScalarClass.of(chars[s - 1]).contains(.whitespace) { s -= 1 } }
      if tok.rstrip { while e < hi && ScalarClass.of(chars[e]).contains(.whitespace) { e += 1 } }
      out.append((s, e, tok))
      i = e
    }
    return out
  }
}
