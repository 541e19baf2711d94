/// Exact interning of code-unit slices to dense ids 0, 1, 2, … for one comparison.
///
/// The inner loops of the lexical metrics compare integers, not strings. An open-addressing
/// table keyed by a 64-bit hash, with the stored slice compared on every hit, keeps the mapping
/// exact (no hash-collision approximations) and avoids creating `String`s per token.
struct SliceInterner {
  private var storage: [UInt32] = []
  private var starts: [Int] = []
  private var lengths: [Int] = []
  private var hashes: [UInt64] = []
  private var table: [Int32]
  private var mask: Int

  init(capacity: Int = 64) {
    var size = 16
    while size < capacity * 2 { size <<= 1 }
    table = [Int32](repeating: -1, count: size)
    mask = size - 1
    storage.reserveCapacity(capacity * 8)
  }

  var count: Int { starts.count }

  @inline(__always)
  static func hash(_ s: UnsafeBufferPointer<UInt32>) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for v in s {
      h ^= UInt64(v)
      h = h &* 0x0000_0100_0000_01B3
    }
    // Final avalanche so that the low bits used for the slot are well mixed.
    h ^= h >> 33
    h = h &* 0xff51_afd7_ed55_8ccd
    h ^= h >> 33
    return h
  }

  /// The id of `s`, adding it if new.
  @inline(__always)
  mutating func id(_ s: UnsafeBufferPointer<UInt32>) -> Int32 {
    let h = Self.hash(s)
    var slot = Int(truncatingIfNeeded: h) & mask
    while true {
      let e = table[slot]
      if e < 0 { break }
      let i = Int(e)
      if hashes[i] == h && lengths[i] == s.count {
        var equal = true
        let start = starts[i]
        for k in 0..<s.count where storage[start + k] != s[k] {
          equal = false
          break
        }
        if equal { return e }
      }
      slot = (slot + 1) & mask
    }
    let newID = Int32(starts.count)
    starts.append(storage.count)
    lengths.append(s.count)
    hashes.append(h)
    storage.append(contentsOf: s)
    table[slot] = newID
    if starts.count * 2 > table.count { grow() }
    return newID
  }

  /// The code units of an id.
  func slice(_ id: Int32) -> ArraySlice<UInt32> {
    storage[starts[Int(id)]..<(starts[Int(id)] + lengths[Int(id)])]
  }

  mutating func id(_ s: ArraySlice<UInt32>) -> Int32 {
    s.withUnsafeBufferPointer { id($0) }
  }

  private mutating func grow() {
    let size = table.count * 2
    table = [Int32](repeating: -1, count: size)
    mask = size - 1
    for i in 0..<starts.count {
      var slot = Int(truncatingIfNeeded: hashes[i]) & mask
      while table[slot] >= 0 { slot = (slot + 1) & mask }
      table[slot] = Int32(i)
    }
  }
}

/// Run-length n-gram counts: sorted distinct keys with their counts.
struct NGramCounts {
  var keys: [NGramKey] = []
  var counts: [Int32] = []
  var total: Int { counts.reduce(0) { $0 + Int($1) } }

  /// From sorted keys.
  init(sorted: [NGramKey]) {
    keys.reserveCapacity(sorted.count)
    counts.reserveCapacity(sorted.count)
    var i = 0
    while i < sorted.count {
      var j = i + 1
      while j < sorted.count && sorted[j] == sorted[i] { j += 1 }
      keys.append(sorted[i])
      counts.append(Int32(j - i))
      i = j
    }
  }

  init() {}

  /// Element-wise maximum of two count tables (several references).
  static func maximum(_ a: NGramCounts, _ b: NGramCounts) -> NGramCounts {
    var out = NGramCounts()
    var i = 0
    var j = 0
    while i < a.keys.count || j < b.keys.count {
      if j == b.keys.count || (i < a.keys.count && a.keys[i] < b.keys[j]) {
        out.keys.append(a.keys[i]); out.counts.append(a.counts[i]); i += 1
      } else if i == a.keys.count || b.keys[j] < a.keys[i] {
        out.keys.append(b.keys[j]); out.counts.append(b.counts[j]); j += 1
      } else {
        out.keys.append(a.keys[i]); out.counts.append(max(a.counts[i], b.counts[j])); i += 1; j += 1
      }
    }
    return out
  }

  /// Σ min(count here, count in other) over shared keys.
  func clippedMatches(_ other: NGramCounts) -> Int {
    var i = 0
    var j = 0
    var m = 0
    while i < keys.count && j < other.keys.count {
      if keys[i] < other.keys[j] {
        i += 1
      } else if other.keys[j] < keys[i] {
        j += 1
      } else {
        m += Int(min(counts[i], other.counts[j]))
        i += 1
        j += 1
      }
    }
    return m
  }
}
