import Foundation

/// Maps token strings to small integer ids local to one comparison, so that n-gram and LCS
/// kernels compare integers instead of strings.
struct TokenInterner {
  private var table: [String: Int32] = [:]
  mutating func id(_ token: String) -> Int32 {
    if let v = table[token] { return v }
    let v = Int32(table.count)
    table[token] = v
    return v
  }
  mutating func ids(_ tokens: [String]) -> [Int32] { tokens.map { id($0) } }
  var count: Int { table.count }
}

/// A packed n-gram of up to four 32-bit ids (UInt128 needs macOS 15, so two words).
struct NGramKey: Hashable, Comparable, Sendable {
  var hi: UInt64
  var lo: UInt64
  @inline(__always) static func < (a: NGramKey, b: NGramKey) -> Bool {
    a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo)
  }
}

/// N-gram keys of interned token ids, sorted so that clipped overlaps are a linear merge.
enum NGramKeys {
  /// Sorted keys of all n-grams, n in 1...4 (ids are shifted by one so 0 means "no token").
  static func sorted(_ ids: [Int32], _ n: Int) -> [NGramKey] {
    precondition(n >= 1 && n <= 4, "packed n-gram keys hold at most 4 tokens")
    guard ids.count >= n else { return [] }
    var keys: [NGramKey] = []
    keys.reserveCapacity(ids.count - n + 1)
    for i in 0...(ids.count - n) {
      var words: (UInt64, UInt64) = (0, 0)
      for j in 0..<n {
        let v = UInt64(UInt32(bitPattern: ids[i + j] &+ 1))
        // Slots 0,1 go to hi and 2,3 to lo, so keys of one order compare consistently.
        if j < 2 { words.0 |= v << (32 * UInt64(1 - j)) } else { words.1 |= v << (32 * UInt64(3 - j)) }
      }
      keys.append(NGramKey(hi: words.0, lo: words.1))
    }
    keys.sort()
    return keys
  }

  /// Σ over distinct n-grams of min(count in a, count in b), for sorted key arrays.
  static func clippedOverlap(_ a: [NGramKey], _ b: [NGramKey]) -> Int {
    var i = 0
    var j = 0
    var overlap = 0
    while i < a.count && j < b.count {
      if a[i] < b[j] {
        i += 1
      } else if b[j] < a[i] {
        j += 1
      } else {
        overlap += 1
        i += 1
        j += 1
      }
    }
    return overlap
  }

  /// Counts of n-grams of any order (used for n > 4).
  static func counts(_ ids: [Int32], _ n: Int) -> [ArraySlice<Int32>: Int] {
    var c: [ArraySlice<Int32>: Int] = [:]
    guard n > 0, ids.count >= n else { return c }
    for i in 0...(ids.count - n) { c[ids[i..<(i + n)], default: 0] += 1 }
    return c
  }
}

/// Longest common subsequence kernels with rouge-score's tie-breaking on backtracking.
enum LCS {
  /// Length only, two rolling rows.
  static func length(_ a: [Int32], _ b: [Int32]) -> Int {
    if a.isEmpty || b.isEmpty { return 0 }
    var prev = [Int32](repeating: 0, count: b.count + 1)
    var cur = prev
    a.withUnsafeBufferPointer { ap in
      b.withUnsafeBufferPointer { bp in
        for i in 0..<ap.count {
          let x = ap[i]
          cur[0] = 0
          for j in 0..<bp.count {
            if x == bp[j] {
              cur[j + 1] = prev[j] + 1
            } else {
              let up = prev[j + 1]
              let left = cur[j]
              cur[j + 1] = up > left ? up : left
            }
          }
          swap(&prev, &cur)
        }
      }
    }
    return Int(prev[b.count])
  }

  /// Marks the indices into `ref` of one LCS with `can`: rouge-score's `_backtrack_norec`,
  /// which moves left only when the left cell is strictly greater than the upper one.
  static func markIndices(_ ref: [Int32], _ can: [Int32], into marks: inout [Bool], table t: inout [Int32]) {
    let rows = ref.count
    let cols = can.count
    if rows == 0 || cols == 0 { return }
    let w = cols + 1
    let size = (rows + 1) * w
    if t.count < size {
      t = [Int32](repeating: 0, count: size)
    } else {
      for j in 0..<w { t[j] = 0 }
    }
    for i in 1...rows {
      t[i * w] = 0
      let x = ref[i - 1]
      for j in 1...cols {
        if x == can[j - 1] {
          t[i * w + j] = t[(i - 1) * w + j - 1] + 1
        } else {
          let up = t[(i - 1) * w + j]
          let left = t[i * w + j - 1]
          t[i * w + j] = up > left ? up : left
        }
      }
    }
    var i = rows
    var j = cols
    while i > 0 && j > 0 {
      if ref[i - 1] == can[j - 1] {
        marks[i - 1] = true
        i -= 1
        j -= 1
      } else if t[i * w + j - 1] > t[(i - 1) * w + j] {
        j -= 1
      } else {
        i -= 1
      }
    }
  }
}

/// Maps `items` through `transform` on all cores, keeping order. Small inputs run inline.
func parallelMap<T: Sendable, R: Sendable>(
  _ items: [T], minimumPerChunk: Int = 64, _ transform: @Sendable (T) -> R
) -> [R] {
  let n = items.count
  let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
  if n < minimumPerChunk * 2 || cores == 1 { return items.map(transform) }
  let chunks = min(cores * 4, (n + minimumPerChunk - 1) / minimumPerChunk)
  let box = ResultBox<R>(count: n)
  DispatchQueue.concurrentPerform(iterations: chunks) { c in
    let lo = c * n / chunks
    let hi = (c + 1) * n / chunks
    var local: [R] = []
    local.reserveCapacity(hi - lo)
    for i in lo..<hi { local.append(transform(items[i])) }
    box.store(local, at: lo)
  }
  return box.values()
}

/// `parallelMap` with a mutable per-worker state (a cache), created once per chunk.
func parallelMap<T: Sendable, R: Sendable, S>(
  _ items: [T], minimumPerChunk: Int = 64, state: @autoclosure () -> S,
  _ transform: (inout S, T) -> R
) -> [R] {
  let n = items.count
  let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
  if n < minimumPerChunk * 2 || cores == 1 {
    var s = state()
    return items.map { transform(&s, $0) }
  }
  let chunks = min(cores * 4, (n + minimumPerChunk - 1) / minimumPerChunk)
  let box = ResultBox<R>(count: n)
  withoutActuallyEscaping(transform) { transform in
    withoutActuallyEscaping(state) { state in
      let t = UncheckedBox(transform)
      let st = UncheckedBox(state)
      DispatchQueue.concurrentPerform(iterations: chunks) { c in
        let lo = c * n / chunks
        let hi = (c + 1) * n / chunks
        var s = st.value()
        var local: [R] = []
        local.reserveCapacity(hi - lo)
        for i in lo..<hi { local.append(t.value(&s, items[i])) }
        box.store(local, at: lo)
      }
    }
  }
  return box.values()
}

/// Hands a non-Sendable closure to `concurrentPerform`; each worker creates its own state.
private struct UncheckedBox<V>: @unchecked Sendable {
  let value: V
  init(_ v: V) { value = v }
}

/// Collects chunk results written from several threads; each chunk owns a disjoint range.
private final class ResultBox<R>: @unchecked Sendable {
  private var slots: [R?]
  private let lock = NSLock()
  init(count: Int) { slots = [R?](repeating: nil, count: count) }
  func store(_ values: [R], at offset: Int) {
    lock.lock()
    for (k, v) in values.enumerated() { slots[offset + k] = v }
    lock.unlock()
  }
  func values() -> [R] { slots.compactMap { $0 } }
}
