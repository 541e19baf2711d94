/// Token string to id, keyed by the token's UTF-8 bytes. Swift's String hashing normalizes
/// non-ASCII text (to NFC) on every hash, which makes a 49k-entry byte-level vocabulary (full of
/// "Ġ"-style characters) slow to build and query; hashing raw bytes avoids that entirely.
struct TokenTable: Sendable {
  private var slots: [Int32]
  private var hashes: [UInt64] = []
  private var starts: [Int32] = []
  private var lens: [Int32] = []
  private var ids: [Int32] = []
  private var arena: [UInt8] = []
  private var mask: Int

  init(capacity: Int) {
    var cap = 64
    while cap < capacity * 2 { cap <<= 1 }
    slots = [Int32](repeating: -1, count: cap)
    mask = cap - 1
    hashes.reserveCapacity(capacity); starts.reserveCapacity(capacity); lens.reserveCapacity(capacity)
    ids.reserveCapacity(capacity); arena.reserveCapacity(capacity * 6)
  }

  var count: Int { ids.count }

  @inline(__always) static func hash(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for x in b { h = (h ^ UInt64(x)) &* 0x100_0000_01b3 }
    return (h ^ (h >> 32)) &* 0x9E37_79B9_7F4A_7C15
  }

  /// Id of the token with these bytes, or nil.
  @inline(__always) func lookup(_ key: UnsafeBufferPointer<UInt8>) -> Int32? {
    let h = Self.hash(key)
    var i = Int(truncatingIfNeeded: h >> 20) & mask
    return slots.withUnsafeBufferPointer { sl -> Int32? in
      while true {
        let e = Int(sl[i])
        if e < 0 { return nil }
        if hashes[e] == h && Int(lens[e]) == key.count {
          let s = Int(starts[e])
          let same = arena.withUnsafeBufferPointer { a in
            key.count == 0 || memcmpEqual(a.baseAddress! + s, key.baseAddress!, key.count)
          }
          if same { return ids[e] }
        }
        i = (i + 1) & mask
      }
    }
  }

  func lookup(_ token: String) -> Int32? {
    var t = token
    return t.withUTF8 { lookup($0) }
  }

  /// Adds a token; keeps the first id if the token is already present. Returns false then.
  @discardableResult
  mutating func insert(_ key: UnsafeBufferPointer<UInt8>, id: Int32) -> Bool {
    if (ids.count + 1) * 2 > slots.count { grow() }
    let h = Self.hash(key)
    var i = Int(truncatingIfNeeded: h >> 20) & mask
    while slots[i] >= 0 {
      let e = Int(slots[i])
      if hashes[e] == h && Int(lens[e]) == key.count {
        let s = Int(starts[e])
        let same = arena.withUnsafeBufferPointer { a in
          key.count == 0 || memcmpEqual(a.baseAddress! + s, key.baseAddress!, key.count)
        }
        if same { return false }
      }
      i = (i + 1) & mask
    }
    slots[i] = Int32(ids.count)
    hashes.append(h); starts.append(Int32(arena.count)); lens.append(Int32(key.count)); ids.append(id)
    arena.append(contentsOf: key)
    return true
  }

  @discardableResult
  mutating func insert(_ token: String, id: Int32) -> Bool {
    var t = token
    return t.withUTF8 { insert($0, id: id) }
  }

  private mutating func grow() {
    let cap = slots.count * 2
    slots = [Int32](repeating: -1, count: cap)
    mask = cap - 1
    for (e, h) in hashes.enumerated() {
      var i = Int(truncatingIfNeeded: h >> 20) & mask
      while slots[i] >= 0 { i = (i + 1) & mask }
      slots[i] = Int32(e)
    }
  }
}
