import RadTensor

extension QuantizedMatrix {
  /// Writes the F32 values of `rows` (each `columns` long, row-major) to `destination`, exactly
  /// the values `dequantized()` gives for those rows (the same multiply and add per weight, never
  /// fused). Training on a quantised base (QLoRA) decodes a few hundred rows at a time into a
  /// small scratch this way instead of materialising the whole F32 matrix per product.
  public func dequantizeRows(_ rows: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
    precondition(rows.lowerBound >= 0 && rows.upperBound <= self.rows, "rows \(rows) of a \(self.rows)-row matrix")
    let blocks = rows.count * blocksPerRow
    let firstBlock = rows.lowerBound * blocksPerRow
    scales.withUnsafeBufferPointer { scaleBuffer in
      values.withUnsafeBufferPointer { valueBuffer in
        let d = scaleBuffer.baseAddress! + firstBlock
        switch format {
        case .q8_0:
          let q = UnsafeRawPointer(valueBuffer.baseAddress! + firstBlock * 32).assumingMemoryBound(to: Int8.self)
          for b in 0..<blocks { Self.decodeQ8_0(q + b * 32, scale: d[b], into: destination + b * 32) }
        case .q4_1:
          minimums.withUnsafeBufferPointer { minimumBuffer in
            let m = minimumBuffer.baseAddress! + firstBlock
            let q = valueBuffer.baseAddress! + firstBlock * 16
            for b in 0..<blocks { Self.decodeQ4_1(q + b * 16, scale: d[b], minimum: m[b], into: destination + b * 32) }
          }
        }
      }
    }
  }

  /// One Q8_0 block: w = d · q for 32 int8 values (a loop the compiler vectorises).
  // swift-format-ignore: AlwaysUseLowerCamelCase
  @inline(__always)
  static func decodeQ8_0(_ q: UnsafePointer<Int8>, scale d: Float, into out: UnsafeMutablePointer<Float>) {
    for j in 0..<32 { out[j] = d * Float(q[j]) }
  }

  /// One Q4_1 block: w = d · q + m, weights 0–15 in the low nibbles of its 16 bytes and weights
  /// 16–31 in the high nibbles (llama.cpp's layout).
  // swift-format-ignore: AlwaysUseLowerCamelCase
  @inline(__always)
  static func decodeQ4_1(
    _ q: UnsafePointer<UInt8>, scale d: Float, minimum m: Float, into out: UnsafeMutablePointer<Float>
  ) {
    for j in 0..<16 {
      let byte = q[j]
      out[j] = d * Float(byte & 0x0F) + m
      out[j + 16] = d * Float(byte >> 4) + m
    }
  }
}
