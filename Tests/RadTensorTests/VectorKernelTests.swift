import Foundation
import RadTensor
import Testing

/// The C row and element-wise kernels (GELU, softmax, layer and RMS norm) at every vector level the
/// CPU has, against double-precision references over odd sizes and vector tails, at 1 and 2
/// threads; and the worker pool behind `Parallel.forEachChunk`. Serialized because the vector level
/// and thread count are process-wide settings.
@Suite("Vector kernels at every level", .serialized)
struct VectorKernelTests {
  /// The levels this CPU can run (the widest first), each set in turn by `atEveryLevel`.
  static var levels: [VectorLevel] {
    VectorLevel.current = .avx512
    return VectorLevel.allCases.filter { $0 <= VectorLevel.current }.reversed()
  }

  static func atEveryLevel(threads: [Int] = [1, 2], _ body: (VectorLevel, Int) throws -> Void) rethrows {
    let savedThreads = Parallel.threadCount
    defer {
      VectorLevel.current = .avx512
      Parallel.threadCount = savedThreads
    }
    for level in levels {
      VectorLevel.current = level
      for count in threads {
        Parallel.threadCount = count
        try body(level, count)
      }
    }
  }

  static func sample(_ shape: [Int], seed: UInt64, mean: Float = 0, std: Float = 1) -> Tensor {
    var random = SeededRandom(seed: seed)
    return Tensor.normal(shape, mean: mean, std: std, using: &random)
  }

  static func geluReference(_ x: Float) -> Double {
    let value = Double(x)
    return value * 0.5 * (1 + erf(value / 2.0.squareRoot()))
  }

  @Test func levelsIncludeTheBaselineAndCanBeCapped() {
    let levels = Self.levels
    #expect(levels.last == .baseline)
    VectorLevel.current = .baseline
    #expect(VectorLevel.current == .baseline)
    VectorLevel.current = .avx512
    #expect(VectorLevel.current == levels.first)
  }

  /// |GELU − x Φ(x)| <= 1.25e-7 |x| over [−10, 10] in steps of 2⁻¹⁴ (327,681 points) plus
  /// extreme values, against libm's double erf. The Abramowitz–Stegun form (PyTorch's vectorised
  /// erf, |Δerf| <= 1.5e-7) reaches 2.8e-7 |x| here, so this bound is tighter than PyTorch's own.
  @Test func geluErfMatchesTheExactNormalCDF() {
    var inputs: [Float] = (0...327_680).map { -10 + Float($0) / 16_384 }
    inputs += [0, -0, 1e-30, -1e-30, 1e-3, -1e-3, 5.99, -5.99, 6, -6, 6.01, -6.01, 30, -30, 1e30, -1e30]
    let x = Tensor(shape: [inputs.count], data: inputs)
    Self.atEveryLevel { level, threads in
      let y = x.gelu().data
      var worst: Double = 0
      var worstInput: Float = 0
      for (input, output) in zip(inputs, y) {
        let error = abs(Double(output) - Self.geluReference(input)) / max(Double(abs(input)), 1e-38)
        if !(error <= worst) {
          worst = error
          worstInput = input
        }
      }
      #expect(worst <= 1.25e-7, "level \(level), \(threads) threads: error/|x| \(worst) at x = \(worstInput)")
    }
  }

  @Test func geluErfSpecialValues() {
    let x = Tensor(shape: [4], data: [.infinity, .nan, 0, -0.0])
    Self.atEveryLevel(threads: [1]) { level, _ in
      let y = x.gelu().data
      #expect(y[0] == .infinity, "level \(level)")
      #expect(y[1].isNaN, "level \(level)")
      #expect(y[2] == 0 && y[3] == 0, "level \(level)")
    }
  }

  @Test(arguments: [1, 15, 16, 17, 33, 100_003])
  func geluTanhMatchesTheDoubleFormula(count: Int) {
    let x = Self.sample([count], seed: UInt64(count), std: 3)
    Self.atEveryLevel { level, threads in
      let y = x.geluTanh().data
      for (input, output) in zip(x.data, y) {
        let v = Double(input)
        let expected = 0.5 * v * (1 + tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)))
        #expect(
          abs(Double(output) - expected) <= 4e-7 * max(1, abs(v)), "level \(level), \(threads) threads, x = \(input)")
      }
    }
  }

  /// Softmax rows of odd widths (vector tails), with −inf entries (masked scores) and a NaN row.
  @Test(arguments: [1, 3, 15, 16, 17, 63, 64, 65, 771])
  func softmaxMatchesTheDoubleFormula(columns: Int) {
    let rows = Swift.max(2, 40_000 / columns)
    var values = Self.sample([rows, columns], seed: UInt64(columns), std: 4).data
    if columns > 2 { values[columns + 1] = -.infinity }
    values[0] = .nan
    let x = Tensor(shape: [rows, columns], data: values)
    Self.atEveryLevel { level, threads in
      let y = x.softmax().data
      let nanRow = y[0..<columns].allSatisfy { $0.isNaN }
      #expect(nanRow, "level \(level): a NaN spreads over its row")
      var worst: Double = 0
      for row in 1..<rows {
        let slice = values[(row * columns)..<((row + 1) * columns)].map(Double.init)
        let maximum = slice.max()!
        let total = slice.reduce(0) { $0 + Foundation.exp($1 - maximum) }
        for (column, value) in slice.enumerated() {
          let expected = Foundation.exp(value - maximum) / total
          worst = Swift.max(worst, abs(Double(y[row * columns + column]) - expected))
        }
      }
      #expect(worst <= 1e-6, "level \(level), \(threads) threads: max |error| \(worst)")
    }
  }

  /// Layer norm and RMS norm against a double-precision reference, with and without the affine
  /// parameters, including rows whose mean is large against their spread.
  @Test(arguments: [1, 3, 15, 16, 17, 63, 64, 65, 127, 771])
  func normsMatchTheDoubleFormula(columns: Int) {
    let rows = Swift.max(3, 50_000 / columns)
    for (offset, seed) in [(Float(0), UInt64(1)), (1000, 2)] {
      let x = Self.sample([rows, columns], seed: UInt64(columns) * 10 + seed, mean: offset, std: 2)
      let gamma = Self.sample([columns], seed: 7)
      let beta = Self.sample([columns], seed: 8)
      Self.atEveryLevel { level, threads in
        for affine in [false, true] {
          let layer = x.layerNorm(weight: affine ? gamma : nil, bias: affine ? beta : nil, eps: 1e-5).data
          let rms = x.rmsNorm(weight: affine ? gamma : nil, eps: 1e-6).data
          var worstLayer: Double = 0
          var worstRMS: Double = 0
          for row in 0..<rows {
            let slice = x.data[(row * columns)..<((row + 1) * columns)].map(Double.init)
            let mean = slice.reduce(0, +) / Double(columns)
            let variance = slice.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(columns)
            let meanSquare = slice.reduce(0) { $0 + $1 * $1 } / Double(columns)
            let rstd = 1 / (variance + 1e-5).squareRoot()
            // The mean is held in float32: its rounding (half an ulp, allowed two) moves every
            // centred value by that much, times rstd · gamma.
            let meanRounding = 2 * Double(Float(mean).ulp) * rstd
            for (column, value) in slice.enumerated() {
              let g = affine ? Double(gamma.data[column]) : 1
              let b = affine ? Double(beta.data[column]) : 0
              let expectedLayer = (value - mean) * rstd * g + b
              let expectedRMS = value / (meanSquare + 1e-6).squareRoot() * g
              let layerError = abs(Double(layer[row * columns + column]) - expectedLayer)
              worstLayer = Swift.max(worstLayer, layerError / (1e-5 * (1 + abs(expectedLayer)) + meanRounding * abs(g)))
              worstRMS = Swift.max(
                worstRMS, abs(Double(rms[row * columns + column]) - expectedRMS) / (1 + abs(expectedRMS)))
            }
          }
          #expect(
            worstLayer <= 1,
            "layer norm, level \(level), \(threads) threads, affine \(affine): \(worstLayer) of the bound")
          #expect(worstRMS <= 1e-5, "RMS norm, level \(level), \(threads) threads, affine \(affine): \(worstRMS)")
        }
      }
    }
  }

  /// Layer-norm and RMS-norm gradients (input, weight, bias) against the double-precision formulas,
  /// for odd widths, at every level and thread count.
  @Test(arguments: [(3, 5), (40, 17), (300, 64), (77, 771)])
  func normGradientsMatchTheDoubleFormula(rows: Int, columns: Int) {
    let x = Self.sample([rows, columns], seed: UInt64(columns), mean: 0.5, std: 2)
    let gamma = Self.sample([columns], seed: 3)
    let beta = Self.sample([columns], seed: 4)
    let upstream = Self.sample([rows, columns], seed: 5)
    for centred in [true, false] {
      // Reference: dx = rstd (ĝ − mean(ĝ) − x̂ mean(ĝ x̂)), dγ = Σ g x̂, dβ = Σ g, in double.
      var expectedInput = [Double](repeating: 0, count: rows * columns)
      var expectedGamma = [Double](repeating: 0, count: columns)
      var expectedBeta = [Double](repeating: 0, count: columns)
      for row in 0..<rows {
        let slice = (0..<columns).map { Double(x.data[row * columns + $0]) }
        let mean = centred ? slice.reduce(0, +) / Double(columns) : 0
        let variance = slice.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(columns)
        let rstd = 1 / (variance + (centred ? 1e-5 : 1e-6)).squareRoot()
        let normalized = slice.map { ($0 - mean) * rstd }
        let g = (0..<columns).map { Double(upstream.data[row * columns + $0]) }
        let scaled = (0..<columns).map { g[$0] * Double(gamma.data[$0]) }
        let meanG = centred ? scaled.reduce(0, +) / Double(columns) : 0
        let meanGX = zip(scaled, normalized).reduce(0) { $0 + $1.0 * $1.1 } / Double(columns)
        for j in 0..<columns {
          expectedInput[row * columns + j] = rstd * (scaled[j] - meanG - normalized[j] * meanGX)
          expectedGamma[j] += g[j] * normalized[j]
          expectedBeta[j] += g[j]
        }
      }
      Self.atEveryLevel { level, threads in
        let leaf = x.requiringGrad()
        let weight = gamma.requiringGrad()
        let bias = beta.requiringGrad()
        let output =
          centred ? leaf.layerNorm(weight: weight, bias: bias, eps: 1e-5) : leaf.rmsNorm(weight: weight, eps: 1e-6)
        (output * upstream).sum().backward()
        let label = "\(centred ? "layer" : "RMS") norm \(rows)x\(columns), level \(level), \(threads) threads"
        func worst(_ actual: [Float]?, _ expected: [Double]) -> Double {
          guard let actual, actual.count == expected.count else { return .infinity }
          return zip(actual, expected).map { abs(Double($0) - $1) / (1 + abs($1)) }.max() ?? 0
        }
        #expect(worst(leaf.grad?.data, expectedInput) <= 2e-5, "dx, \(label)")
        #expect(worst(weight.grad?.data, expectedGamma) <= 2e-5, "dgamma, \(label)")
        if centred { #expect(worst(bias.grad?.data, expectedBeta) <= 2e-5, "dbeta, \(label)") }
      }
    }
  }

  /// Single-row products (BLAS.gemm with m = 1, both layouts of B, alpha and beta) against a
  /// double-precision reference; sizes cover vector tails and the threaded path (k·n >= 65,536),
  /// whose split into blocks of 16 outputs leaves n = 517 a ragged last block, n = 17 one block
  /// of 16 and one of 1, and n = 16 or 1 a single block.
  @Test(arguments: [
    (1, 1), (7, 17), (17, 7), (64, 129), (129, 64), (576, 1536), (301, 517), (3_001, 17), (4_099, 16),
    (65_537, 1),
  ])
  func singleRowProductMatchesTheDoubleFormula(k: Int, n: Int) {
    let a = Self.sample([k], seed: 11).data
    let b = Self.sample([k * n], seed: 12).data
    let initial = Self.sample([n], seed: 13).data
    Self.atEveryLevel { level, threads in
      BLAS.setThreadCount(threads)
      defer { BLAS.setThreadCount(Parallel.threadCount) }
      for transposeB in [false, true] {
        for (alpha, beta) in [(Float(1), Float(0)), (0.5, 2)] {
          var c = initial
          a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
              c.withUnsafeMutableBufferPointer { pc in
                BLAS.gemm(
                  transposeA: false, transposeB: transposeB, m: 1, n: n, k: k, alpha: alpha, a: pa.baseAddress!,
                  b: pb.baseAddress!, beta: beta, c: pc.baseAddress!)
              }
            }
          }
          var worst: Double = 0
          for j in 0..<n {
            var sum: Double = 0
            var magnitude: Double = 0
            for i in 0..<k {
              let weight = Double(transposeB ? b[j * k + i] : b[i * n + j])
              sum += Double(a[i]) * weight
              magnitude += abs(Double(a[i]) * weight)
            }
            let expected = Double(alpha) * sum + Double(beta) * Double(initial[j])
            let scale = Double(alpha) * magnitude + abs(Double(beta) * Double(initial[j])) + 1e-30
            worst = Swift.max(worst, abs(Double(c[j]) - expected) / scale)
          }
          #expect(
            worst <= 1e-6,
            "k \(k), n \(n), level \(level), \(threads) threads, transposeB \(transposeB), beta \(beta): \(worst)")
        }
      }
    }
  }

  /// The 2-thread single-row product splits its outputs on 64-byte lines of y, so where y starts
  /// moves the split: every start within a line gives cblas_sgemv's one-thread result (within
  /// rounding), for both layouts of B and for n just above and below one line.
  @Test(arguments: [(301, 517), (3_001, 17), (4_099, 31), (577, 1536)])
  func singleRowProductSplitAtAnyAlignmentOfTheOutput(k: Int, n: Int) {
    let a = Self.sample([k], seed: 31).data
    let b = Self.sample([k * n], seed: 32).data
    let storage = UnsafeMutableRawPointer.allocate(byteCount: (n + 16) * 4, alignment: 64)
    defer { storage.deallocate() }
    let base = storage.bindMemory(to: Float.self, capacity: n + 16)
    for transposeB in [false, true] {
      var reference = [Float](repeating: 0, count: n)
      var results: [[Float]] = []
      for (threads, offset) in [(1, 0)] + (0..<16).map({ (2, $0) }) {
        Self.withThreads(threads) {
          a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
              BLAS.gemm(
                transposeA: false, transposeB: transposeB, m: 1, n: n, k: k, a: pa.baseAddress!, b: pb.baseAddress!,
                c: base + offset)
            }
          }
        }
        let values = Array(UnsafeBufferPointer(start: base + offset, count: n))
        if threads == 1 { reference = values } else { results.append(values) }
      }
      let scale = Float(k).squareRoot()  // outputs are sums of k unit-normal products
      for (offset, values) in results.enumerated() {
        #expect(
          Self.maximumDifference(values, reference) <= 1e-5 * scale,
          "k \(k), n \(n), transposeB \(transposeB), y offset \(offset) floats")
      }
    }
  }

  /// Every index is visited exactly once, for many sizes and thread counts, also while several
  /// threads share the pool (the callers that find it busy run their chunks another way).
  @Test func forEachChunkCoversEveryIndexOnceUnderConcurrentCallers() async {
    let saved = Parallel.threadCount
    defer { Parallel.threadCount = saved }
    for threads in [1, 2, 3, 8] {
      Parallel.threadCount = threads
      await withTaskGroup(of: Bool.self) { group in
        for caller in 0..<6 {
          group.addTask {
            var good = true
            for count in [0, 1, 2, 7, 64, 1000 + caller, 65_537] {
              let visits = UnsafeMutableBufferPointer<Int32>.allocate(capacity: Swift.max(count, 1))
              visits.initialize(repeating: 0)
              let pointer = SendableBuffer(visits)
              Parallel.forEachChunk(count, minimumPerThread: 1) { range in
                for index in range { pointer.buffer[index] += 1 }
              }
              good = good && visits.prefix(count).allSatisfy { $0 == 1 }
              visits.deallocate()
            }
            return good
          }
        }
        for await good in group { #expect(good, "\(threads) threads") }
      }
    }
  }

  /// A caller allowed a single CPU (as under `taskset -c 0`) still gets every chunk and correct
  /// single-row products from the pool at 2 threads (the pool then gives its helpers the caller's
  /// mask instead of keeping them off the caller's CPU), and so does a caller on all CPUs afterwards.
  @Test func poolServesACallerAllowedOneCPU() throws {
    typealias Affinity = @convention(c) (Int32, Int, UnsafeMutableRawPointer) -> Int32
    let process = UnsafeMutableRawPointer(bitPattern: 0)  // RTLD_DEFAULT
    let getSymbol = try #require(dlsym(process, "sched_getaffinity"))
    let setSymbol = try #require(dlsym(process, "sched_setaffinity"))
    let getAffinity = unsafeBitCast(getSymbol, to: Affinity.self)
    let setAffinity = unsafeBitCast(setSymbol, to: Affinity.self)
    let (k, n) = (301, 517)
    let a = Self.sample([1, k], seed: 21)
    let b = Self.sample([k, n], seed: 22)
    let expected = Self.withThreads(1) { a.matmul(b).data }
    let outcome = PoolOutcome()
    let thread = Thread {
      // A cpu_set_t is a 1024-bit mask; keep only the lowest CPU this thread may use.
      var mask = [UInt64](repeating: 0, count: 16)
      let read = mask.withUnsafeMutableBytes { getAffinity(0, $0.count, $0.baseAddress!) }
      guard read == 0, let word = mask.firstIndex(where: { $0 != 0 }) else { return outcome.finish(nil) }
      let lowest = mask[word] & (~mask[word] &+ 1)
      mask = [UInt64](repeating: 0, count: 16)
      mask[word] = lowest
      guard mask.withUnsafeMutableBytes({ setAffinity(0, $0.count, $0.baseAddress!) }) == 0 else {
        return outcome.finish(nil)
      }
      outcome.finish(Self.withThreads(2) { (a.matmul(b).data, Self.chunksCoverOnce(100_003)) })
    }
    thread.start()
    let pinned = try #require(outcome.wait(), "could not restrict a thread to one CPU")
    #expect(Self.maximumDifference(pinned.0, expected) <= 1e-4)  // sums of 301 terms of size ~1
    #expect(pinned.1)
    let after = Self.withThreads(2) { (a.matmul(b).data, Self.chunksCoverOnce(100_003)) }
    #expect(Self.maximumDifference(after.0, expected) <= 1e-4)
    #expect(after.1)
  }

  static func withThreads<Result>(_ threads: Int, _ body: () -> Result) -> Result {
    let (savedPool, savedBLAS) = (Parallel.threadCount, BLAS.threadCount)
    defer {
      Parallel.threadCount = savedPool
      BLAS.setThreadCount(savedBLAS)
    }
    Parallel.threadCount = threads
    BLAS.setThreadCount(threads)
    return body()
  }

  static func chunksCoverOnce(_ count: Int) -> Bool {
    var visits = [Int32](repeating: 0, count: count)
    visits.withUnsafeMutableBufferPointer { buffer in
      let pointer = SendableBuffer(buffer)
      Parallel.forEachChunk(count, minimumPerThread: 1) { range in
        for index in range { pointer.buffer[index] += 1 }
      }
    }
    return visits.allSatisfy { $0 == 1 }
  }

  static func maximumDifference(_ x: [Float], _ y: [Float]) -> Float {
    let initial: Float = x.count == y.count ? 0 : .infinity
    return zip(x, y).reduce(initial) { Swift.max($0, abs($1.0 - $1.1)) }
  }
}

/// The result of work done on a separate thread, handed back once.
private final class PoolOutcome: @unchecked Sendable {
  private let done = DispatchSemaphore(value: 0)
  private var value: ([Float], Bool)?

  func finish(_ result: ([Float], Bool)?) {
    value = result
    done.signal()
  }

  func wait() -> ([Float], Bool)? {
    done.wait()
    return value
  }
}

/// A buffer written by disjoint chunks on several threads.
private struct SendableBuffer: @unchecked Sendable {
  let buffer: UnsafeMutableBufferPointer<Int32>
  init(_ buffer: UnsafeMutableBufferPointer<Int32>) { self.buffer = buffer }
}
