/// The merge table of a BPE model: for a pair of token ids, the merge's rank (lower merges
/// first) and the id of the merged token. Keys are the two ids packed in 64 bits in an
/// open-addressing hash table, so a lookup costs one multiply and usually one probe.
public struct PairRankTable: Sendable {
  private var keys: [UInt64]
  private var ranks: [Int32]
  private var merged: [Int32]
  private var mask: Int
  public private(set) var count = 0
  private static let empty = UInt64.max

  public init(capacity: Int) {
    var cap = 16
    while cap < capacity * 2 { cap <<= 1 }
    keys = [UInt64](repeating: Self.empty, count: cap)
    ranks = [Int32](repeating: 0, count: cap)
    merged = [Int32](repeating: 0, count: cap)
    mask = cap - 1
  }

  @inline(__always) static func key(_ a: Int32, _ b: Int32) -> UInt64 {
    UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b))
  }

  @inline(__always) static func slot(_ k: UInt64, _ mask: Int) -> Int {
    Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> 29) & mask
  }

  /// Adds a merge; the first rank given for a pair wins (as in `tokenizers`).
  public mutating func insert(_ a: Int32, _ b: Int32, rank: Int32, mergedId: Int32) {
    if count * 2 >= keys.count { grow() }
    let k = Self.key(a, b)
    var i = Self.slot(k, mask)
    while keys[i] != Self.empty {
      if keys[i] == k { return }
      i = (i + 1) & mask
    }
    keys[i] = k; ranks[i] = rank; merged[i] = mergedId
    count += 1
  }

  private mutating func grow() {
    let oldK = keys, oldR = ranks, oldM = merged
    let cap = keys.count * 2
    keys = [UInt64](repeating: Self.empty, count: cap)
    ranks = [Int32](repeating: 0, count: cap)
    merged = [Int32](repeating: 0, count: cap)
    mask = cap - 1
    count = 0
    for i in 0..<oldK.count where oldK[i] != Self.empty {
      let a = Int32(bitPattern: UInt32(truncatingIfNeeded: oldK[i] >> 32))
      let b = Int32(bitPattern: UInt32(truncatingIfNeeded: oldK[i]))
      insert(a, b, rank: oldR[i], mergedId: oldM[i])
    }
  }

  /// (rank, merged id) for the pair, or nil.
  @inline(__always)
  public func lookup(_ a: Int32, _ b: Int32) -> (rank: Int32, merged: Int32)? {
    let k = Self.key(a, b)
    var i = Self.slot(k, mask)
    return keys.withUnsafeBufferPointer { kb -> (Int32, Int32)? in
      while true {
        let x = kb[i]
        if x == k { return (ranks[i], merged[i]) }
        if x == Self.empty { return nil }
        i = (i + 1) & mask
      }
    }
  }

  /// Rank of the pair, or Int32.max; the merged id through `merged`.
  @inline(__always)
  func rank(_ a: Int32, _ b: Int32, _ mergedOut: inout Int32) -> Int32 {
    let k = Self.key(a, b)
    var i = Self.slot(k, mask)
    while true {
      let x = keys[i]
      if x == k { mergedOut = merged[i]; return ranks[i] }
      if x == Self.empty { return Int32.max }
      i = (i + 1) & mask
    }
  }
}
