import Foundation
import RadModelFiles
import RadModels
import RadTensor

/// QLoRA's frozen base layer: the weight W [out, in] stays in its GGUF-style quantised blocks
/// (Q4_1 or Q8_0) and no F32 copy is kept. The forward product x·Wᵀ and the input gradient
/// dy·W decode W a chunk of rows at a time into a small scratch (`QuantizedMatrix.dequantizeRows`)
/// and multiply each chunk with BLAS, so the resident base costs about 6 (Q4_1) or 9 (Q8_0) bits
/// per weight (`QuantizedMatrix` keeps block scales as F32) and not even one whole F32 matrix is
/// ever materialised; W itself never receives a gradient.
public final class QuantizedFrozenBase: FrozenLinearBase, @unchecked Sendable {
  public let matrix: QuantizedMatrix
  /// Rows of W decoded per chunk.
  public let chunkRows: Int

  /// F32 values decoded per chunk by default (1 MB): big enough for efficient GEMMs, small
  /// enough to stay in cache between the decode and the product.
  public static let defaultChunkElements = 1 << 18

  /// `chunkRows` defaults to about `defaultChunkElements` values (at least 16 rows).
  public init(matrix: QuantizedMatrix, chunkRows: Int? = nil) {
    self.matrix = matrix
    let rows = chunkRows ?? Swift.max(16, Self.defaultChunkElements / Swift.max(matrix.columns, 1))
    self.chunkRows = Swift.max(1, Swift.min(matrix.rows, rows))
  }

  public func product(_ x: Tensor) -> Tensor {
    let m = x.count / matrix.columns
    // F32 products on the decoded rows, so training sees exactly the weights the blocks stand
    // for. (The quantised dot kernels serve decoding through `Linear`'s quantised slot instead;
    // tried here, they moved LoRA gradients by ~1e-3 relative, fine for inference only.)
    let values = forward(x.data, rowsOfX: m)
    return Tensor.differentiable(shape: Array(x.shape.dropLast()) + [matrix.rows], data: values, input: x) {
      [self] gradient in
      backward(gradient, rowsOfGradient: m)
    }
  }

  /// y[m, out] = x[m, in] · Wᵀ, one chunk of W's rows (= y's columns) at a time.
  func forward(_ x: [Float], rowsOfX m: Int) -> [Float] {
    let rows = matrix.rows, columns = matrix.columns
    var y = [Float](unsafeUninitializedCapacity: m * rows) { _, count in count = m * rows }
    x.withUnsafeBufferPointer { xb in
      y.withUnsafeMutableBufferPointer { yb in
        let y = yb.baseAddress!
        forEachDecodedChunk(m: m) { first, count, decoded, part in
          // A chunk that is the whole matrix lands in y directly; otherwise its columns are
          // copied into place, row by row.
          let target = count == rows ? y : part
          BLAS.gemm(
            transposeA: false, transposeB: true, m: m, n: count, k: columns, a: xb.baseAddress!, b: decoded, c: target)
          if count != rows {
            for i in 0..<m { (y + i * rows + first).update(from: part + i * count, count: count) }
          }
        }
      }
    }
    return y
  }

  /// dx[m, in] = dy[m, out] · W, summed over chunks of W's rows (= dy's columns).
  func backward(_ gradient: [Float], rowsOfGradient m: Int) -> [Float] {
    let rows = matrix.rows, columns = matrix.columns
    guard rows > 0 else { return [Float](repeating: 0, count: m * columns) }
    var dx = [Float](unsafeUninitializedCapacity: m * columns) { _, count in count = m * columns }
    gradient.withUnsafeBufferPointer { gb in
      dx.withUnsafeMutableBufferPointer { db in
        let dy = gb.baseAddress!
        forEachDecodedChunk(m: m) { first, count, decoded, part in
          // dy's columns of this chunk, gathered unless the chunk is the whole matrix.
          if count != rows {
            for i in 0..<m { (part + i * count).update(from: dy + i * rows + first, count: count) }
          }
          BLAS.gemm(
            transposeA: false, transposeB: false, m: m, n: columns, k: count,
            a: count == rows ? dy : UnsafePointer(part), b: decoded,
            beta: first == 0 ? 0 : 1, c: db.baseAddress!)
        }
      }
    }
    return dx
  }

  /// Calls `body(first, count, decoded, part)` for each chunk of W's rows in order: the rows
  /// first..<first + count decoded into `decoded` ([count, in]), and `part`, scratch for an
  /// [m, count] slice of activations. Both are heap blocks the allocator hands back on the next call.
  func forEachDecodedChunk(
    m: Int,
    _ body: (_ first: Int, _ count: Int, _ decoded: UnsafeMutablePointer<Float>, _ part: UnsafeMutablePointer<Float>) ->
      Void
  ) {
    let rows = matrix.rows, chunk = chunkRows
    withUnsafeTemporaryAllocation(of: Float.self, capacity: chunk * matrix.columns) { decoded in
      withUnsafeTemporaryAllocation(of: Float.self, capacity: m * chunk) { part in
        for first in stride(from: 0, to: rows, by: chunk) {
          let count = Swift.min(chunk, rows - first)
          decode(first..<(first + count), into: decoded.baseAddress!)
          body(first, count, decoded.baseAddress!, part.baseAddress!)
        }
      }
    }
  }

  /// Decodes `rows` into `destination`, split across cores when there is enough of it.
  func decode(_ rows: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
    let matrix = matrix
    let columns = matrix.columns
    Parallel.forEachChunk(rows.count, minimumPerThread: Swift.max(1, 65_536 / Swift.max(columns, 1))) { part in
      matrix.dequantizeRows(
        (rows.lowerBound + part.lowerBound)..<(rows.lowerBound + part.upperBound),
        into: destination + part.lowerBound * columns)
    }
  }
}

/// Puts a model's linear layers on quantised frozen bases for QLoRA-style training: each layer
/// whose rows hold whole 32-weight blocks is quantised (GGUF blocks are used as stored when the
/// file has them in the requested format, see `ModelQuantizer`), computes through a
/// `QuantizedFrozenBase`, and has its F32 weight released. Attach LoRA adapters afterwards as usual.
public enum QuantizedLoRABase {
  /// What `freeze` did: matrices moved to blocks, the bytes those blocks occupy, the F32 bytes
  /// released, and the F32 parameter bytes that remain (embeddings, norms, layers left in F32).
  public struct Summary: Sendable, Equatable {
    public var matrices: Int
    public var quantizedBytes: Int
    public var releasedBytes: Int
    public var remainingFloatBytes: Int
  }

  @discardableResult
  public static func freeze(_ model: any TransformerModel, dtype: WeightDType, gguf: GGUFFile? = nil) throws -> Summary
  {
    guard dtype != .f32 else {
      return Summary(
        matrices: 0, quantizedBytes: 0, releasedBytes: 0, remainingFloatBytes: model.parameters.scalarCount * 4)
    }
    try ModelQuantizer.quantize(model, to: dtype, gguf: gguf)
    var layers: [String: LinearAdapterSlot] = [:]
    for case (let name, let slot as LinearAdapterSlot) in model.parameters.attachments { layers[name] = slot }
    var summary = Summary(matrices: 0, quantizedBytes: 0, releasedBytes: 0, remainingFloatBytes: 0)
    for case (let name, let slot as QuantizedWeightSlot) in model.parameters.attachments {
      guard let matrix = slot.matrix, let layer = layers[name] else { continue }
      layer.frozenBase = QuantizedFrozenBase(matrix: matrix)
      summary.matrices += 1
      summary.quantizedBytes += matrix.byteCount
      summary.releasedBytes += layer.weight.value.count * 4
      layer.weight.setTrainable(false)
      layer.weight.value = Tensor(shape: [0], data: [])
    }
    summary.remainingFloatBytes = model.parameters.scalarCount * 4
    // The allocator would otherwise keep the released pages for reuse (MemoryPolicy), and the
    // point of QLoRA is a smaller resident base.
    MemoryPolicy.returnFreeMemoryToTheSystem()
    return summary
  }

  /// The process's resident set size in bytes (Linux `/proc/self/status` VmRSS), if readable.
  public static func residentBytes() -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
      let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
      let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
    else { return nil }
    return kilobytes * 1024
  }
}
