import Foundation

/// Learns a byte-level BPE vocabulary from text, reproducing Hugging Face `tokenizers`'
/// `BpeTrainer` exactly: each line (with its line ending) is cut by the GPT-2 byte-level
/// pre-tokenizer, special tokens take the first ids, then the alphabet sorted by code point,
/// then merges. Each step merges the most frequent adjacent pair, ties going to the pair with
/// the smaller (left id, right id), and training stops at the vocabulary size or when the best
/// pair is rarer than the minimum frequency.
public struct BPETrainer: Sendable {
  public var vocabSize: Int
  public var minFrequency: Int
  public var specialTokens: [String]
  /// Characters always in the alphabet (default: GPT-2's 256 byte characters).
  public var initialAlphabet: [String]
  /// Threads used to count words.
  public var threads: Int

  public init(
    vocabSize: Int, minFrequency: Int = 0, specialTokens: [String] = [],
    initialAlphabet: [String] = ByteLevelAlphabet.alphabet, threads: Int = ProcessInfo.processInfo.activeProcessorCount
  ) {
    self.vocabSize = vocabSize
    self.minFrequency = minFrequency
    self.specialTokens = specialTokens
    self.initialAlphabet = initialAlphabet
    self.threads = threads
  }

  /// Trains on text files (UTF-8); throws on unreadable or invalid files.
  public func train(files: [String]) throws(TokenizerError) -> Tokenizer {
    var texts: [[UInt8]] = []
    for f in files {
      let d: Data
      do { d = try Data(contentsOf: URL(fileURLWithPath: f)) } catch {
        throw .io(path: f, message: "cannot read: \(error.localizedDescription)")
      }
      let bytes = [UInt8](d)
      _ = try bytes.withUnsafeBufferPointer { b throws(TokenizerError) in try UTF8Codec.decode(b, source: f) }
      texts.append(bytes)
    }
    return try train(utf8Texts: texts)
  }

  /// Trains on in-memory texts.
  public func train(texts: [String]) throws(TokenizerError) -> Tokenizer {
    try train(utf8Texts: texts.map { Array($0.utf8) })
  }

  func train(utf8Texts: [[UInt8]]) throws(TokenizerError) -> Tokenizer {
    guard vocabSize > 0 else { throw .invalidArgument("vocabulary size must be positive") }
    let counter = countWords(utf8Texts)
    return try learn(counter)
  }

  // MARK: - Word counting

  /// Splits every text into lines (keeping line endings, as `tokenizers` reads files), then
  /// pre-tokenizes each line and counts the distinct byte strings.
  func countWords(_ texts: [[UInt8]]) -> ByteStringCounter {
    // Line spans across all texts.
    var lines: [(Int, Int, Int)] = []
    for (t, bytes) in texts.enumerated() {
      var s = 0
      for (i, b) in bytes.enumerated() where b == 0x0A {
        lines.append((t, s, i + 1)); s = i + 1
      }
      if s < bytes.count { lines.append((t, s, bytes.count)) }
    }
    let allLines = lines
    let n = max(1, min(threads, lines.count))
    var partial = [ByteStringCounter](repeating: ByteStringCounter(), count: n)
    partial.withUnsafeMutableBufferPointer { buf in
      let out = UnsafeSendableBuffer(buf)
      DispatchQueue.concurrentPerform(iterations: n) { w in
        let c = ByteStringCounter()
        let chunk = (allLines.count + n - 1) / n
        let lo = w * chunk, hi = min(allLines.count, lo + chunk)
        var ends: [Int32] = []
        if lo < hi {
          for k in lo..<hi {
            let (t, s, e) = allLines[k]
            texts[t].withUnsafeBufferPointer { all in
              let line = UnsafeBufferPointer(rebasing: all[s..<e])
              let (chars, byteStarts) = Tokenizer.decodeWithByteOffsets(line)
              ends.removeAll(keepingCapacity: true)
              chars.withUnsafeBufferPointer { RegexScanner.gpt2.split($0, 0, chars.count, into: &ends) }
              var start = 0
              for e32 in ends {
                let end = Int(e32)
                let piece = UnsafeBufferPointer(rebasing: line[Int(byteStarts[start])..<Int(byteStarts[end])])
                c.add(piece, count: 1)
                start = end
              }
            }
          }
        }
        out.buffer[w] = c
      }
    }
    let total = partial[0]
    for p in partial.dropFirst() { total.merge(p) }
    return total
  }

  // MARK: - Merging

  func learn(_ words: ByteStringCounter) throws(TokenizerError) -> Tokenizer {
    var tokenToId: [String: Int32] = [:]
    var idToToken: [String] = []
    func add(_ s: String) {
      if tokenToId[s] == nil { tokenToId[s] = Int32(idToToken.count); idToToken.append(s) }
    }
    for s in specialTokens { add(s) }
    // Alphabet: characters seen plus the initial alphabet, sorted by code point.
    var seenBytes = [Bool](repeating: false, count: 256)
    for k in 0..<words.count { words.withKey(k) { for b in $0 { seenBytes[Int(b)] = true } } }
    var alphabet = Set<UInt32>()
    for b in 0..<256 where seenBytes[b] { alphabet.insert(ByteLevelAlphabet.byteToScalar[b].value) }
    for s in initialAlphabet {
      if let c = s.unicodeScalars.first, s.unicodeScalars.count == 1 { alphabet.insert(c.value) }
    }
    for c in alphabet.sorted() { add(String(Character(Unicode.Scalar(c)!))) }
    let byteId = ByteLevelAlphabet.byteToScalar.map { tokenToId[String(Character($0))] ?? -1 }

    // Words as symbol ids, with their counts.
    var syms: [[Int32]] = []
    var counts: [Int64] = []
    syms.reserveCapacity(words.count)
    for k in 0..<words.count {
      var w: [Int32] = []
      words.withKey(k) { for b in $0 where byteId[Int(b)] >= 0 { w.append(byteId[Int(b)]) } }
      syms.append(w)
      counts.append(Int64(words.counts[k]))
    }

    // Initial pair counts and positions.
    var pairCounts: [UInt64: Int64] = [:]
    var whereToUpdate: [UInt64: [Int32]] = [:]
    for (i, w) in syms.enumerated() where w.count > 1 {
      for j in 0..<(w.count - 1) {
        let p = PairRankTable.key(w[j], w[j + 1])
        pairCounts[p, default: 0] += counts[i]
        whereToUpdate[p, default: []].appendUnique(Int32(i))
      }
    }
    var queue = MergeQueue()
    for (p, pos) in whereToUpdate {
      let c = pairCounts[p] ?? 0
      if c > 0 { queue.push(MergeCandidate(count: c, pair: p, pos: pos)) }
    }
    whereToUpdate.removeAll()

    var merges: [(Int32, Int32)] = []
    var changes: [(UInt64, Int32, Int32)] = []
    while idToToken.count < vocabSize, var top = queue.pop() {
      let current = pairCounts[top.pair] ?? 0
      if top.count != current {
        top.count = current
        queue.push(top)
        continue
      }
      if top.count < 1 || Int64(minFrequency) > top.count { break }
      let a = Int32(truncatingIfNeeded: top.pair >> 32), b = Int32(truncatingIfNeeded: top.pair)
      let newToken = idToToken[Int(a)] + idToToken[Int(b)]
      let newId: Int32
      if let existing = tokenToId[newToken] {
        newId = existing
      } else {
        newId = Int32(idToToken.count); tokenToId[newToken] = newId; idToToken.append(newToken)
      }
      merges.append((a, b))
      changes.removeAll(keepingCapacity: true)
      for iw in top.pos { Self.mergeWord(&syms[Int(iw)], a, b, newId, Int32(iw), &changes) }
      for (p, change, iw) in changes {
        pairCounts[p, default: 0] += Int64(change) * counts[Int(iw)]
        if change > 0 { whereToUpdate[p, default: []].appendUnique(iw) }
      }
      for (p, pos) in whereToUpdate {
        let c = pairCounts[p] ?? 0
        if c > 0 { queue.push(MergeCandidate(count: c, pair: p, pos: pos)) }
      }
      whereToUpdate.removeAll(keepingCapacity: true)
    }

    var vocab: [String: Int32] = [:]
    for (i, t) in idToToken.enumerated() { vocab[t] = Int32(i) }
    let mergeStrings = merges.map { (idToToken[Int($0.0)], idToToken[Int($0.1)]) }
    let model = try BPEModel(vocab: vocab, merges: mergeStrings, source: "trainer")
    let added = specialTokens.compactMap { s in tokenToId[s].map { AddedToken(id: $0, content: s, special: true) } }
    return Tokenizer(
      model: .bpe(model), preTokenizer: .byteLevel(addPrefixSpace: false, useRegex: true, trimOffsets: true),
      decoder: .byteLevel, addedTokens: added)
  }

  /// Replaces every (a, b) in `w` from left to right by `r`, recording how adjacent pair counts
  /// change, in the order `tokenizers` records them.
  static func mergeWord(
    _ w: inout [Int32], _ a: Int32, _ b: Int32, _ r: Int32, _ iw: Int32, _ changes: inout [(UInt64, Int32, Int32)]
  ) {
    var i = 0
    while i < w.count {
      if w[i] == a && i + 1 < w.count && w[i + 1] == b {
        if i > 0 {
          changes.append((PairRankTable.key(w[i - 1], a), -1, iw))
          changes.append((PairRankTable.key(w[i - 1], r), 1, iw))
        }
        w[i] = r
        w.remove(at: i + 1)
        if i < w.count - 1 {
          changes.append((PairRankTable.key(b, w[i + 1]), -1, iw))
          changes.append((PairRankTable.key(r, w[i + 1]), 1, iw))
        }
      }
      i += 1
    }
  }
}

extension Array where Element == Int32 {
  /// Appends unless the last element already is `x` (positions arrive grouped by word).
  @inline(__always) mutating func appendUnique(_ x: Int32) { if last != x { append(x) } }
}

/// A pair waiting to be merged: its count when queued, and the words that may contain it.
struct MergeCandidate {
  var count: Int64
  var pair: UInt64
  var pos: [Int32]

  /// Higher count first; equal counts: the smaller pair (left id, then right id) first.
  @inline(__always) func before(_ o: MergeCandidate) -> Bool {
    count != o.count ? count > o.count : pair < o.pair
  }
}

/// Binary max-heap of merge candidates.
struct MergeQueue {
  private var heap: [MergeCandidate] = []

  mutating func push(_ c: MergeCandidate) {
    heap.append(c)
    var i = heap.count - 1
    while i > 0 {
      let p = (i - 1) / 2
      if heap[i].before(heap[p]) { heap.swapAt(i, p); i = p } else { break }
    }
  }

  mutating func pop() -> MergeCandidate? {
    guard !heap.isEmpty else { return nil }
    heap.swapAt(0, heap.count - 1)
    let top = heap.removeLast()
    var i = 0
    let n = heap.count
    while true {
      let l = 2 * i + 1, r = l + 1
      var m = i
      if l < n && heap[l].before(heap[m]) { m = l }
      if r < n && heap[r].before(heap[m]) { m = r }
      if m == i { break }
      heap.swapAt(i, m); i = m
    }
    return top
  }
}

/// Counts distinct byte strings (pre-tokenized words) in an open-addressing table over one
/// byte arena, avoiding an allocation per word.
final class ByteStringCounter: @unchecked Sendable {
  private var slots = [Int32](repeating: -1, count: 1 << 16)
  private var hashes: [UInt64] = []
  private var starts: [Int32] = []
  private var lens: [Int32] = []
  private var arena: [UInt8] = []
  private(set) var counts: [Int] = []

  var count: Int { counts.count }

  func withKey<R>(_ k: Int, _ f: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    arena.withUnsafeBufferPointer { a in f(UnsafeBufferPointer(rebasing: a[Int(starts[k])..<Int(starts[k] + lens[k])]))
    }
  }

  func add(_ key: UnsafeBufferPointer<UInt8>, count c: Int) {
    let h = WordCache.hash(key)
    let mask = slots.count - 1
    var i = Int(truncatingIfNeeded: h) & mask
    while true {
      let e = Int(slots[i])
      if e < 0 { break }
      if hashes[e] == h && Int(lens[e]) == key.count {
        let s = Int(starts[e])
        let same = arena.withUnsafeBufferPointer { memcmpEqual($0.baseAddress! + s, key.baseAddress!, key.count) }
        if same { counts[e] += c; return }
      }
      i = (i + 1) & mask
    }
    slots[i] = Int32(counts.count)
    hashes.append(h); starts.append(Int32(arena.count)); lens.append(Int32(key.count)); counts.append(c)
    arena.append(contentsOf: key)
    if counts.count * 2 > slots.count { grow() }
  }

  private func grow() {
    slots = [Int32](repeating: -1, count: slots.count * 2)
    let mask = slots.count - 1
    for (e, h) in hashes.enumerated() {
      var i = Int(truncatingIfNeeded: h) & mask
      while slots[i] >= 0 { i = (i + 1) & mask }
      slots[i] = Int32(e)
    }
  }

  func merge(_ o: ByteStringCounter) {
    for k in 0..<o.count { o.withKey(k) { add($0, count: o.counts[k]) } }
  }
}
