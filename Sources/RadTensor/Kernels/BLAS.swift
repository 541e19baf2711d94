import CBLAS

/// Matrix products go to OpenBLAS's `cblas_sgemm`. Transposed operands are passed to BLAS as a
/// transpose flag over the stored matrix instead of being copied, and a single-row product uses
/// `cblas_sgemv`, which Debian's OpenBLAS runs several times faster than `sgemm` with M = 1.
public enum BLAS {
  /// Sets the number of threads OpenBLAS uses.
  public static func setThreadCount(_ count: Int) { openblas_set_num_threads(Int32(count)) }
  /// The number of threads OpenBLAS uses.
  public static var threadCount: Int { Int(openblas_get_num_threads()) }
  /// The CPU kernel family OpenBLAS selected (for benchmark reports).
  public static var coreName: String {
    guard let name = openblas_get_corename() else { return "unknown" }
    return String(cString: name)
  }

  /// C[m×n] = alpha · op(A) · op(B) + beta · C, all row-major. A is stored [m, k] (or [k, m] when
  /// `transposeA`), B is stored [k, n] (or [n, k] when `transposeB`).
  @inlinable
  public static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
    beta: Float = 0, c: UnsafeMutablePointer<Float>
  ) {
    if m == 0 || n == 0 { return }
    if k == 0 {
      if beta == 0 { c.update(repeating: 0, count: m * n) } else if beta != 1 {
        for i in 0..<(m * n) { c[i] *= beta }
      }
      return
    }
    if m == 1 && !transposeA {
      // y[n] = op(B)ᵀ-style product with the single row of A.
      if transposeB {
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
