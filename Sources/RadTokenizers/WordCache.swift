/// Remembers how words (pieces of UTF-8 bytes) were tokenized, since natural text repeats the
/// same words constantly and merging is the expensive step. It is an open-addressing table over
/// byte keys stored in one arena, so a hit costs a hash and a memcmp and allocates nothing.
/// Not thread-safe: each worker thread owns one.
final class WordCache {
  private var slots: [Int32]
  private var hashes: [UInt64] = []
  private var keyStart: [Int32] = []
  private var keyLen: [Int32] = []
  private var valStart: [Int32] = []
  private var valLen: [Int32] = []
  private var keyArena: [UInt8] = []
  private var ids: [Int32] = []
  private var lens: [Int32] = []
  private let maxEntries: Int
  private var mask: Int

  init(maxEntries: Int = 1 << 18) {
    self.maxEntries = maxEntries
    var cap = 1024
    while cap < maxEntries * 2 && cap < 1 << 12 { cap <<= 1 }
    slots = [Int32](repeating: -1, count: cap)
    mask = cap - 1
  }

  static let maxKeyLength = 128

  @inline(__always)
  static func hash(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for x in b { h = (h ^ UInt64(x)) &* 0x100_0000_01b3 }
    return h ^ (h >> 29)
  }

  /// Appends the cached tokens of `key` to `outIds`/`outLens`; false on a miss.
  @inline(__always)
  func lookup(_ key: UnsafeBufferPointer<UInt8>, hash h: UInt64, outIds: inout [Int32], outLens: inout [Int32]?) -> Bool
  {
    var i = Int(truncatingIfNeeded: h) & mask
    while true {
      let e = Int(slots[i])
      if e < 0 { return false }
      if hashes[e] == h && Int(keyLen[e]) == key.count {
        let s = Int(keyStart[e])
        let same = keyArena.withUnsafeBufferPointer { a in
          memcmpEqual(a.baseAddress! + s, key.baseAddress!, key.count)
        }
        if same {
          let vs = Int(valStart[e]), vl = Int(valLen[e])
          outIds.append(contentsOf: ids[vs..<(vs + vl)])
          if outLens != nil { outLens!.append(contentsOf: lens[vs..<(vs + vl)]) }
          return true
        }
      }
      i = (i + 1) & mask
    }
  }

  func insert(
    _ key: UnsafeBufferPointer<UInt8>, hash h: UInt64, ids newIds: ArraySlice<Int32>, lens newLens: ArraySlice<Int32>
  ) {
    if hashes.count >= maxEntries { clear() }
    if (hashes.count + 1) * 2 > slots.count { grow() }
    let e = Int32(hashes.count)
    hashes.append(h)
    keyStart.append(Int32(keyArena.count)); keyLen.append(Int32(key.count))
    keyArena.append(contentsOf: key)
    valStart.append(Int32(ids.count)); valLen.append(Int32(newIds.count))
    ids.append(contentsOf: newIds); lens.append(contentsOf: newLens)
    var i = Int(truncatingIfNeeded: h) & mask
    while slots[i] >= 0 { i = (i + 1) & mask }
    slots[i] = e
  }

  private func grow() {
    let cap = slots.count * 2
    slots = [Int32](repeating: -1, count: cap)
    mask = cap - 1
    for (e, h) in hashes.enumerated() {
      var i = Int(truncatingIfNeeded: h) & mask
      while slots[i] >= 0 { i = (i + 1) & mask }
      slots[i] = Int32(e)
    }
  }

  func clear() {
    for i in 0..<slots.count { slots[i] = -1 }
    hashes.removeAll(keepingCapacity: true); keyStart.removeAll(keepingCapacity: true)
    keyLen.removeAll(keepingCapacity: true); valStart.removeAll(keepingCapacity: true)
    valLen.removeAll(keepingCapacity: true); keyArena.removeAll(keepingCapacity: true)
    ids.removeAll(keepingCapacity: true); lens.removeAll(keepingCapacity: true)
  }
}

@inline(__always)
func memcmpEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
  var i = 0
  while i < n {
    if a[i] != b[i] { return false }
    i += 1
  }
  return true
}
