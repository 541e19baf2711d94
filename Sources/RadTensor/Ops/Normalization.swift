import Foundation

/// Layer normalisation rescales each token vector to zero mean and unit variance, then applies a
/// learned gain and bias (BERT, GPT-2). RMS normalisation divides by the root mean square only,
/// with a gain and no centring (Llama). Both work over the last dimension.
extension Tensor {
  /// LayerNorm over the last dimension: (x − mean) / sqrt(var + eps) · weight + bias.
  public func layerNorm(weight: Tensor?, bias: Tensor?, eps: Float = 1e-5) -> Tensor {
    let columns = shape.last ?? 1
    let rows = count / Swift.max(columns, 1)
    if let weight { precondition(weight.count == columns, "layerNorm weight size \(weight.count) != \(columns)") }
    if let bias { precondition(bias.count == columns, "layerNorm bias size \(bias.count) != \(columns)") }
    var statistics = [Float](repeating: 0, count: rows * 2)  // mean, rstd per row
    let gamma = weight?.data
    let beta = bias?.data
    let values: [Float] = Self.withOptionalPointers(gamma, beta) { gammaPointer, betaPointer in
      statistics.withUnsafeMutableBufferPointer { statsBuffer in
      let stats = SendablePointer(statsBuffer.baseAddress!)
      return Tensor.rowwiseIndexed(data, columns: columns) { row, src, dst, n in
        var sumLanes = Float16Lanes(repeating: 0)
        var index = 0
        while index < n {
          sumLanes += Kernels.load(src, index, n - index)
          index += 16
        }
        let mean = sumLanes.sum() / Float(n)
        var varianceLanes = Float16Lanes(repeating: 0)
        index = 0
        let meanLanes = Float16Lanes(repeating: mean)
        while index < n {
          let available = n - index
          var centred = Kernels.load(src, index, available) - meanLanes
          if available < 16 { for lane in available..<16 { centred[lane] = 0 } }
          varianceLanes += centred * centred
          index += 16
        }
        let rstd = 1 / (varianceLanes.sum() / Float(n) + eps).squareRoot()
        stats.pointer[row * 2] = mean
        stats.pointer[row * 2 + 1] = rstd
        RowKernels.normalize(src, dst, n, mean: mean, rstd: rstd, gamma: gammaPointer, beta: betaPointer)
      }
      }
    }
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
    let rows = count / Swift.max(columns, 1)
    if let weight { precondition(weight.count == columns, "rmsNorm weight size \(weight.count) != \(columns)") }
    var statistics = [Float](repeating: 0, count: rows * 2)
    let gamma = weight?.data
    let values: [Float] = Self.withOptionalPointers(gamma, nil) { gammaPointer, _ in
      statistics.withUnsafeMutableBufferPointer { statsBuffer in
      let stats = SendablePointer(statsBuffer.baseAddress!)
      return Tensor.rowwiseIndexed(data, columns: columns) { row, src, dst, n in
        var squares = Float16Lanes(repeating: 0)
        var index = 0
        while index < n {
          let x = Kernels.load(src, index, n - index)
          squares += x * x
          index += 16
        }
        let rstd = 1 / (squares.sum() / Float(n) + eps).squareRoot()
        stats.pointer[row * 2] = 0
        stats.pointer[row * 2 + 1] = rstd
        RowKernels.normalize(src, dst, n, mean: 0, rstd: rstd, gamma: gammaPointer, beta: nil)
      }
      }
    }
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

  /// Row loop that also passes the row index.
  static func rowwiseIndexed(
    _ input: [Float], columns: Int,
    _ body: (Int, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
  ) -> [Float] {
    let rows = columns == 0 ? 0 : input.count / columns
    return [Float](unsafeUninitializedCapacity: input.count) { output, initialized in
      input.withUnsafeBufferPointer { source in
        if let src = source.baseAddress, let dst = output.baseAddress {
          let out = SendablePointer(dst)
          Parallel.forEachChunk(rows, minimumPerThread: Swift.max(1, 16_384 / Swift.max(columns, 1))) { range in
            for row in range { body(row, src + row * columns, out.pointer + row * columns, columns) }
          }
        }
      }
      initialized = input.count
    }
  }
}

extension RowKernels {
  /// dst = (src − mean) · rstd · gamma + beta.
  @inline(__always)
  static func normalize(
    _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int, mean: Float, rstd: Float,
    gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?
  ) {
    let meanLanes = Float16Lanes(repeating: mean)
    var index = 0
    while index < n {
      let available = n - index
      var value = (Kernels.load(src, index, available) - meanLanes) * rstd
      if let gamma { value *= Kernels.load(gamma, index, available) }
      if let beta { value += Kernels.load(beta, index, available) }
      Kernels.store(value, dst, index, available)
      index += 16
    }
  }
}

/// Backward of LayerNorm and RMSNorm. With x̂ the normalised input and ĝ = g·γ:
/// dx = rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ x̂)) for LayerNorm (drop the mean(ĝ) term for RMSNorm),
/// dγ = Σ_rows g x̂, dβ = Σ_rows g.
enum LayerNormBackward {
  static func compute(
    gradient: [Float], input: [Float], statistics: [Float], gamma: [Float]?, columns: Int,
    needInput: Bool, needWeight: Bool, needBias: Bool, centred: Bool, slots: Int, hasWeight: Bool
  ) -> [[Float]?] {
    let rows = input.count / Swift.max(columns, 1)
    var result: [[Float]?] = Array(repeating: nil, count: slots)
    if needInput {
      result[0] = Tensor.rowwiseIndexed(input, columns: columns) { row, x, dx, n in
        let mean = statistics[row * 2]
        let rstd = statistics[row * 2 + 1]
        let g = gradient.withUnsafeBufferPointer { $0.baseAddress! + row * columns }
        var sumG = Float(0)
        var sumGX = Float(0)
        for j in 0..<n {
          let gh = g[j] * (gamma?[j] ?? 1)
          let xh = (x[j] - mean) * rstd
          sumG += gh
          sumGX += gh * xh
        }
        let meanG = centred ? sumG / Float(n) : 0
        let meanGX = sumGX / Float(n)
        for j in 0..<n {
          let gh = g[j] * (gamma?[j] ?? 1)
          let xh = (x[j] - mean) * rstd
          dx[j] = rstd * (gh - meanG - xh * meanGX)
        }
      }
    }
    if needWeight || needBias {
      var dGamma = [Float](repeating: 0, count: columns)
      var dBeta = [Float](repeating: 0, count: columns)
      for row in 0..<rows {
        let mean = statistics[row * 2]
        let rstd = statistics[row * 2 + 1]
        let base = row * columns
        for j in 0..<columns {
          let g = gradient[base + j]
          dGamma[j] += g * (input[base + j] - mean) * rstd
          dBeta[j] += g
        }
      }
      if needWeight { result[1] = dGamma }
      if needBias { result[hasWeight ? 2 : 1] = dBeta }
    }
    return result
  }
}
