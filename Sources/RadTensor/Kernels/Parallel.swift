import CKernels
import Dispatch
import Foundation

/// Splits loops across the machine's cores. Work below `minimumPerThread` elements stays on the
/// calling thread, because waking a second core costs more than it saves on small tensors. Chunks
/// run on a small pool of persistent helper threads (CKernels/WorkerPool.c) that keep polling for
/// a moment after each job, so back-to-back kernels do not each pay a thread wake-up; when the
/// pool is busy with another caller, `DispatchQueue.concurrentPerform` runs the chunks instead.
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
    run(count: count, workers: workers, body)
  }

  /// Runs `body` over `workers` equal chunks of `0..<count` on the worker pool.
  @usableFromInline
  static func run(count: Int, workers: Int, _ body: (Range<Int>) -> Void) {
    let chunk = (count + workers - 1) / workers
    withoutActuallyEscaping(body) { escapable in
      var job = ChunkJob(count: count, chunk: chunk, body: escapable)
      let ran = withUnsafeMutablePointer(to: &job) { pointer in
        radlm_parallel_run(
          workers, workers,
          { context, piece in
            context!.assumingMemoryBound(to: ChunkJob.self).pointee.run(piece)
          }, pointer)
      }
      if ran == 0 {
        let box = UncheckedSendable(escapable)
        // Dispatch's threads run other work too: each takes the caller's vector level for this
        // job only.
        let cap = radlm_thread_vector_cap()
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
          let previous = radlm_thread_vector_cap()
          radlm_set_thread_vector_cap(cap)
          defer { radlm_set_thread_vector_cap(previous) }
          let start = worker * chunk
          let end = Swift.min(count, start + chunk)
          if start < end { box.value(start..<end) }
        }
      }
    }
  }
}

/// One `Parallel.run` job as the C worker pool sees it: piece i is the i-th chunk of the range.
struct ChunkJob {
  let count: Int
  let chunk: Int
  let body: (Range<Int>) -> Void

  func run(_ piece: Int) {
    let start = piece * chunk
    let end = Swift.min(count, start + chunk)
    if start < end { body(start..<end) }
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
