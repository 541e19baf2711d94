/// A reusable open-addressing multiset of packed character n-grams, for chrF's clipped matches.
///
/// chrF compares up to six orders of character n-grams per sentence pair. Counting the
/// hypothesis n-grams into this table and then "taking" each reference n-gram (a hit while the
/// count is positive) gives Σ min(hyp count, ref count) without sorting; keys are compared in
/// full, so the result is exact. Generation stamps make clearing O(1).
struct GramTable {
  private var hi: [UInt64] = []
  private var lo: [UInt64] = []
  private var order: [UInt8] = []
  private var count: [Int32] = []
  private var stamp: [UInt32] = []
  private var generation: UInt32 = 0
  private var mask = 0

  /// Empties the table, sized for `capacity` distinct keys.
  mutating func reset(capacity: Int) {
    var size = 64
    while size < capacity * 2 { size <<= 1 }
    if size > hi.count {
      hi = [UInt64](repeating: 0, count: size)
      lo = hi
      order = [UInt8](repeating: 0, count: size)
      count = [Int32](repeating: 0, count: size)
      stamp = [UInt32](repeating: 0, count: size)
      generation = 0
    }
    mask = hi.count - 1
    generation &+= 1
    if generation == 0 {
      for i in stamp.indices { stamp[i] = 0 }
      generation = 1
    }
  }

  @inline(__always) private func slot(_ h: UInt64, _ l: UInt64, _ o: UInt8) -> Int {
    var x = h &* 0x9E37_79B9_7F4A_7C15 ^ (l &+ UInt64(o)) &* 0xC2B2_AE3D_27D4_EB4F
    x ^= x >> 29
    return Int(truncatingIfNeeded: x) & mask
  }

  @inline(__always) mutating func add(_ h: UInt64, _ l: UInt64, _ o: UInt8) {
    var s = slot(h, l, o)
    while stamp[s] == generation {
      if hi[s] == h && lo[s] == l && order[s] == o {
        count[s] += 1
        return
      }
      s = (s + 1) & mask
    }
    stamp[s] = generation
    hi[s] = h
    lo[s] = l
    order[s] = o
    count[s] = 1
  }

  /// Decrements the key's count if positive; true when it did (a clipped match).
  @inline(__always) mutating func take(_ h: UInt64, _ l: UInt64, _ o: UInt8) -> Bool {
    var s = slot(h, l, o)
    while stamp[s] == generation {
      if hi[s] == h && lo[s] == l && order[s] == o {
        if count[s] > 0 {
          count[s] -= 1
          return true
        }
        return false
      }
      s = (s + 1) & mask
    }
    return false
  }
}
