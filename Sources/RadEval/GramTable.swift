/// A reusable open-addressing multiset of packed n-grams, for clipped n-gram matches (BLEU with
/// one reference, chrF).
///
/// Counting one side's n-grams into the table and then "taking" each n-gram of the other side
/// (a hit while the count is positive) gives Σ min(count₁, count₂) without sorting; keys are
/// compared in full, so the result is exact. Generation stamps make clearing O(1). Storage is one
/// manually managed buffer per worker thread, so the hot loops carry no copy-on-write checks.
final class GramTable {
  private struct Entry {
    var hi: UInt64
    var lo: UInt64
    var count: Int32
    var stamp: UInt32
    var order: UInt8
  }

  private var entries: UnsafeMutablePointer<Entry>
  private var size: Int
  private var mask: Int
  private var generation: UInt32 = 1

  init() {
    size = 64
    mask = size - 1
    entries = .allocate(capacity: size)
    entries.initialize(repeating: Entry(hi: 0, lo: 0, count: 0, stamp: 0, order: 0), count: size)
  }

  deinit { entries.deallocate() }

  /// Empties the table, sized for `capacity` distinct keys.
  func reset(capacity: Int) {
    var wanted = 64
    while wanted < capacity * 2 { wanted <<= 1 }
    if wanted > size {
      entries.deallocate()
      size = wanted
      mask = size - 1
      entries = .allocate(capacity: size)
      entries.initialize(repeating: Entry(hi: 0, lo: 0, count: 0, stamp: 0, order: 0), count: size)
      generation = 0
    }
    generation &+= 1
    if generation == 0 {
      for i in 0..<size { entries[i].stamp = 0 }
      generation = 1
    }
  }

  @inline(__always) private func slot(_ h: UInt64, _ l: UInt64, _ o: UInt8) -> Int {
    var x = h &* 0x9E37_79B9_7F4A_7C15 ^ (l &+ UInt64(o)) &* 0xC2B2_AE3D_27D4_EB4F
    x ^= x >> 29
    return Int(truncatingIfNeeded: x) & mask
  }

  @inline(__always) func add(_ h: UInt64, _ l: UInt64, _ o: UInt8) {
    var s = slot(h, l, o)
    while entries[s].stamp == generation {
      if entries[s].hi == h && entries[s].lo == l && entries[s].order == o {
        entries[s].count += 1
        return
      }
      s = (s + 1) & mask
    }
    entries[s] = Entry(hi: h, lo: l, count: 1, stamp: generation, order: o)
  }

  /// Decrements the key's count if positive; true when it did (a clipped match).
  @inline(__always) func take(_ h: UInt64, _ l: UInt64, _ o: UInt8) -> Bool {
    var s = slot(h, l, o)
    while entries[s].stamp == generation {
      if entries[s].hi == h && entries[s].lo == l && entries[s].order == o {
        if entries[s].count > 0 {
          entries[s].count -= 1
          return true
        }
        return false
      }
      s = (s + 1) & mask
    }
    return false
  }
}
