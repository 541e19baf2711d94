/// A token's span in the original text, in Unicode code points (Python `str` indexes).
public struct TokenSpan: Sendable, Equatable, Hashable {
  public var start: Int
  public var end: Int
  public init(start: Int, end: Int) { self.start = start; self.end = end }

  /// The span as a range of `text`'s indices (the string it was computed on), or nil when the
  /// offsets fall outside it. Lets Swift code cut out exactly the characters a token covers.
  public func range(in text: String) -> Range<String.Index>? {
    let u = text.unicodeScalars
    guard start >= 0, start <= end,
      let lo = u.index(u.startIndex, offsetBy: start, limitedBy: u.endIndex),
      let hi = u.index(lo, offsetBy: end - start, limitedBy: u.endIndex)
    else { return nil }
    return lo..<hi
  }
}

/// The result of tokenizing one input: token ids and strings, each token's span in the input,
/// type ids, the attention mask (0 on padding) and which tokens are special.
public struct Encoding: Sendable, Equatable {
  public var ids: [Int] = []
  public var tokens: [String] = []
  public var offsets: [TokenSpan] = []
  public var typeIds: [Int] = []
  public var attentionMask: [Int] = []
  public var specialTokensMask: [Int] = []
  /// The rest of a truncated input, in windows overlapping by the truncation stride (each with
  /// its own special tokens), as `tokenizers` returns them.
  public var overflowing: [Encoding] = []

  public init() {}

  public var count: Int { ids.count }

  mutating func append(_ e: Encoding) {
    ids += e.ids; tokens += e.tokens; offsets += e.offsets; typeIds += e.typeIds
    attentionMask += e.attentionMask; specialTokensMask += e.specialTokensMask
  }

  static func concat(_ a: Encoding, _ b: Encoding?) -> Encoding {
    guard let b else { return a }
    var x = a
    var y = b
    y.typeIds = [Int](repeating: 1, count: y.ids.count)
    x.append(y)
    return x
  }

  /// Windows of at most `n` tokens that overlap by `stride`, from the left end (or from the right
  /// end when truncating from the left), as `tokenizers`' Encoding.truncate cuts them.
  func windows(_ n: Int, stride: Int, fromLeft: Bool) -> [Encoding] {
    let len = ids.count
    guard len > n, n > 0, stride < n else {
      var e = self
      e.truncate(to: n, fromLeft: fromLeft)
      return [e]
    }
    let step = n - stride
    var ranges: [(Int, Int)] = []
    if fromLeft {
      var stop = len
      while true {
        let start = max(0, stop - n)
        ranges.append((start, stop))
        if start == 0 { break }
        stop -= step
      }
    } else {
      var start = 0
      while true {
        let stop = min(start + n, len)
        ranges.append((start, stop))
        if stop == len { break }
        start += step
      }
    }
    return ranges.map { r in
      var e = Encoding()
      e.ids = Array(ids[r.0..<r.1]); e.tokens = Array(tokens[r.0..<r.1]); e.offsets = Array(offsets[r.0..<r.1])
      e.typeIds = Array(typeIds[r.0..<r.1]); e.attentionMask = Array(attentionMask[r.0..<r.1])
      e.specialTokensMask = Array(specialTokensMask[r.0..<r.1])
      return e
    }
  }

  /// Keeps the first (or last) `n` tokens.
  mutating func truncate(to n: Int, fromLeft: Bool) {
    guard ids.count > n else { return }
    func cut<T>(_ a: inout [T]) { if fromLeft { a.removeFirst(a.count - n) } else { a.removeLast(a.count - n) } }
    cut(&ids); cut(&tokens); cut(&offsets); cut(&typeIds); cut(&attentionMask); cut(&specialTokensMask)
  }

  /// Pads to `length` with `padId`/`padToken`, on the right or the left.
  public mutating func pad(to length: Int, padId: Int, padToken: String, padTypeId: Int = 0, left: Bool = false) {
    let k = length - ids.count
    guard k > 0 else { return }
    func put<T>(_ a: inout [T], _ v: T) {
      if left { a.insert(contentsOf: repeatElement(v, count: k), at: 0) } else { a += repeatElement(v, count: k) }
    }
    put(&ids, padId); put(&tokens, padToken); put(&offsets, TokenSpan(start: 0, end: 0)); put(&typeIds, padTypeId)
    put(&attentionMask, 0); put(&specialTokensMask, 1)
  }

  /// GPT-2 style offset trimming: a token's span loses its leading/trailing spaces ("Ġ").
  mutating func trimByteLevelOffsets(addPrefixSpace: Bool) {
    let g = ByteLevelAlphabet.byteToScalar[0x20]
    for i in 0..<tokens.count {
      let scalars = Array(tokens[i].unicodeScalars)
      var lead = 0
      while lead < scalars.count && (scalars[lead] == g || scalars[lead].properties.isWhitespace) { lead += 1 }
      var trail = 0
      while trail < scalars.count
        && (scalars[scalars.count - 1 - trail] == g || scalars[scalars.count - 1 - trail].properties.isWhitespace)
      { trail += 1 }
      guard lead > 0 || trail > 0 else { continue }
      var o = offsets[i]
      if lead > 0 {
        let isFirst = i == 0 || o.start == 0
        if isFirst && addPrefixSpace && lead == 1 { lead = 0 }
        o.start = min(o.start + lead, o.end)
      }
      if trail > 0 && o.end >= trail { o.end = max(o.end - trail, o.start) }
      offsets[i] = o
    }
  }
}
