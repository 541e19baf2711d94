import CKernels
import Foundation

/// A stretch of memory on 2 MB pages (CKernels' radlm_huge_alloc) from which quantised matrices
/// take their blocks one after another. Decoding streams every weight once per token, and on
/// 2 MB pages the hardware prefetchers and the TLB keep up where 4 KB pages stall them (one
/// core's product ran 2.5× faster). Matrices share arenas so that a model's many sub-megabyte
/// matrices do not each round up to a whole 2 MB page; an arena is freed when the last matrix
/// holding it goes.
final class WeightArena: @unchecked Sendable {
  let base: UnsafeMutableRawPointer
  let capacity: Int
  /// Bytes handed out so far (changed only under `WeightArena.lock`).
  var used = 0

  /// Arenas are allocated this big; a larger request gets an arena of its own.
  static let chunkBytes = 32 << 20
  static let lock = NSLock()
  /// The arena new requests are cut from, while any matrix still holds it.
  nonisolated(unsafe) static weak var current: WeightArena?

  private init?(capacity: Int) {
    guard let base = radlm_huge_alloc(capacity) else { return nil }
    self.base = base
    self.capacity = capacity
  }

  deinit { radlm_huge_free(base) }

  /// `bytes` bytes aligned to 64 (a cache line), and the arena that owns them.
  static func allocate(_ bytes: Int) -> (arena: WeightArena, pointer: UnsafeMutableRawPointer) {
    let size = Swift.max(64, (bytes + 63) / 64 * 64)
    lock.lock()
    defer { lock.unlock() }
    if let arena = current, arena.capacity - arena.used >= size {
      defer { arena.used += size }
      return (arena, arena.base + arena.used)
    }
    guard let arena = WeightArena(capacity: Swift.max(size, chunkBytes)) else {
      fatalError("out of memory allocating \(size) bytes of quantised weights")
    }
    arena.used = size
    // A request bigger than a chunk leaves the current arena's free tail for the next ones.
    if size < chunkBytes { current = arena }
    return (arena, arena.base)
  }
}

/// A fixed-size array of quantised-weight values (block values, scales or minimums) in a
/// `WeightArena`. It reads like an array (`count`, subscript, `withUnsafeBufferPointer`) but is
/// never written after it is filled, so copies share it.
struct BlockStorage<Element: BitwiseCopyable>: @unchecked Sendable {
  private let arena: WeightArena?
  private let pointer: UnsafeMutablePointer<Element>?
  let count: Int

  /// A copy of `elements` in the current arena.
  init(_ elements: [Element]) {
    count = elements.count
    guard !elements.isEmpty else {
      arena = nil
      pointer = nil
      return
    }
    let (arena, raw) = WeightArena.allocate(elements.count * MemoryLayout<Element>.stride)
    let typed = raw.bindMemory(to: Element.self, capacity: elements.count)
    elements.withUnsafeBufferPointer { typed.initialize(from: $0.baseAddress!, count: elements.count) }
    self.arena = arena
    self.pointer = typed
  }

  var isEmpty: Bool { count == 0 }

  /// The first value (nil when empty); valid while the matrix holding this storage lives.
  var baseAddress: UnsafePointer<Element>? { pointer.map { UnsafePointer($0) } }

  subscript(index: Int) -> Element {
    precondition(index >= 0 && index < count, "index \(index) out of range 0..<\(count)")
    return pointer![index]
  }

  /// The values as a buffer (empty, with a nil base address, when there are none).
  func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
    try withExtendedLifetime(arena) { try body(UnsafeBufferPointer(start: pointer, count: count)) }
  }

  /// The values as an array.
  var array: [Element] { withUnsafeBufferPointer { Array($0) } }
}
