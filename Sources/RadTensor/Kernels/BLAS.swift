import CBLAS
import CKernels
import Foundation

/// Matrix products go to OpenBLAS's `cblas_sgemm`. Transposed operands are passed to BLAS as a
/// transpose flag over the stored matrix instead of being copied, and a single-row product runs
/// `cblas_sgemv` on one thread (several times faster than `sgemm` with M = 1) or CKernels'
/// `radlm_gemv` split over the worker pool on more.
/// Before the first product, an AVX-512 kernel choice is swapped for OpenBLAS's faster Haswell
/// kernel (see `kernelChoice`).
public enum BLAS {
  /// Sets the number of threads OpenBLAS uses.
  public static func setThreadCount(_ count: Int) {
    _ = kernelChoice
    openblas_set_num_threads(Int32(count))
  }
  /// The number of threads OpenBLAS uses.
  public static var threadCount: Int { Int(openblas_get_num_threads()) }
  /// The CPU kernel family OpenBLAS runs (for benchmark reports).
  public static var coreName: String {
    _ = kernelChoice
    return currentCoreName
  }

  /// The kernel family OpenBLAS picked by itself when it loaded, before `kernelChoice`.
  public static var detectedCoreName: String { kernelChoice }

  static var currentCoreName: String {
    guard let name = openblas_get_corename() else { return "unknown" }
    return String(cString: name)
  }

  /// Kernel families whose sgemm Debian's OpenBLAS 0.3.21 runs slower than its Haswell (AVX2+FMA)
  /// kernel on this project's machine (AMD EPYC, Zen 4: 256-bit FMA units, so AVX-512 brings no
  /// extra throughput); measured in BENCHMARKS.md. All of them imply AVX2 and FMA,
  /// so the Haswell kernel is safe to run wherever one of them was detected.
  static let slowerThanHaswell: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]

  /// Runs once, before the first product: switches a runtime-dispatching OpenBLAS from an AVX-512
  /// family in `slowerThanHaswell` to its Haswell kernel. A user-set `OPENBLAS_CORETYPE` wins.
  /// Returns the family OpenBLAS detected.
  @usableFromInline static let kernelChoice: String = {
    let detected = currentCoreName
    if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
      slowerThanHaswell.contains(detected.lowercased())
    {
      selectCoreType("Haswell")
    }
    return detected
  }()

  /// Switches a runtime-dispatching (DYNAMIC_ARCH) OpenBLAS to the named kernel family, as
  /// `OPENBLAS_CORETYPE` would have at load time (OpenBLAS reads that variable only in its load-time
  /// constructor, so this re-runs its exported dispatch initialiser). Only call it while no BLAS
  /// work is in flight, and only with a family the CPU supports. Returns whether the family is
  /// now active; a library without runtime dispatch is left as it is.
  @discardableResult
  static func selectCoreType(_ name: String) -> Bool {
    let process = UnsafeMutableRawPointer(bitPattern: 0)  // RTLD_DEFAULT
    guard let quit = dlsym(process, "gotoblas_dynamic_quit"), let initialise = dlsym(process, "gotoblas_dynamic_init")
    else { return false }
    typealias Entry = @convention(c) () -> Void
    setenv("OPENBLAS_CORETYPE", name, 1)
    unsafeBitCast(quit, to: Entry.self)()
    unsafeBitCast(initialise, to: Entry.self)()
    unsetenv("OPENBLAS_CORETYPE")
    return currentCoreName.lowercased() == name.lowercased()
  }

  /// Single-row products with fewer weights than this stay on one thread (the hand-off to the
  /// second core costs more than half of such a product).
  @usableFromInline static let singleRowParallelThreshold = 65_536

  /// C[m×n] = alpha · op(A) · op(B) + beta · C, all row-major. A is stored [m, k] (or [k, m] when
  /// `transposeA`), B is stored [k, n] (or [n, k] when `transposeB`).
  @inlinable
  public static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
    beta: Float = 0, c: UnsafeMutablePointer<Float>
  ) {
    _ = kernelChoice
    if m == 0 || n == 0 { return }
    if k == 0 {
      if beta == 0 {
        c.update(repeating: 0, count: m * n)
      } else if beta != 1 {
        for i in 0..<(m * n) { c[i] *= beta }
      }
      return
    }
    if m == 1 && !transposeA {
      // One row of A (decoding a token). On one thread OpenBLAS's sgemv (several times faster than
      // sgemm with M = 1). On more, CKernels' product split over the worker pool, each core taking
      // one block of outputs cut on 64-byte lines of c: OpenBLAS's own threaded sgemv swung between
      // 0.90x and 1.05x of numpy's at 2 threads here (BENCHMARKS.md, session 2 notes).
      let threads = k * n >= singleRowParallelThreshold ? Swift.min(Parallel.threadCount, threadCount) : 1
      if threads > 1 {
        radlm_gemv(a, b, transposeB ? k : n, k, n, transposeB ? 1 : 0, alpha, beta, c, threads)
      } else if transposeB {
        cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(n), Int32(k), alpha, b, Int32(k), a, 1, beta, c, 1)
      } else {
        cblas_sgemv(CblasRowMajor, CblasTrans, Int32(k), Int32(n), alpha, b, Int32(n), a, 1, beta, c, 1)
      }
      return
    }
    cblas_sgemm(
      CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha,
      a, Int32(transposeA ? m : k), b, Int32(transposeB ? k : n),
      beta, c, Int32(n))
  }
}
