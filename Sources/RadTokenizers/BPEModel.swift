/// A byte-pair-encoding model: a vocabulary plus an ordered list of merges. A word starts as
/// single symbols (bytes for byte-level models, characters otherwise) and the adjacent pair
/// with the lowest merge rank is merged until no pair has a merge, as GPT-2 and Hugging Face
/// `tokenizers` do (ties go to the leftmost pair).
public final class BPEModel: Sendable {
  /// Token string to id, built on demand (the model itself looks tokens up by their bytes).
  public var vocab: [String: Int32] {
    var d: [String: Int32] = [:]
    d.reserveCapacity(idToToken.count)
    for (i, t) in idToToken.enumerated() where d[t] == nil { d[t] = Int32(i) }
    return d
  }
  /// Id to token string (contiguous ids).
  public let idToToken: [String]
  /// Merges in rank order, as id pairs.
  public let merges: [(Int32, Int32)]
  let tokens: TokenTable
  let table: PairRankTable
  public let unkToken: String?
  let unkId: Int32
  public let byteFallback: Bool
  public let fuseUnk: Bool
  public let ignoreMerges: Bool
  public let continuingSubwordPrefix: String?
  public let endOfWordSuffix: String?
  public let dropout: Double?
  /// Id of each byte's byte-level character, -1 where the vocabulary lacks it.
  let byteIds: [Int32]
  /// Id of each `<0xAB>` byte-fallback token, -1 where absent.
  let fallbackIds: [Int32]

  /// Builds a model from a vocabulary and merges given as token strings.
  /// - Throws: `.vocabularyGap` when ids are not 0..<n, `.unknownToken` when a merge uses a
  ///   token absent from the vocabulary.
  public convenience init(
    vocab: [String: Int32], merges: [(String, String)], unkToken: String? = nil, byteFallback: Bool = false,
    fuseUnk: Bool = false, ignoreMerges: Bool = false, continuingSubwordPrefix: String? = nil,
    endOfWordSuffix: String? = nil, dropout: Double? = nil, source: String = "merges"
  ) throws(TokenizerError) {
    var inverse = [String](repeating: "", count: vocab.count)
    var seen = [Bool](repeating: false, count: vocab.count)
    for (t, id) in vocab {
      guard id >= 0 && Int(id) < vocab.count else {
        throw .vocabularyGap(source: source, missingId: Self.firstGap(Array(vocab.values)))
      }
      inverse[Int(id)] = t
      seen[Int(id)] = true
    }
    if let gap = seen.firstIndex(of: false) { throw .vocabularyGap(source: source, missingId: gap) }
    try self.init(
      idToToken: inverse, merges: merges, unkToken: unkToken, byteFallback: byteFallback, fuseUnk: fuseUnk,
      ignoreMerges: ignoreMerges, continuingSubwordPrefix: continuingSubwordPrefix,
      endOfWordSuffix: endOfWordSuffix, dropout: dropout, source: source)
  }

  /// Builds a model from tokens listed by id and merges given as token strings.
  public init(
    idToToken: [String], merges: [(String, String)], unkToken: String? = nil, byteFallback: Bool = false,
    fuseUnk: Bool = false, ignoreMerges: Bool = false, continuingSubwordPrefix: String? = nil,
    endOfWordSuffix: String? = nil, dropout: Double? = nil, source: String = "merges"
  ) throws(TokenizerError) {
    var tokens = TokenTable(capacity: idToToken.count)
    for (i, t) in idToToken.enumerated() { tokens.insert(t, id: Int32(i)) }
    self.idToToken = idToToken
    var table = PairRankTable(capacity: merges.count)
    var mergeIds: [(Int32, Int32)] = []
    mergeIds.reserveCapacity(merges.count)
    var buf: [UInt8] = []
    buf.reserveCapacity(64)
    let prefixBytes = continuingSubwordPrefix.map { Array($0.utf8) } ?? []
    for (rank, (a, b)) in merges.enumerated() {
      var a = a, b = b
      guard let ia = a.withUTF8({ tokens.lookup($0) }) else {
        throw .unknownToken(source: "\(source) line \(rank + 1)", token: a)
      }
      guard let ib = b.withUTF8({ tokens.lookup($0) }) else {
        throw .unknownToken(source: "\(source) line \(rank + 1)", token: b)
      }
      buf.removeAll(keepingCapacity: true)
      a.withUTF8 { buf.append(contentsOf: $0) }
      b.withUTF8 { bb in
        if !prefixBytes.isEmpty && bb.starts(with: prefixBytes) {
          buf.append(contentsOf: bb[prefixBytes.count...])
        } else {
          buf.append(contentsOf: bb)
        }
      }
      guard let im = buf.withUnsafeBufferPointer({ tokens.lookup($0) }) else {
        throw .unknownToken(source: "\(source) line \(rank + 1)", token: String(decoding: buf, as: UTF8.self))
      }
      table.insert(ia, ib, rank: Int32(rank), mergedId: im)
      mergeIds.append((ia, ib))
    }
    self.tokens = tokens
    self.table = table
    self.merges = mergeIds
    self.unkToken = unkToken
    unkId = unkToken.flatMap { tokens.lookup($0) } ?? -1
    self.byteFallback = byteFallback
    self.fuseUnk = fuseUnk
    self.ignoreMerges = ignoreMerges
    self.continuingSubwordPrefix = continuingSubwordPrefix
    self.endOfWordSuffix = endOfWordSuffix
    self.dropout = dropout
    byteIds = ByteLevelAlphabet.byteToScalar.map { tokens.lookup(String(Character($0))) ?? -1 }
    fallbackIds = (0..<256).map { b in tokens.lookup(Self.fallbackToken(UInt8(b))) ?? -1 }
  }

  /// Id of a token string.
  public func id(of token: String) -> Int32? { tokens.lookup(token) }

  static func fallbackToken(_ b: UInt8) -> String {
    let hex = Array("0123456789ABCDEF")
    return "<0x\(hex[Int(b >> 4)])\(hex[Int(b & 15)])>"
  }

  static func firstGap(_ values: [Int32]) -> Int {
    let ids = Set(values)
    var i: Int32 = 0
    while ids.contains(i) { i += 1 }
    return Int(i)
  }

  public var vocabularySize: Int { idToToken.count }

  // MARK: - Merging

  /// Applies merges in place to `syms` (ids) and `lens` (how many units each symbol covers).
  @inline(__always)
  func merge(_ syms: inout [Int32], _ lens: inout [Int32]) {
    if syms.count < 2 { return }
    if syms.count <= 64 { mergeByScan(&syms, &lens) } else { mergeByHeap(&syms, &lens) }
  }

  /// Short words: keep the rank of every adjacent pair and rescan for the minimum.
  func mergeByScan(_ syms: inout [Int32], _ lens: inout [Int32]) {
    var n = syms.count
    withUnsafeTemporaryAllocation(of: Int32.self, capacity: 2 * n) { buf in
      let ranks = buf.baseAddress!
      let newIds = ranks + n
      syms.withUnsafeMutableBufferPointer { s in
        lens.withUnsafeMutableBufferPointer { l in
          for i in 0..<(n - 1) { ranks[i] = table.rank(s[i], s[i + 1], &newIds[i]) }
          while n > 1 {
            var best = Int32.max
            var pos = -1
            for i in 0..<(n - 1) where ranks[i] < best { best = ranks[i]; pos = i }
            if pos < 0 { break }
            s[pos] = newIds[pos]
            l[pos] += l[pos + 1]
            var k = pos + 1
            while k < n - 1 {
              s[k] = s[k + 1]; l[k] = l[k + 1]; ranks[k] = ranks[k + 1]; newIds[k] = newIds[k + 1]
              k += 1
            }
            n -= 1
            if pos + 1 < n { ranks[pos] = table.rank(s[pos], s[pos + 1], &newIds[pos]) } else { ranks[pos] = Int32.max }
            if pos > 0 { ranks[pos - 1] = table.rank(s[pos - 1], s[pos], &newIds[pos - 1]) }
          }
        }
      }
    }
    syms.removeLast(syms.count - n)
    lens.removeLast(lens.count - n)
  }

  /// Long words: a binary heap of candidate merges keyed by (rank, position), with symbols in
  /// a linked list; stale candidates are skipped when popped.
  func mergeByHeap(_ syms: inout [Int32], _ lens: inout [Int32]) {
    let n = syms.count
    var next = [Int](0..<n).map { $0 + 1 }
    var prev = [Int](0..<n).map { $0 - 1 }
    var alive = [Bool](repeating: true, count: n)
    struct Cand { var rank: Int32; var pos: Int; var left: Int32; var right: Int32; var merged: Int32 }
    var heap: [Cand] = []
    func less(_ a: Cand, _ b: Cand) -> Bool { a.rank != b.rank ? a.rank < b.rank : a.pos < b.pos }
    func push(_ c: Cand) {
      heap.append(c)
      var i = heap.count - 1
      while i > 0 {
        let p = (i - 1) / 2
        if less(heap[i], heap[p]) { heap.swapAt(i, p); i = p } else { break }
      }
    }
    func pop() -> Cand {
      let top = heap[0]
      let last = heap.removeLast()
      if !heap.isEmpty {
        heap[0] = last
        var i = 0
        while true {
          let l = 2 * i + 1, r = l + 1
          var m = i
          if l < heap.count && less(heap[l], heap[m]) { m = l }
          if r < heap.count && less(heap[r], heap[m]) { m = r }
          if m == i { break }
          heap.swapAt(i, m); i = m
        }
      }
      return top
    }
    func consider(_ i: Int) {
      let j = next[i]
      guard j < n else { return }
      var m: Int32 = 0
      let r = table.rank(syms[i], syms[j], &m)
      if r != Int32.max { push(Cand(rank: r, pos: i, left: syms[i], right: syms[j], merged: m)) }
    }
    for i in 0..<(n - 1) { consider(i) }
    while !heap.isEmpty {
      let c = pop()
      let i = c.pos
      guard alive[i], syms[i] == c.left else { continue }
      let j = next[i]
      guard j < n, syms[j] == c.right else { continue }
      syms[i] = c.merged
      lens[i] += lens[j]
      alive[j] = false
      next[i] = next[j]
      if next[j] < n { prev[next[j]] = i }
      if prev[i] >= 0 { consider(prev[i]) }
      consider(i)
    }
    var outS: [Int32] = []
    var outL: [Int32] = []
    var i = 0
    while i < n { outS.append(syms[i]); outL.append(lens[i]); i = next[i] }
    syms = outS
    lens = outL
  }

  // MARK: - Words

  /// Tokenizes one byte-level piece; appends ids and each token's length in bytes.
  func encodeBytes(
    _ bytes: UnsafeBufferPointer<UInt8>, ids: inout [Int32], lens: inout [Int32], scratch: inout BPEScratch
  ) {
    if ignoreMerges, let id = tokens.lookup(ByteLevelAlphabet.encode(bytes)) {
      ids.append(id); lens.append(Int32(bytes.count)); return
    }
    if continuingSubwordPrefix != nil || endOfWordSuffix != nil {
      // Subword markers are spelled on the byte-level characters: use the character path.
      let chars = bytes.map { ByteLevelAlphabet.byteToScalar[Int($0)].value }
      encodeChars(chars[...], ids: &ids, lens: &lens, scratch: &scratch)
      return
    }
    scratch.syms.removeAll(keepingCapacity: true)
    scratch.lens.removeAll(keepingCapacity: true)
    var missing = false
    for b in bytes {
      let id = byteIds[Int(b)]
      if id < 0 { missing = true }
      scratch.syms.append(id)
      scratch.lens.append(1)
    }
    if missing {
      // A vocabulary without some byte characters: those bytes become the unknown token, or
      // vanish when there is none (as in `tokenizers`; the neighbours may then merge).
      if unkId >= 0 {
        for i in 0..<scratch.syms.count where scratch.syms[i] < 0 { scratch.syms[i] = unkId }
      } else {
        scratch.lead.removeAll(keepingCapacity: true)
        var keptS: [Int32] = [], keptL: [Int32] = []
        var gap: Int32 = 0
        for i in 0..<scratch.syms.count {
          if scratch.syms[i] < 0 { gap += 1; continue }
          keptS.append(scratch.syms[i]); keptL.append(1); scratch.lead.append(gap); gap = 0
        }
        scratch.syms = keptS
        scratch.lens = keptL
        mergeWithGaps(&scratch.syms, &scratch.lens, &scratch.lead)
        ids.append(contentsOf: scratch.syms)
        lens.append(contentsOf: scratch.lens)
        scratch.dropped = true
        return
      }
    }
    merge(&scratch.syms, &scratch.lens)
    ids.append(contentsOf: scratch.syms)
    lens.append(contentsOf: scratch.lens)
  }

  /// Tokenizes one character-level piece; appends ids and each token's length in characters.
  func encodeChars(_ chars: ArraySlice<UInt32>, ids: inout [Int32], lens: inout [Int32], scratch: inout BPEScratch) {
    let word = UTF8Codec.string(chars)
    if ignoreMerges, let id = tokens.lookup(word) {
      ids.append(id); lens.append(Int32(chars.count)); return
    }
    scratch.syms.removeAll(keepingCapacity: true)
    scratch.lens.removeAll(keepingCapacity: true)
    scratch.lead.removeAll(keepingCapacity: true)
    var gap: Int32 = 0
    var anyGap = false
    var unkRun = false
    func push(_ id: Int32, _ len: Int32) {
      scratch.syms.append(id); scratch.lens.append(len); scratch.lead.append(gap); gap = 0
    }
    func unknown() {
      if unkId < 0 { gap += 1; anyGap = true; return }
      if fuseUnk && unkRun { scratch.lens[scratch.lens.count - 1] += 1 } else { push(unkId, 1) }
      unkRun = true
    }
    let n = chars.count
    for (k, c) in chars.enumerated() {
      var s = ""
      if k > 0, let p = continuingSubwordPrefix { s += p }
      if let u = Unicode.Scalar(c) { s.unicodeScalars.append(u) }
      if k == n - 1, let e = endOfWordSuffix { s += e }
      if let id = tokens.lookup(s) {
        push(id, 1); unkRun = false
      } else if byteFallback {
        var bytes: [UInt8] = []
        UTF8Codec.append(c, to: &bytes)
        let fb = bytes.map { fallbackIds[Int($0)] }
        if fb.allSatisfy({ $0 >= 0 }) {
          for (q, id) in fb.enumerated() { push(id, q == 0 ? 1 : 0) }
          unkRun = false
        } else {
          unknown()
        }
      } else {
        unknown()
      }
    }
    if anyGap {
      mergeWithGaps(&scratch.syms, &scratch.lens, &scratch.lead)
      scratch.dropped = true
    } else {
      merge(&scratch.syms, &scratch.lens)
    }
    ids.append(contentsOf: scratch.syms)
    lens.append(contentsOf: scratch.lens)
  }

  /// Merging for the rare words where some units had no token and were dropped: `lead[i]` counts
  /// the dropped units before symbol i. A merged symbol spans its parts and the gap between them;
  /// afterwards `lead` holds each final token's leading gap (read by offset computation).
  func mergeWithGaps(_ syms: inout [Int32], _ lens: inout [Int32], _ lead: inout [Int32]) {
    while syms.count > 1 {
      var best = Int32.max
      var pos = -1
      var newId: Int32 = 0
      for i in 0..<(syms.count - 1) {
        var m: Int32 = 0
        let r = table.rank(syms[i], syms[i + 1], &m)
        if r < best { best = r; pos = i; newId = m }
      }
      if pos < 0 { break }
      syms[pos] = newId
      lens[pos] += lead[pos + 1] + lens[pos + 1]
      syms.remove(at: pos + 1); lens.remove(at: pos + 1); lead.remove(at: pos + 1)
    }
  }
}

/// Reusable buffers for BPE merging, one per thread.
struct BPEScratch {
  var syms: [Int32] = []
  var lens: [Int32] = []
  /// Dropped units before each symbol (only filled when `dropped` is set).
  var lead: [Int32] = []
  /// Set when the last word lost units (bytes or characters without a token); callers then
  /// read `lead` for offsets and do not cache the word.
  var dropped = false
}
