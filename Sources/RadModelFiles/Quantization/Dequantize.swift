import RadTensor

/// Converts stored weights (half floats and ggml's block-quantised formats) to F32. Each kernel
/// walks whole blocks with SIMD loads and does the arithmetic in the same order as gguf-py's
/// numpy reference, so results match it bit for bit; big tensors are split across cores.
public enum Dequantize {
  /// Elements above which a conversion is split across cores.
  static let parallelThreshold = 1 << 16

  /// Every half-precision bit pattern as F32: one lookup beats converting in software on CPUs
  /// where the compiler may not assume F16C.
  static let halfTable: [Float] = (0...0xFFFF).map { Float(Float16(bitPattern: UInt16($0))) }

  /// IEEE half-precision bits to F32.
  @inline(__always)
  public static func halfToFloat(_ bits: UInt16) -> Float {
    halfTable.withUnsafeBufferPointer { $0[Int(bits)] }
  }

  /// bfloat16 bits to F32 (bfloat16 is the upper half of an F32).
  @inline(__always)
  public static func bfloat16ToFloat(_ bits: UInt16) -> Float {
    Float(bitPattern: UInt32(bits) << 16)
  }

  /// Dequantises `count` values of type `type` stored in `raw` (which must hold exactly the
  /// bytes of those values) into a new array.
  public static func toFloat(_ raw: UnsafeRawBufferPointer, type: GGMLType, count: Int) -> [Float]? {
    let (blockWeights, blockBytes) = type.blockGeometry
    guard count % blockWeights == 0, raw.count == count / blockWeights * blockBytes else { return nil }
    let kernel: (UnsafeRawPointer, Int, UnsafeMutablePointer<Float>) -> Void
    switch type {
    case .f32: kernel = f32Blocks
    case .f16: kernel = f16Blocks
    case .bf16: kernel = bf16Blocks
    case .q8_0: kernel = q8_0Blocks
    case .q4_0: kernel = q4_0Blocks
    case .q4_1: kernel = q4_1Blocks
    case .q4_K: kernel = q4_KBlocks
    case .q6_K: kernel = q6_KBlocks
    default: return nil
    }
    if count == 0 { return [] }
    let blocks = count / blockWeights
    return [Float](unsafeUninitializedCapacity: count) { out, initialized in
      guard let src = raw.baseAddress, let dst = out.baseAddress else { return }
      // Whole blocks per chunk; `Parallel` keeps small tensors on the calling thread.
      Parallel.forEachChunk(blocks, minimumPerThread: max(1, parallelThreshold / blockWeights)) {
        range in
        kernel(src + range.lowerBound * blockBytes, range.count, dst + range.lowerBound * blockWeights)
      }
      initialized = count
    }
  }

  // MARK: Kernels. Each takes a pointer to `blocks` packed blocks and writes their weights.
  // They are plain loops over raw pointers: LLVM vectorises them in release builds (faster than
  // hand-written generic SIMD types here), and they stay tolerable in debug builds, where
  // unspecialised SIMD code is two orders of magnitude slower.

  static func f32Blocks(_ src: UnsafeRawPointer, _ n: Int, _ dst: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: n * 4)
  }

  static func f16Blocks(_ src: UnsafeRawPointer, _ n: Int, _ dst: UnsafeMutablePointer<Float>) {
    halfTable.withUnsafeBufferPointer { table in
      for i in 0..<n {
        dst[i] = table[Int(src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))]
      }
    }
  }

  static func bf16Blocks(_ src: UnsafeRawPointer, _ n: Int, _ dst: UnsafeMutablePointer<Float>) {
    let raw = UnsafeMutableRawPointer(dst)
    for i in 0..<n {
      raw.storeBytes(
        of: UInt32(src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) << 16,
        toByteOffset: 4 * i, as: UInt32.self)
    }
  }

  /// Q8_0: f16 scale d, then 32 signed bytes; w = q * d.
  // swift-format-ignore: AlwaysUseLowerCamelCase
  static func q8_0Blocks(_ src: UnsafeRawPointer, _ n: Int, _ dst: UnsafeMutablePointer<Float>) {
    for b in 0..<n {
      let block = src + b * 34
      let d = halfToFloat(block.loadUnaligned(as: UInt16.self))
      let q = (block + 2).assumingMemoryBound(to: Int8.self)
      let out = dst + b * 32
      for j in 0..<32 { out[j] = Float(q[j]) * d }
    }
  }

  /// Q4_0: f16 scale d, 16 bytes of nibbles (weight j < 16 low nibble of byte j, j + 16 the high
  /// nibble); w = d * (q - 8).
  // swift-format-ignore: AlwaysUseLowerCamelCase
  static func q4_0Blocks(_ src: UnsafeRawPointer, _ n: Int, _ dst: UnsafeMutablePointer<Float>) {
    for b in 0..<n {
      let block = src + b * 18
      let d = halfToFloat(block.loadUnaligned(as: UInt16.self))
      let q = (block + 2).assumingMemoryBound(to: UInt8.self)
      let out = dst + b * 32
      for j in 0..<16 {
        out[j] = d * Float(Int8(q[j] & 0x0F) - 8)
        out[j + 16] = d * Float(Int8(q[j] >> 4) - 8)
      }
    }
  }

  /// Q4_1: f16 scale d, f16 minimum m, 16 bytes of nibbles as in Q4_0; w = d * q + m.
  // swift-format-ignore: AlwaysUseLowerCamelCase
  static func q4_1Blocks(_ src: UnsafeRawPointer, _ n: Int, _ dst: UnsafeMutablePointer<Float>) {
    for b in 0..<n {
      let block = src + b * 20
      let d = halfToFloat(block.loadUnaligned(as: UInt16.self))
      let m = halfToFloat(block.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
      let q = (block + 4).assumingMemoryBound(to: UInt8.self)
      let out = dst + b * 32
      for j in 0..<16 {
        out[j] = d * Float(q[j] & 0x0F) + m
        out[j + 16] = d * Float(q[j] >> 4) + m
      }
    }
  }

  /// Q4_K super-block of 256: f16 d, f16 dmin, 12 bytes packing eight 6-bit scales and mins, then
  /// 128 bytes of nibbles. Sub-block j (32 weights) reads byte run j / 2, low nibbles for even j
  /// and high for odd; w = (d * scale_j) * q - (dmin * min_j).
  // swift-format-ignore: AlwaysUseLowerCamelCase
  static func q4_KBlocks(_ src: UnsafeRawPointer, _ n: Int, _ dst: UnsafeMutablePointer<Float>) {
    for b in 0..<n {
      let block = src + b * 144
      let d = halfToFloat(block.loadUnaligned(as: UInt16.self))
      let dmin = halfToFloat(block.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
      let s = (block + 4).assumingMemoryBound(to: UInt8.self)
      let qs = (block + 16).assumingMemoryBound(to: UInt8.self)
      let out = dst + b * 256
      for j in 0..<8 {
        let scale: UInt8
        let minimum: UInt8
        if j < 4 {
          scale = s[j] & 0x3F
          minimum = s[j + 4] & 0x3F
        } else {
          scale = (s[j + 4] & 0x0F) | ((s[j - 4] >> 2) & 0x30)
          minimum = (s[j + 4] >> 4) | ((s[j] >> 2) & 0x30)
        }
        let ds = d * Float(scale)
        let dm = dmin * Float(minimum)
        let run = qs + (j / 2) * 32
        let shift: UInt8 = j % 2 == 0 ? 0 : 4
        let o = out + j * 32
        for l in 0..<32 { o[l] = ds * Float((run[l] >> shift) & 0x0F) - dm }
      }
    }
  }

  /// Q6_K super-block of 256: 128 bytes of low nibbles, 64 bytes of 2-bit high parts, sixteen
  /// int8 scales, f16 d. Weight i lives in half h = i / 128; within it group g = (i % 128) / 32
  /// takes the low (g < 2) or high nibble of ql[h*64 + (g % 2)*32 + l] and bits 2g of
  /// qh[h*32 + l]; w = (d * scale_{i/16}) * (q - 32).
  // swift-format-ignore: AlwaysUseLowerCamelCase
  static func q6_KBlocks(_ src: UnsafeRawPointer, _ n: Int, _ dst: UnsafeMutablePointer<Float>) {
    for b in 0..<n {
      let block = src + b * 210
      let ql = block.assumingMemoryBound(to: UInt8.self)
      let qh = (block + 128).assumingMemoryBound(to: UInt8.self)
      let scales = (block + 192).assumingMemoryBound(to: Int8.self)
      let d = halfToFloat(block.loadUnaligned(fromByteOffset: 208, as: UInt16.self))
      let out = dst + b * 256
      for h in 0..<2 {
        for g in 0..<4 {
          let lowShift: UInt8 = g < 2 ? 0 : 4
          let highShift = UInt8(2 * g)
          let low = ql + h * 64 + (g % 2) * 32
          let high = qh + h * 32
          let base = h * 128 + g * 32
          // Scale index is (base + l) / 16: the first 16 weights use one scale, the next 16 the next.
          let s0 = d * Float(scales[base / 16])
          let s1 = d * Float(scales[base / 16 + 1])
          let o = out + base
          for l in 0..<32 {
            let q = ((low[l] >> lowShift) & 0x0F) | (((high[l] >> highShift) & 0x03) << 4)
            o[l] = (l < 16 ? s0 : s1) * Float(Int8(q) - 32)
          }
        }
      }
    }
  }
}
