import CKernels
import Foundation
import RadModelFiles
import RadTensor

/// A weight matrix [rows, columns] kept in llama.cpp's block-quantised form for inference:
/// Q8_0 (blocks of 32 int8 values with one scale, 8.5 bits per weight) or Q4_1 (blocks of 32
/// 4-bit values with a scale and a minimum, 5 bits per weight). Decoding one token is limited by
/// how many bytes of weights are read, so reading 4–8× fewer bytes than F32 makes it faster.
/// Block scales are unpacked to F32 once at load time; the quantised values stay packed and the
/// dot-product kernels (CKernels' QuantizedDot.c: AVX-512 VNNI or AVX2 chosen at run time, plain C
/// otherwise) work on them directly.
public final class QuantizedMatrix: @unchecked Sendable {
  // swift-format-ignore: AlwaysUseLowerCamelCase
  public enum Format: String, Sendable { case q8_0 = "Q8_0", q4_1 = "Q4_1" }

  public let format: Format
  public let rows: Int
  public let columns: Int
  let blocksPerRow: Int
  /// Per block: scale d (and minimum m for Q4_1).
  let scales: BlockStorage<Float>
  let minimums: BlockStorage<Float>
  /// Packed values: 32 int8 per Q8_0 block, 16 bytes of nibbles per Q4_1 block. All three live
  /// on 2 MB pages (`WeightArena`), which the streaming kernels need for full speed.
  let values: BlockStorage<UInt8>

  static let blockSize = 32
  /// Weights × activation rows above which a product is split across cores.
  static let parallelThreshold = 100_000

  /// Bytes the kernels read per matrix-vector product.
  public var byteCount: Int { values.count + 4 * (scales.count + minimums.count) }

  init(format: Format, rows: Int, columns: Int, scales: [Float], minimums: [Float], values: [UInt8]) {
    self.format = format
    self.rows = rows
    self.columns = columns
    self.blocksPerRow = columns / Self.blockSize
    self.values = BlockStorage(values)
    self.scales = BlockStorage(scales)
    self.minimums = BlockStorage(minimums)
  }

  /// Unpacks GGUF block bytes (`type` Q8_0 or Q4_1) of a [rows, columns] tensor.
  public convenience init(ggufBlocks raw: UnsafeRawBufferPointer, type: GGMLType, rows: Int, columns: Int) throws {
    let parts = try Self.unpack(ggufBlocks: raw, type: type, rows: rows, columns: columns)
    self.init(
      format: parts.format, rows: rows, columns: columns, scales: parts.scales, minimums: parts.minimums,
      values: parts.values)
  }

  static func unpack(ggufBlocks raw: UnsafeRawBufferPointer, type: GGMLType, rows: Int, columns: Int) throws -> (
    format: Format, scales: [Float], minimums: [Float], values: [UInt8]
  ) {
    guard columns % Self.blockSize == 0 else {
      throw ModelError.invalidInput("quantised rows need a multiple of 32 columns, got \(columns)")
    }
    let blocks = rows * columns / Self.blockSize
    switch type {
    case .q8_0:
      guard raw.count >= blocks * 34 else {
        throw ModelError.invalidInput("Q8_0 data too short: \(raw.count) bytes for \(blocks) blocks")
      }
      var scales = [Float](repeating: 0, count: blocks)
      var values = [UInt8](repeating: 0, count: blocks * 32)
      values.withUnsafeMutableBytes { destination in
        for b in 0..<blocks {
          scales[b] = Dequantize.halfToFloat(raw.loadUnaligned(fromByteOffset: b * 34, as: UInt16.self))
          (destination.baseAddress! + b * 32).copyMemory(from: raw.baseAddress! + b * 34 + 2, byteCount: 32)
        }
      }
      return (.q8_0, scales, [], values)
    case .q4_1:
      guard raw.count >= blocks * 20 else {
        throw ModelError.invalidInput("Q4_1 data too short: \(raw.count) bytes for \(blocks) blocks")
      }
      var scales = [Float](repeating: 0, count: blocks)
      var minimums = [Float](repeating: 0, count: blocks)
      var values = [UInt8](repeating: 0, count: blocks * 16)
      values.withUnsafeMutableBytes { destination in
        for b in 0..<blocks {
          scales[b] = Dequantize.halfToFloat(raw.loadUnaligned(fromByteOffset: b * 20, as: UInt16.self))
          minimums[b] = Dequantize.halfToFloat(raw.loadUnaligned(fromByteOffset: b * 20 + 2, as: UInt16.self))
          (destination.baseAddress! + b * 16).copyMemory(from: raw.baseAddress! + b * 20 + 4, byteCount: 16)
        }
      }
      return (.q4_1, scales, minimums, values)
    default:
      throw ModelError.invalidInput("no quantised kernel for GGUF type \(type)")
    }
  }

  /// Int8 rows with one scale per group of columns (Int8WeightFormat's I8 weights; a group is a
  /// multiple of 32 columns) as Q8_0 blocks: the values are kept as they are and each group's
  /// scale serves its 32-blocks, so the Q8_0 kernels compute exactly Σ scale · Σ q·x.
  public convenience init(int8Rows raw: UnsafeRawBufferPointer, groupScales: [Float], rows: Int, columns: Int) throws {
    let groups = groupScales.count / max(rows, 1)
    guard columns % Self.blockSize == 0, raw.count >= rows * columns, groups > 0, groupScales.count == rows * groups,
      columns % groups == 0, (columns / groups) % Self.blockSize == 0
    else {
      throw ModelError.invalidInput(
        "int8 rows: \(raw.count) bytes and \(groupScales.count) scales for \(rows)×\(columns) (groups must be multiples of 32 columns)"
      )
    }
    let blocksPerGroup = columns / groups / Self.blockSize
    let scales = (0..<(rows * columns / Self.blockSize)).map { groupScales[$0 / blocksPerGroup] }
    self.init(
      format: .q8_0, rows: rows, columns: columns, scales: scales, minimums: [],
      values: Array(raw.prefix(rows * columns)))
  }

  /// Quantises an F32 [rows, columns] matrix into GGUF Q8_0 / Q4_1 blocks bit for bit as gguf-py
  /// does (`GGUFWriterQuantization`, the one quantiser the project has), then unpacks them.
  public convenience init(quantizing weight: Tensor, format: Format) throws {
    let rows = weight.shape[0]
    let columns = weight.count / max(rows, 1)
    let type: GGMLType = format == .q8_0 ? .q8_0 : .q4_1
    guard let bytes = GGUFWriterQuantization.bytes(weight.data, rowLength: columns, as: type) else {
      throw ModelError.invalidInput("quantised rows need a multiple of 32 columns, got \(columns)")
    }
    let parts = try bytes.withUnsafeBytes { try Self.unpack(ggufBlocks: $0, type: type, rows: rows, columns: columns) }
    self.init(
      format: format, rows: rows, columns: columns, scales: parts.scales, minimums: parts.minimums, values: parts.values
    )
  }

  /// The F32 matrix these blocks stand for.
  public func dequantized() -> Tensor {
    // One decoder for both: the whole matrix is the range of all its rows.
    let out = [Float](unsafeUninitializedCapacity: rows * columns) { buffer, initialized in
      if let base = buffer.baseAddress { dequantizeRows(0..<rows, into: base) }
      initialized = rows * columns
    }
    return Tensor(shape: [rows, columns], data: out)
  }

  /// y[m, rows] = x[m, columns] · Wᵀ as llama.cpp computes it: each row of x is quantised once to
  /// int8 blocks (`QuantizedActivations`), then every weight block meets its activation block in
  /// an integer dot product; output rows are split across cores. `level` picks the kernel
  /// (tests run each one; the default is the fastest the CPU has).
  public func multiply(_ x: [Float], rowsOfX m: Int, level: QuantizedKernelLevel = .best) -> [Float] {
    precondition(x.count == m * columns, "quantised matmul: \(x.count) inputs for \(m)×\(columns)")
    var output = [Float](repeating: 0, count: m * rows)
    output.withUnsafeMutableBufferPointer { ob in
      Self.multiply([self], x, rowsOfX: m, into: [ob.baseAddress!], level: level)
    }
    return output
  }

  /// outputs[i][m, matrices[i].rows] = x[m, columns] · W_iᵀ for matrices that read the same x
  /// (a layer's q/k/v projections, or its gate and up projections): x is quantised once, and the
  /// rows of all the matrices are split across cores in one hand-off instead of one per matrix.
  public static func multiply(
    _ matrices: [QuantizedMatrix], _ x: [Float], rowsOfX m: Int, into outputs: [UnsafeMutablePointer<Float>],
    level: QuantizedKernelLevel = .best
  ) {
    guard let columns = matrices.first?.columns else { return }
    precondition(
      matrices.allSatisfy { $0.columns == columns } && outputs.count == matrices.count,
      "fused product: mismatched matrices")
    precondition(x.count == m * columns, "quantised matmul: \(x.count) inputs for \(m)×\(columns)")
    let activations = QuantizedActivations(
      x, rows: m, columns: columns, withSums: matrices.contains { $0.format == .q4_1 }, level: level)
    let blocks = columns / blockSize
    activations.q.withUnsafeBufferPointer { qb in
      activations.scales.withUnsafeBufferPointer { db in
        activations.sums.withUnsafeBufferPointer { sb in
          withExtendedLifetime(matrices) {
            var first = 0
            let jobs = zip(matrices, outputs).map { matrix, output in
              defer { first += matrix.rows }
              return (
                first,
                QuantizedMatVec(
                  format: matrix.format, level: level.rawValue, rows: matrix.rows, blocks: blocks, m: m,
                  xq: qb.baseAddress!,
                  xd: db.baseAddress!, xs: sb.baseAddress, scales: matrix.scales.baseAddress!,
                  minimums: matrix.minimums.baseAddress, values: matrix.values.baseAddress!, output: output)
              )
            }
            let total = first
            // Output rows split across cores (Parallel's persistent worker pool) once the
            // product is big enough to repay the hand-off; a chunk may span several matrices.
            // One contiguous half per core: small pieces claimed in turn (so a faster core takes
            // more) made the cores read neighbouring pieces at once, and q4 decoding fell from
            // 191-211 to 166-167 tok/s (the same pattern as reading two rows in step).
            Parallel.forEachChunk(total, minimumPerThread: total * columns * m >= parallelThreshold ? 2 : total) {
              range in
              for (start, job) in jobs {
                let lower = Swift.max(range.lowerBound, start), upper = Swift.min(range.upperBound, start + job.rows)
                if lower < upper { job.run((lower - start)..<(upper - start)) }
              }
            }
          }
        }
      }
    }
  }

  /// Applies the matrix to x [..., columns] (no autograd: inference only), adding `bias`.
  public func apply(_ x: Tensor, bias: Tensor?) -> Tensor {
    let m = x.count / columns
    var y = multiply(x.data, rowsOfX: m)
    if let bias {
      let b = bias.data
      for i in 0..<m { for r in 0..<rows { y[i * rows + r] += b[r] } }
    }
    return Tensor(shape: Array(x.shape.dropLast()) + [rows], data: y)
  }
}

/// Which implementation of the integer dot-product kernels runs (CKernels' QuantizedDot.c): plain
/// C, AVX2, or AVX-512 VNNI. A level the CPU lacks falls back to the best one it has.
public enum QuantizedKernelLevel: Int32, Sendable, CaseIterable {
  case generic = 0, avx2 = 1, vnni = 2

  /// The fastest level this CPU supports.
  public static let best = QuantizedKernelLevel(rawValue: radlm_quant_best_level()) ?? .generic
}

/// Activations quantised for the integer kernels, as llama.cpp's Q8_0/Q8_1 blocks: per 32 values
/// an F32 scale d = max|x|/127 and int8 q = round(x/d) (half away from zero, as gguf-py), plus
/// s = d·Σq when the weights are Q4_1 (their minimum m contributes m·Σx ≈ m·s). Kept in separate
/// arrays, not interleaved blocks, so that the kernels load 32 aligned bytes per block.
public struct QuantizedActivations: Sendable {
  public var q: [Int8]
  public var scales: [Float]
  public var sums: [Float]

  /// Quantises `rows` rows of `columns` (a multiple of 32) values each.
  public init(_ x: [Float], rows: Int, columns: Int, withSums: Bool, level: QuantizedKernelLevel = .best) {
    precondition(
      columns % 32 == 0 && x.count == rows * columns, "activations: \(x.count) values for \(rows)×\(columns)")
    let blocks = x.count / 32
    q = [Int8](repeating: 0, count: x.count)
    scales = [Float](repeating: 0, count: blocks)
    sums = [Float](repeating: 0, count: withSums ? blocks : 0)
    x.withUnsafeBufferPointer { xb in
      q.withUnsafeMutableBufferPointer { qb in
        scales.withUnsafeMutableBufferPointer { db in
          sums.withUnsafeMutableBufferPointer { sb in
            // An empty array's buffer may still have a base address: pass nil when no sums are wanted.
            radlm_quantize_q8_blocks(
              level.rawValue, xb.baseAddress!, blocks, qb.baseAddress!, db.baseAddress!, withSums ? sb.baseAddress : nil
            )
          }
        }
      }
    }
  }
}

/// One quantised matrix product over raw pointers, split by output rows across threads (each
/// thread writes its own rows).
struct QuantizedMatVec: @unchecked Sendable {
  let format: QuantizedMatrix.Format
  let level: Int32
  let rows: Int, blocks: Int, m: Int
  let xq: UnsafePointer<Int8>
  let xd: UnsafePointer<Float>
  let xs: UnsafePointer<Float>?
  let scales: UnsafePointer<Float>
  let minimums: UnsafePointer<Float>?
  let values: UnsafePointer<UInt8>
  let output: UnsafeMutablePointer<Float>

  /// Weight rows per tile when several activation rows share a product (continuous batching):
  /// every activation row meets one tile of weights while it is still in cache, instead of each
  /// row streaming the thread's whole share again. Each output is the same one-row kernel call
  /// either way, so tiling changes no result.
  static let tileRows = 64

  func run(_ range: Range<Int>) {
    guard m > 1 else { return run(range, activationRows: 0..<1) }
    for start in stride(from: range.lowerBound, to: range.upperBound, by: Self.tileRows) {
      run(start..<min(range.upperBound, start + Self.tileRows), activationRows: 0..<m)
    }
  }

  private func run(_ range: Range<Int>, activationRows: Range<Int>) {
    let count = range.count
    let first = range.lowerBound
    for i in activationRows {
      let q = xq + i * blocks * 32
      let d = xd + i * blocks
      let destination = output + i * rows + first
      switch format {
      case .q8_0:
        let w = UnsafeRawPointer(values + first * blocks * 32).assumingMemoryBound(to: Int8.self)
        radlm_q8_0_q8_rows(level, w, scales + first * blocks, q, d, count, blocks, destination)
      case .q4_1:
        radlm_q4_1_q8_rows(
          level, values + first * blocks * 16, scales + first * blocks, minimums! + first * blocks, q, d,
          xs! + i * blocks, count, blocks, destination)
      }
    }
  }
}
