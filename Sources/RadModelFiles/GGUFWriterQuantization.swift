import RadTensor

/// Converts F32 weights into the stored bytes of a GGUF tensor type, bit for bit as gguf-py's
/// `quants.quantize` (and llama.cpp's reference quantisers) do: F16 rounds to nearest even;
/// Q8_0 blocks of 32 store d = max|x|/127 as F16 and round(x·(1/d)) half away from zero as
/// int8; Q4_1 blocks store d = (max − min)/15 and min as F16 and trunc((x − min)·(1/d) + 0.5)
/// clipped to 0…15 as nibbles (value j in the low half of byte j, value j+16 in the high half).
/// All arithmetic is float32, as numpy does it there.
public enum GGUFWriterQuantization {
  /// Types the writer can produce.
  public static let writableTypes: [GGMLType] = [.f32, .f16, .q8_0, .q4_1]

  /// The stored bytes of `values` as `type`; nil for types the writer cannot produce or rows
  /// (`rowLength`) that are not a whole number of blocks.
  public static func bytes(_ values: [Float], rowLength: Int, as type: GGMLType) -> [UInt8]? {
    let block = type.blockGeometry.weights
    guard writableTypes.contains(type), rowLength > 0, rowLength % block == 0, values.count % block == 0 else {
      return nil
    }
    switch type {
    case .f32:
      return values.withUnsafeBytes { [UInt8]($0) }
    case .f16:
      var out = [UInt8](repeating: 0, count: values.count * 2)
      for (i, v) in values.enumerated() { store(Float16(v).bitPattern, at: 2 * i, in: &out) }
      return out
    case .q8_0:
      return blocks(values, bytesPerBlock: 34) { x, out, at in
        var amax: Float = 0
        for v in x { amax = max(amax, abs(v)) }
        let d = amax / 127
        let inverse: Float = d == 0 ? 0 : 1 / d
        store(Float16(d).bitPattern, at: at, in: &out)
        for j in 0..<32 {
          let q = roundHalfAwayFromZero(x[j] * inverse)
          out[at + 2 + j] = UInt8(bitPattern: Int8(q.isNaN ? 0 : min(127, max(-128, q))))
        }
      }
    case .q4_1:
      return blocks(values, bytesPerBlock: 20) { x, out, at in
        var lo = x[0], hi = x[0]
        for v in x {
          lo = min(lo, v)
          hi = max(hi, v)
        }
        let d = (hi - lo) / 15
        let inverse: Float = d == 0 ? 0 : 1 / d
        store(Float16(d).bitPattern, at: at, in: &out)
        store(Float16(lo).bitPattern, at: at + 2, in: &out)
        func level(_ j: Int) -> UInt8 {
          let q = ((x[j] - lo) * inverse + 0.5).rounded(.towardZero)
          return q.isNaN ? 0 : UInt8(min(15, max(0, q)))
        }
        for j in 0..<16 { out[at + 4 + j] = level(j) | level(j + 16) << 4 }
      }
    default:
      return nil
    }
  }

  /// numpy's `np_roundf` in gguf-py: |x| rounded half up, with x's sign.
  static func roundHalfAwayFromZero(_ x: Float) -> Float {
    let a = abs(x)
    let floored = a.rounded(.down)
    let rounded = floored + (2 * (a - floored)).rounded(.down)
    return x < 0 ? -rounded : rounded
  }

  static func store(_ bits: UInt16, at offset: Int, in bytes: inout [UInt8]) {
    bytes[offset] = UInt8(bits & 0xFF)
    bytes[offset + 1] = UInt8(bits >> 8)
  }

  /// Runs `quantize` on each block of 32 values, writing `bytesPerBlock` bytes per block.
  static func blocks(
    _ values: [Float], bytesPerBlock: Int, _ quantize: (UnsafeBufferPointer<Float>, inout [UInt8], Int) -> Void
  ) -> [UInt8] {
    let count = values.count / 32
    var out = [UInt8](repeating: 0, count: count * bytesPerBlock)
    values.withUnsafeBufferPointer { all in
      for b in 0..<count {
        quantize(UnsafeBufferPointer(rebasing: all[(b * 32)..<(b * 32 + 32)]), &out, b * bytesPerBlock)
      }
    }
    return out
  }
}
