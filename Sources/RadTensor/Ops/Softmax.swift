import CKernels
import Foundation

/// Softmax turns a row of scores into probabilities: exp(x − max) / Σ exp(x − max). Subtracting
/// the row maximum first keeps exp from overflowing; log-softmax keeps the log domain for losses.
extension Tensor {
  /// Softmax along `axis` (default: the last).
  public func softmax(axis: Int = -1) -> Tensor {
    let axis = normalizedAxis(axis)
    if axis != rank - 1 { return transposed(axis, -1).softmax().transposed(axis, -1) }
    let columns = shape.last ?? 1
    // The row kernel is vector C (AVX-512/AVX2+FMA when available), rows split across cores.
    let values = Tensor.rowwise(data, columns: columns) { src, dst, n in radlm_softmax_rows(src, dst, 1, n) }
    return Tensor.result(shape: shape, data: values, inputs: [self]) { gradient, _ in
      // dx = y ⊙ (g − Σ g⊙y)
      [
        Tensor.rowwise2(gradient, values, columns: columns) { g, y, dx, n in
          let dot = Kernels.dot(g, y, n)
          RowKernels.combine(g, y, dx, n) { g, y in y * (g - dot) }
        }
      ]
    }
  }

  /// log(softmax(x)) along the last axis, computed stably.
  public func logSoftmax() -> Tensor {
    let columns = shape.last ?? 1
    let values = Tensor.rowwise(data, columns: columns) { src, dst, n in
      let maximum = RowKernels.maximum(src, n)
      let total = RowKernels.expShifted(src, dst, n, shift: maximum)
      let shift = maximum + Foundation.log(total)
      RowKernels.combine(src, src, dst, n) { x, _ in x - shift }
    }
    return Tensor.result(shape: shape, data: values, inputs: [self]) { gradient, _ in
      // dx = g − softmax · Σ g
      [
        Tensor.rowwise2(gradient, values, columns: columns) { g, logp, dx, n in
          let total = Kernels.sum(UnsafeBufferPointer(start: g, count: n))
          RowKernels.combine(g, logp, dx, n) { g, logp in g - simdExp(logp) * total }
        }
      ]
    }
  }

  /// Applies `body(source row, destination row, length)` to each row, rows split across cores.
  static func rowwise(
    _ input: [Float], columns: Int,
    _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
  ) -> [Float] {
    let rows = columns == 0 ? 0 : input.count / columns
    return [Float](unsafeUninitializedCapacity: input.count) { output, initialized in
      input.withUnsafeBufferPointer { source in
        if let src = source.baseAddress, let dst = output.baseAddress {
          let out = SendablePointer(dst)
          Parallel.forEachChunk(rows, minimumPerThread: Swift.max(1, 16_384 / Swift.max(columns, 1))) { range in
            for row in range { body(src + row * columns, out.pointer + row * columns, columns) }
          }
        }
      }
      initialized = input.count
    }
  }

  /// Like `rowwise` with two inputs of the same shape.
  static func rowwise2(
    _ first: [Float], _ second: [Float], columns: Int,
    _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
  ) -> [Float] {
    let rows = columns == 0 ? 0 : first.count / columns
    return [Float](unsafeUninitializedCapacity: first.count) { output, initialized in
      first.withUnsafeBufferPointer { a in
        second.withUnsafeBufferPointer { b in
          if let pa = a.baseAddress, let pb = b.baseAddress, let dst = output.baseAddress {
            let out = SendablePointer(dst)
            Parallel.forEachChunk(rows, minimumPerThread: Swift.max(1, 16_384 / Swift.max(columns, 1))) { range in
              for row in range {
                body(pa + row * columns, pb + row * columns, out.pointer + row * columns, columns)
              }
            }
          }
        }
      }
      initialized = first.count
    }
  }
}

/// Vectorised helpers over one row.
enum RowKernels {
  @inline(__always)
  static func maximum(_ row: UnsafePointer<Float>, _ n: Int) -> Float {
    var lanes = Float16Lanes(repeating: -.infinity)
    var index = 0
    while index + 16 <= n {
      // A compare-and-select: the standard library's pointwiseMax runs lane by lane here.
      // Like Float.maximum it ignores NaN inputs (a NaN never compares greater).
      let values = UnsafeRawPointer(row + index).loadUnaligned(as: Float16Lanes.self)
      lanes.replace(with: values, where: values .> lanes)
      index += 16
    }
    var best = lanes.max()
    while index < n {
      best = Swift.max(best, row[index])
      index += 1
    }
    return best
  }

  /// dst = exp(src − shift); returns the sum of dst.
  @inline(__always)
  static func expShifted(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int, shift: Float)
    -> Float
  {
    exponentials(src, storingInto: dst, n, shift: shift)
  }

  /// Σ exp(src − shift), summed exactly as `expShifted` sums it, without storing the values.
  @inline(__always)
  static func sumExpShifted(_ src: UnsafePointer<Float>, _ n: Int, shift: Float) -> Float {
    exponentials(src, storingInto: nil, n, shift: shift)
  }

  /// The one loop behind both: exp(src − shift) 16 lanes at a time, stored when `dst` is given
  /// (inlined, so the nil case compiles to a loop without stores), summed in lane order.
  @inline(__always)
  static func exponentials(
    _ src: UnsafePointer<Float>, storingInto dst: UnsafeMutablePointer<Float>?, _ n: Int, shift: Float
  ) -> Float {
    var lanes = Float16Lanes(repeating: 0)
    let shiftLanes = Float16Lanes(repeating: shift)
    var index = 0
    while index < n {
      let available = n - index
      var value = simdExp(Kernels.load(src, index, available) - shiftLanes)
      if available < 16 {
        for lane in available..<16 { value[lane] = 0 }
      }
      lanes += value
      if let dst { Kernels.store(value, dst, index, available) }
      index += 16
    }
    return lanes.sum()
  }

  @inline(__always)
  static func scale(_ row: UnsafeMutablePointer<Float>, _ n: Int, by factor: Float) {
    var index = 0
    while index < n {
      let available = n - index
      Kernels.store(Kernels.load(row, index, available) * factor, row, index, available)
      index += 16
    }
  }

  @inline(__always)
  static func combine(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int,
    _ function: (Float16Lanes, Float16Lanes) -> Float16Lanes
  ) {
    var index = 0
    while index < n {
      let available = n - index
      Kernels.store(
        function(Kernels.load(a, index, available), Kernels.load(b, index, available)), dst, index, available)
      index += 16
    }
  }
}
