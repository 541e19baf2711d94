import CKernels
import Foundation

/// Layer normalisation rescales each token vector to zero mean and unit variance, then applies a
/// learned gain and bias (BERT, GPT-2). RMS normalisation divides by the root mean square only,
/// with a gain and no centring (Llama). Both work over the last dimension.
extension Tensor {
  /// LayerNorm over the last dimension: (x − mean) / sqrt(var + eps) · weight + bias.
  public func layerNorm(weight: Tensor?, bias: Tensor?, eps: Float = 1e-5) -> Tensor {
    let columns = shape.last ?? 1
    if let weight { precondition(weight.count == columns, "layerNorm weight size \(weight.count) != \(columns)") }
    if let bias { precondition(bias.count == columns, "layerNorm bias size \(bias.count) != \(columns)") }
    let gamma = weight?.data
    let (values, statistics) = Self.normalizeRows(
      data, columns: columns, gamma: gamma, beta: bias?.data, eps: eps, centred: true)
    let input = data
    let inputs = [self] + (weight.map { [$0] } ?? []) + (bias.map { [$0] } ?? [])
    let hasWeight = weight != nil
    return Tensor.result(shape: shape, data: values, inputs: inputs) { gradient, needed in
      LayerNormBackward.compute(
        gradient: gradient, input: input, statistics: statistics, gamma: gamma, columns: columns,
        needInput: needed[0], needWeight: hasWeight && needed[1],
        needBias: needed.count > (hasWeight ? 2 : 1) && needed[hasWeight ? 2 : 1], centred: true,
        slots: needed.count, hasWeight: hasWeight)
    }
  }

  /// RMSNorm over the last dimension: x / sqrt(mean(x²) + eps) · weight.
  public func rmsNorm(weight: Tensor?, eps: Float = 1e-6) -> Tensor {
    let columns = shape.last ?? 1
    if let weight { precondition(weight.count == columns, "rmsNorm weight size \(weight.count) != \(columns)") }
    let gamma = weight?.data
    let (values, statistics) = Self.normalizeRows(
      data, columns: columns, gamma: gamma, beta: nil, eps: eps, centred: false)
    let input = data
    let inputs = [self] + (weight.map { [$0] } ?? [])
    let hasWeight = weight != nil
    return Tensor.result(shape: shape, data: values, inputs: inputs) { gradient, needed in
      LayerNormBackward.compute(
        gradient: gradient, input: input, statistics: statistics, gamma: gamma, columns: columns,
        needInput: needed[0], needWeight: hasWeight && needed[1], needBias: false, centred: false,
        slots: needed.count, hasWeight: hasWeight)
    }
  }

  /// Normalises every row with the fused C kernel (one pass for the mean, one for the variance and
  /// one for the output, the row staying in L1), rows split across cores. Returns the output and
  /// (mean, rstd) per row, which the backward pass reuses.
  static func normalizeRows(
    _ input: [Float], columns: Int, gamma: [Float]?, beta: [Float]?, eps: Float, centred: Bool
  ) -> (values: [Float], statistics: [Float]) {
    let rows = columns == 0 ? 0 : input.count / columns
    var statistics = [Float](repeating: 0, count: rows * 2)
    let values = withOptionalPointers(gamma, beta) { gammaPointer, betaPointer in
      statistics.withUnsafeMutableBufferPointer { statsBuffer in
        let stats = SendablePointer(statsBuffer.baseAddress!)
        return Tensor.rowBlocks(input, columns: columns) { rows, src, dst in
          radlm_norm_rows(
            src, dst, rows.count, columns, gammaPointer, betaPointer, eps, centred ? 1 : 0,
            stats.pointer + rows.lowerBound * 2)
        }
      }
    }
    return (values, statistics)
  }

  /// Calls `body` with base pointers of two optional arrays (nil where absent), taken once so
  /// that row loops do not re-enter `withUnsafeBufferPointer` per vector.
  static func withOptionalPointers<Result>(
    _ first: [Float]?, _ second: [Float]?, _ body: (UnsafePointer<Float>?, UnsafePointer<Float>?) -> Result
  ) -> Result {
    (first ?? []).withUnsafeBufferPointer { a in
      (second ?? []).withUnsafeBufferPointer { b in
        body(first == nil ? nil : a.baseAddress, second == nil ? nil : b.baseAddress)
      }
    }
  }

  /// Splits the rows of a [rows, columns] matrix into one block per worker and passes each block
  /// with its source and destination base pointers (for C kernels that loop over rows themselves).
  static func rowBlocks(
    _ input: [Float], columns: Int,
    _ body: (Range<Int>, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void
  ) -> [Float] {
    let rows = columns == 0 ? 0 : input.count / columns
    return [Float](unsafeUninitializedCapacity: input.count) { output, initialized in
      input.withUnsafeBufferPointer { source in
        if let src = source.baseAddress, let dst = output.baseAddress {
          let out = SendablePointer(dst)
          Parallel.forEachChunk(rows, minimumPerThread: Swift.max(1, 16_384 / Swift.max(columns, 1))) { range in
            body(range, src + range.lowerBound * columns, out.pointer + range.lowerBound * columns)
          }
        }
      }
      initialized = input.count
    }
  }

}

/// Backward of LayerNorm and RMSNorm. With x̂ the normalised input and ĝ = g·γ:
/// dx = rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ x̂)) for LayerNorm (drop the mean(ĝ) term for RMSNorm),
/// dγ = Σ_rows g x̂, dβ = Σ_rows g. One fused C pass per row (radlm_norm_backward_rows); blocks of
/// rows run on the cores, each summing dγ and dβ into its own buffer, added up at the end.
enum LayerNormBackward {
  static func compute(
    gradient: [Float], input: [Float], statistics: [Float], gamma: [Float]?, columns: Int,
    needInput: Bool, needWeight: Bool, needBias: Bool, centred: Bool, slots: Int, hasWeight: Bool
  ) -> [[Float]?] {
    let rows = input.count / Swift.max(columns, 1)
    var result: [[Float]?] = Array(repeating: nil, count: slots)
    guard rows > 0, needInput || needWeight || needBias else { return result }
    let blocks = Swift.min(Parallel.threadCount, Swift.max(1, input.count / 16_384))
    let rowsPerBlock = (rows + blocks - 1) / blocks
    // Per block: dγ then dβ partial sums.
    var partials = [Float](repeating: 0, count: (needWeight || needBias) ? blocks * 2 * columns : 0)
    func run(_ dxBase: UnsafeMutablePointer<Float>?) {
      Tensor.withOptionalPointers(gamma, nil) { gammaPointer, _ in
        gradient.withUnsafeBufferPointer { g in
          input.withUnsafeBufferPointer { x in
            statistics.withUnsafeBufferPointer { stats in
              partials.withUnsafeMutableBufferPointer { partialBuffer in
                let dxOut = dxBase.map(SendablePointer.init)
                let partialBase = partialBuffer.baseAddress.map(SendablePointer.init)
                Parallel.forEachChunk(blocks, minimumPerThread: 1) { blockRange in
                  for block in blockRange {
                    let first = block * rowsPerBlock
                    let count = Swift.min(rows, first + rowsPerBlock) - first
                    if count <= 0 { continue }
                    let offset = first * columns
                    let partial = partialBase.map { $0.pointer + block * 2 * columns }
                    radlm_norm_backward_rows(
                      g.baseAddress! + offset, x.baseAddress! + offset, stats.baseAddress! + first * 2, gammaPointer,
                      count, columns, centred ? 1 : 0, dxOut.map { $0.pointer + offset },
                      needWeight ? partial : nil, needBias ? partial.map { $0 + columns } : nil)
                  }
                }
              }
            }
          }
        }
      }
    }
    if needInput {
      // Every element is written by the kernel.
      result[0] = [Float](unsafeUninitializedCapacity: input.count) { buffer, initialized in
        run(buffer.baseAddress)
        initialized = input.count
      }
    } else {
      run(nil)
    }
    if needWeight || needBias {
      var dGamma = Array(partials[0..<columns])
      var dBeta = Array(partials[columns..<(2 * columns)])
      for block in 1..<Swift.max(blocks, 1) {
        let base = block * 2 * columns
        for j in 0..<columns {
          dGamma[j] += partials[base + j]
          dBeta[j] += partials[base + columns + j]
        }
      }
      if needWeight { result[1] = dGamma }
      if needBias { result[hasWeight ? 2 : 1] = dBeta }
    }
    return result
  }
}
