import Dispatch
import RadTensor

/// How benchmarks time a piece of work: warm calibration calls size each repetition to last at least
/// `minimumSeconds`, warm-up repetitions fill caches and wake BLAS threads, and the reported time
/// per call is the median over the timed repetitions, which shrugs off a stray slow run.
struct BenchTimer {
  var warmups: Int
  var repetitions: Int
  var minimumSeconds: Double

  /// Median seconds per call of `body`.
  func secondsPerCall(_ body: () -> Float) -> Double {
    var sink: Float = 0
    // The very first call pays one-off costs (a worker thread starting, page faults) and could take
    // 100x a warm call; sizing the repetitions from it made each one ~10 ms instead of
    // `minimumSeconds` for the M = 1 product at 2 threads, short enough for one 50 ms scheduler
    // stall to take the median. So size them from the fastest of three calls after it.
    sink += body()
    var once = Double.infinity
    for _ in 0..<3 { once = min(once, Self.elapsed { sink += body() }) }
    let iterations = max(1, Int((minimumSeconds / max(once, 1e-9)).rounded(.up)))
    for _ in 0..<warmups {
      for _ in 0..<iterations { sink += body() }
    }
    var samples: [Double] = []
    for _ in 0..<max(1, repetitions) {
      let seconds = Self.elapsed {
        for _ in 0..<iterations { sink += body() }
      }
      samples.append(seconds / Double(iterations))
    }
    // Keeps the results observable so the optimiser cannot drop the work.
    if sink.isNaN { BenchSink.touched &+= 1 }
    samples.sort()
    return samples[samples.count / 2]
  }

  static func elapsed(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  }
}

/// A place to park benchmark results so that the work producing them is not optimised away.
enum BenchSink {
  nonisolated(unsafe) static var touched = 0
}

/// The machine figures benchmarks compare against.
enum MachinePeak {
  /// fp32 FMA peak per core in GFLOP/s: ≈ 3.66 GHz × 32 FLOP/cycle (two 8-wide FMA units),
  /// measured on this project's 2-core AMD EPYC machine and recorded in /work/shared/DESIGN.md
  /// ("Performance notes measured on this machine"). MFU = achieved GFLOP/s ÷ (peak × threads).
  static let fp32GFLOPSPerCore: Double = 117
}

/// Sets the thread count of both OpenBLAS (GEMM) and RadTensor's own kernels (element-wise and
/// normalisation), so a benchmark row at N threads uses N cores everywhere.
func setBenchThreads(_ count: Int) {
  BLAS.setThreadCount(count)
  Parallel.threadCount = count
}

/// Deterministic benchmark inputs, scaled like activations (unit normal).
func benchTensor(_ shape: [Int], seed: UInt64) -> Tensor {
  var random = SeededRandom(seed: seed)
  return Tensor.normal(shape, using: &random)
}
