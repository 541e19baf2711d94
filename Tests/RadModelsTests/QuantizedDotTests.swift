import Foundation
import RadModels
import RadTensor
import Testing

/// The integer dot-product kernels (CKernels' QuantizedDot.c) on every implementation this CPU
/// can run: the activation quantiser against gguf-py's Q8_0 (bit-exact with llama.cpp), and the
/// row kernels against the same product in Double on the dequantised operands.
@Suite("Integer dot-product kernels")
struct QuantizedDotTests {
  /// Levels to test: plain C always, the SIMD ones where the CPU has them.
  static let levels = QuantizedKernelLevel.allCases.filter { $0.rawValue <= QuantizedKernelLevel.best.rawValue }

  @Test(arguments: levels)
  func activationQuantiserMatchesGGUFPyQ8_0(_ level: QuantizedKernelLevel) throws {
    let fixture = try QuantizationTests.fixture()["activations"] as! [String: Any]
    let shape = fixture["shape"] as! [Int]
    let x = (fixture["x"] as! [NSNumber]).map { $0.floatValue }
    let a = QuantizedActivations(x, rows: shape[0], columns: shape[1], withSums: true, level: level)
    #expect(a.q.map(Int.init) == fixture["q"] as! [Int])
    // gguf-py stores the scale as F16; we keep the F32 value it was rounded from.
    #expect(a.scales == (fixture["scale_f32"] as! [NSNumber]).map { $0.floatValue })
    for (ours, stored) in zip(a.scales, (fixture["scale_f16"] as! [NSNumber]).map { $0.floatValue }) {
      #expect(abs(ours - stored) <= ours * 0x1p-11)
    }
    // Q8_1's block sum s = d·Σq.
    for b in a.scales.indices {
      let total = a.q[(b * 32)..<(b * 32 + 32)].reduce(0) { $0 + Int($1) }
      #expect(a.sums[b] == a.scales[b] * Float(total))
    }
  }

  /// Random weights of `rows` × `blocks`·32 in `format`, activations, and the product computed
  /// in Double from the dequantised weights and dequantised activations.
  static func randomCase(_ format: QuantizedMatrix.Format, rows: Int, blocks: Int, seed: UInt64)
    throws -> (QuantizedMatrix, [Float], [Double])
  {
    var random = SeededRandom(seed: seed)
    let columns = blocks * 32
    // Uneven block ranges, so every scale matters.
    var w = Tensor.normal([rows, columns], using: &random)
    for i in w.data.indices { w.data[i] *= Float(1 + (i / 32) % 5) * 0.1 }
    let matrix = try QuantizedMatrix(quantizing: w, format: format)
    let x = Tensor.normal([1, columns], using: &random).data.enumerated().map { $1 * Float(1 + $0 % 7) }
    let a = QuantizedActivations(x, rows: 1, columns: columns, withSums: false, level: .generic)
    let wd = matrix.dequantized().data
    let expected = (0..<rows).map { r in
      (0..<columns).reduce(0.0) { $0 + Double(wd[r * columns + $1]) * Double(a.q[$1]) * Double(a.scales[$1 / 32]) }
    }
    return (matrix, x, expected)
  }

  @Test(arguments: levels, [QuantizedMatrix.Format.q8_0, .q4_1])
  func rowKernelsMatchTheDequantisedProduct(_ level: QuantizedKernelLevel, _ format: QuantizedMatrix.Format) throws {
    // Odd row counts exercise the two-row loop's tail; 1, 3 and 18 blocks per row.
    for (index, (rows, blocks)) in [(1, 1), (3, 3), (7, 18), (33, 5), (64, 2)].enumerated() {
      let (matrix, x, expected) = try Self.randomCase(format, rows: rows, blocks: blocks, seed: UInt64(10 + index))
      let y = matrix.multiply(x, rowsOfX: 1, level: level)
      for r in 0..<rows {
        // Q4_1's minimum term uses s = d·Σq in F32 rather than Σ d·q in Double: allow F32 rounding.
        let scale = expected.map { Swift.abs($0) }.max() ?? 1
        #expect(Swift.abs(Double(y[r]) - expected[r]) <= 2e-5 * max(scale, 1), "\(format) \(rows)×\(blocks) row \(r)")
      }
    }
  }

  @Test(arguments: [QuantizedMatrix.Format.q8_0, .q4_1])
  func everyLevelGivesTheSameProduct(_ format: QuantizedMatrix.Format) throws {
    let (matrix, x, _) = try Self.randomCase(format, rows: 300, blocks: 18, seed: 99)
    let reference = matrix.multiply(x, rowsOfX: 1, level: .generic)
    for level in Self.levels {
      let y = matrix.multiply(x, rowsOfX: 1, level: level)
      let difference = zip(y, reference).map { Swift.abs($0 - $1) }.max() ?? 0
      #expect(difference <= 1e-4, "\(level)")
    }
  }

  /// Several matrices on one input in one hand-off (a layer's q/k/v, or Q4_1 blocks beside a
  /// Q8_0 matrix) give each matrix's own product exactly, at every level and thread split.
  @Test(arguments: levels)
  func fusedProductEqualsEachMatrixAlone(_ level: QuantizedKernelLevel) throws {
    let (a, x, _) = try Self.randomCase(.q8_0, rows: 300, blocks: 18, seed: 5)
    let (b, _, _) = try Self.randomCase(.q4_1, rows: 7, blocks: 18, seed: 6)
    let (c, _, _) = try Self.randomCase(.q8_0, rows: 129, blocks: 18, seed: 7)
    let matrices = [a, b, c]
    let total = matrices.reduce(0) { $0 + $1.rows }
    var all = [Float](repeating: .nan, count: total)
    all.withUnsafeMutableBufferPointer { out in
      let base = out.baseAddress!
      QuantizedMatrix.multiply(
        matrices, x, rowsOfX: 1, into: [base, base + a.rows, base + a.rows + b.rows], level: level)
    }
    let outputs = [Array(all[0..<a.rows]), Array(all[a.rows..<(a.rows + b.rows)]), Array(all[(a.rows + b.rows)...])]
    for (matrix, output) in zip(matrices, outputs) {
      #expect(output == matrix.multiply(x, rowsOfX: 1, level: level), "\(matrix.format) \(matrix.rows) rows")
    }
  }
}
