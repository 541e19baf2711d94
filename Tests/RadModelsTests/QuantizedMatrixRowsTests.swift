import Foundation
import RadModelFiles
import RadModels
import RadTensor
import Testing

/// `QuantizedMatrix.dequantizeRows` decodes any range of rows to exactly the values of those rows
/// in the whole decoded matrix, writing nothing outside the range, in every format the matrix
/// holds. (`dequantized()` is the range of all rows; its values are checked against gguf-py's
/// dequantisation in QuantizationTests.)
@Suite("Quantised row decoding")
struct QuantizedMatrixRowsTests {
  /// A [37, 96] matrix with awkward rows: all zeros (scale 0), one large outlier, constant rows
  /// (Q4_1 scale 0, minimum only) and negative-only rows.
  static func weights() -> Tensor {
    var random = SeededRandom(seed: 11)
    var weights = Tensor.normal([37, 96], using: &random)
    for j in 0..<96 {
      weights.data[2 * 96 + j] = 0
      weights.data[7 * 96 + j] = 0.25
      weights.data[9 * 96 + j] = -abs(weights.data[9 * 96 + j]) - 1
    }
    weights.data[20 * 96 + 33] = 300
    return weights
  }

  /// Every way the project builds a matrix: quantised from F32 (Q8_0, Q4_1), from GGUF block
  /// bytes, and from int8 rows with per-group scales.
  static func matrices() throws -> [(String, QuantizedMatrix)] {
    let weights = weights()
    let q8 = try QuantizedMatrix(quantizing: weights, format: .q8_0)
    let q4 = try QuantizedMatrix(quantizing: weights, format: .q4_1)
    var matrices = [("Q8_0", q8), ("Q4_1", q4)]
    for (name, type) in [("GGUF Q8_0", GGMLType.q8_0), ("GGUF Q4_1", .q4_1)] {
      let bytes = try #require(GGUFWriterQuantization.bytes(weights.data, rowLength: 96, as: type))
      matrices.append(
        (name, try bytes.withUnsafeBytes { try QuantizedMatrix(ggufBlocks: $0, type: type, rows: 37, columns: 96) }))
    }
    var random = SeededRandom(seed: 12)
    let int8 = (0..<(37 * 96)).map { _ in UInt8(truncatingIfNeeded: Int(random.next() % 256)) }
    let groupScales = (0..<(37 * 3)).map { _ in random.nextUniform() * 0.1 }
    matrices.append(
      (
        "int8 rows",
        try int8.withUnsafeBytes { try QuantizedMatrix(int8Rows: $0, groupScales: groupScales, rows: 37, columns: 96) }
      ))
    return matrices
  }

  @Test func rowRangesDecodeBitExactlyLikeDequantized() throws {
    let ranges = [0..<37, 0..<1, 36..<37, 3..<20, 5..<6, 17..<37, 10..<10, 1..<36]
    for (name, matrix) in try Self.matrices() {
      let whole = matrix.dequantized().data
      for rows in ranges {
        // Poisoned destination with a guard value after the range: every value is written, and
        // nothing beyond it.
        var out = [Float](repeating: .nan, count: rows.count * 96 + 1)
        out.withUnsafeMutableBufferPointer { matrix.dequantizeRows(rows, into: $0.baseAddress!) }
        let expected = Array(whole[(rows.lowerBound * 96)..<(rows.upperBound * 96)])
        #expect(out.dropLast().map(\.bitPattern) == expected.map(\.bitPattern), "\(name) rows \(rows)")
        #expect(out.last!.isNaN, "\(name) rows \(rows): wrote past the range")
      }
    }
  }
}
