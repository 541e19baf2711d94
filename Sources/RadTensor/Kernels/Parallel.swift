import Dispatch
import Foundation

/// Splits loops across the machine's cores. Work below `minimumPerThread` elements stays on the
/// calling thread, because waking a second core costs more than it saves on small tensors.
public enum Parallel {
  /// Number of worker threads used for element-wise and normalisation kernels.
  nonisolated(unsafe) public static var threadCount: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

  /// Calls `body` with disjoint sub-ranges covering `0..<count`.
  @inlinable
  public static func forEachChunk(
    _ count: Int, minimumPerThread: Int = 32_768, _ body: (Range<Int>) -> Void
  ) {
    let workers = Swift.min(threadCount, Swift.max(1, count / Swift.max(minimumPerThread, 1)))
    if workers <= 1 {
      body(0..<count)
      return
    }
    let chunk = (count + workers - 1) / workers
    withoutActuallyEscaping(body) { escapable in
      let box = UncheckedSendable(escapable)
      DispatchQueue.concurrentPerform(iterations: workers) { worker in
        let start = worker * chunk
        let end = Swift.min(count, start + chunk)
        if start < end { box.value(start..<end) }
      }
    }
  }
}

/// Wraps a value that is safe to share because callers hand out disjoint work.
@usableFromInline
struct UncheckedSendable<Value>: @unchecked Sendable {
  @usableFromInline let value: Value
  @usableFromInline init(_ value: Value) { self.value = value }
}

/// A raw pointer that crosses into concurrent chunks; each chunk writes a disjoint range.
@usableFromInline
struct SendablePointer<Element>: @unchecked Sendable {
  @usableFromInline let pointer: UnsafeMutablePointer<Element>
  @usableFromInline init(_ pointer: UnsafeMutablePointer<Element>) { self.pointer = pointer }
}
