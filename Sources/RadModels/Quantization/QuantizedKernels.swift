/// SIMD dot products between one quantised weight row and an F32 activation vector. Each
/// 32-weight block is widened to two 16-lane float vectors and multiplied with the matching
/// activations; the block's scale multiplies the block's partial sum.
/// The package builds for the baseline x86-64 target (SSE2), where the standard library's generic
/// SIMD integer→float conversions are not inlined; widening lane by lane lets LLVM emit the
/// unpack/convert sequence directly (1.5× faster in a micro-benchmark).
enum QuantizedKernels {
  @inline(__always)
  static func widen(_ b: SIMD16<UInt8>) -> SIMD16<Float> {
    SIMD16<Float>(
      Float(b[0]), Float(b[1]), Float(b[2]), Float(b[3]), Float(b[4]), Float(b[5]), Float(b[6]), Float(b[7]),
      Float(b[8]), Float(b[9]), Float(b[10]), Float(b[11]), Float(b[12]), Float(b[13]), Float(b[14]), Float(b[15]))
  }

  @inline(__always)
  static func widen(_ b: SIMD16<Int8>) -> SIMD16<Float> {
    SIMD16<Float>(
      Float(b[0]), Float(b[1]), Float(b[2]), Float(b[3]), Float(b[4]), Float(b[5]), Float(b[6]), Float(b[7]),
      Float(b[8]), Float(b[9]), Float(b[10]), Float(b[11]), Float(b[12]), Float(b[13]), Float(b[14]), Float(b[15]))
  }

  @inline(__always)
  static func load16(_ x: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(x).loadUnaligned(as: SIMD16<Float>.self)
  }

  /// Σ_b d_b · Σ_j q_bj · x_bj for int8 q.
  @inline(__always)
  static func dotQ8_0(values: UnsafePointer<UInt8>, scales: UnsafePointer<Float>, x: UnsafePointer<Float>, blocks: Int) -> Float {
    var accumulator = SIMD16<Float>(repeating: 0)
    let raw = UnsafeRawPointer(values)
    for b in 0..<blocks {
      let q0 = raw.loadUnaligned(fromByteOffset: b * 32, as: SIMD16<Int8>.self)
      let q1 = raw.loadUnaligned(fromByteOffset: b * 32 + 16, as: SIMD16<Int8>.self)
      let w0 = widen(q0)
      let w1 = widen(q1)
      let partial = w0 * load16(x + b * 32) + w1 * load16(x + b * 32 + 16)
      accumulator += scales[b] * partial
    }
    return accumulator.sum()
  }

  /// Σ_b (d_b · Σ_j q_bj · x_bj + m_b · Σ_j x_bj) for 4-bit q packed low nibble first.
  @inline(__always)
  static func dotQ4_1(
    values: UnsafePointer<UInt8>, scales: UnsafePointer<Float>, minimums: UnsafePointer<Float>,
    x: UnsafePointer<Float>, blockSums: UnsafePointer<Float>, blocks: Int
  ) -> Float {
    var accumulator = SIMD16<Float>(repeating: 0)
    var offsetSum: Float = 0
    let raw = UnsafeRawPointer(values)
    let mask = SIMD16<UInt8>(repeating: 0x0F)
    for b in 0..<blocks {
      let bytes = raw.loadUnaligned(fromByteOffset: b * 16, as: SIMD16<UInt8>.self)
      let low = widen(bytes & mask)
      let high = widen(bytes &>> 4)
      let partial = low * load16(x + b * 32) + high * load16(x + b * 32 + 16)
      accumulator += scales[b] * partial
      offsetSum += minimums[b] * blockSums[b]
    }
    return accumulator.sum() + offsetSum
  }
}
