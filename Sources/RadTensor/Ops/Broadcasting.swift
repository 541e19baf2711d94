/// Broadcasting follows NumPy and PyTorch: shapes are aligned at their last dimension and a
/// dimension of size 1 (or a missing one) stretches to match the other operand. The gradient of
/// a broadcast input is the output gradient summed back over the stretched dimensions.
enum Broadcast {
  /// The broadcast shape of two shapes, or `nil` when they are incompatible.
  static func shape(_ a: [Int], _ b: [Int]) -> [Int]? {
    let rank = Swift.max(a.count, b.count)
    var result = [Int](repeating: 1, count: rank)
    for index in 0..<rank {
      let da = index < rank - a.count ? 1 : a[index - (rank - a.count)]
      let db = index < rank - b.count ? 1 : b[index - (rank - b.count)]
      if da == db || db == 1 {
        result[index] = da
      } else if da == 1 {
        result[index] = db
      } else {
        return nil
      }
    }
    return result
  }

  /// Strides of `shape` viewed inside `target` (0 on broadcast dimensions), in target's rank.
  static func strides(of shape: [Int], in target: [Int]) -> [Int] {
    let offset = target.count - shape.count
    let own = Tensor.strides(for: shape)
    return (0..<target.count).map { index in
      index < offset ? 0 : (shape[index - offset] == 1 && target[index] != 1 ? 0 : own[index - offset])
    }
  }

  /// Visits every row of the output (all dimensions but the last) with the element offsets of
  /// the two inputs and their strides along the last dimension (each 0 or 1).
  static func forEachRow(
    outShape: [Int], aStrides: [Int], bStrides: [Int],
    _ body: (_ row: Int, _ aOffset: Int, _ bOffset: Int) -> Void
  ) {
    let rank = outShape.count
    let rows = outShape.dropLast().reduce(1, *)
    if rank <= 1 {
      body(0, 0, 0)
      return
    }
    var index = [Int](repeating: 0, count: rank - 1)
    var aOffset = 0
    var bOffset = 0
    for row in 0..<rows {
      body(row, aOffset, bOffset)
      // Odometer increment over the leading dimensions.
      var axis = rank - 2
      while axis >= 0 {
        index[axis] += 1
        aOffset += aStrides[axis]
        bOffset += bStrides[axis]
        if index[axis] < outShape[axis] { break }
        aOffset -= aStrides[axis] * outShape[axis]
        bOffset -= bStrides[axis] * outShape[axis]
        index[axis] = 0
        axis -= 1
      }
    }
  }

  /// Applies `function` with broadcasting; returns the output shape and values.
  static func apply(
    _ a: Tensor, _ b: Tensor, _ function: (Float16Lanes, Float16Lanes) -> Float16Lanes
  ) -> ([Int], [Float]) {
    if a.shape == b.shape {
      return (a.shape, Kernels.zip(a.data, b.data, function))
    }
    guard let outShape = shape(a.shape, b.shape) else {
      preconditionFailure("shapes \(a.shape) and \(b.shape) do not broadcast")
    }
    if b.count == 1 && outShape == a.shape {
      let scalar = Float16Lanes(repeating: b.data[0])
      return (outShape, Kernels.map(a.data) { function($0, scalar) })
    }
    if a.count == 1 && outShape == b.shape {
      let scalar = Float16Lanes(repeating: a.data[0])
      return (outShape, Kernels.map(b.data) { function(scalar, $0) })
    }
    let aStrides = strides(of: a.shape, in: outShape)
    let bStrides = strides(of: b.shape, in: outShape)
    let inner = outShape.last ?? 1
    let aInner = aStrides.last ?? 0
    let bInner = bStrides.last ?? 0
    let total = outShape.reduce(1, *)
    let values = [Float](unsafeUninitializedCapacity: total) { output, initialized in
      a.data.withUnsafeBufferPointer { pa in
        b.data.withUnsafeBufferPointer { pb in
          guard let out = output.baseAddress, let sa = pa.baseAddress, let sb = pb.baseAddress else { return }
          forEachRow(outShape: outShape, aStrides: aStrides, bStrides: bStrides) { row, aOffset, bOffset in
            let destination = out + row * inner
            var column = 0
            while column < inner {
              let available = inner - column
              let x =
                aInner == 1
                ? Kernels.load(sa + aOffset, column, available) : Float16Lanes(repeating: sa[aOffset])
              let y =
                bInner == 1
                ? Kernels.load(sb + bOffset, column, available) : Float16Lanes(repeating: sb[bOffset])
              Kernels.store(function(x, y), destination, column, available)
              column += 16
            }
          }
        }
      }
      initialized = total
    }
    return (outShape, values)
  }

  /// Sums `gradient` (shaped `outShape`) down to `shape`, undoing broadcasting.
  static func reduce(_ gradient: [Float], from outShape: [Int], to shape: [Int]) -> [Float] {
    if outShape == shape { return gradient }
    let count = shape.reduce(1, *)
    if count == 1 {
      return gradient.withUnsafeBufferPointer { [Kernels.sum($0)] }
    }
    let targetStrides = strides(of: shape, in: outShape)
    let inner = outShape.last ?? 1
    let innerStride = targetStrides.last ?? 0
    var result = [Float](repeating: 0, count: count)
    result.withUnsafeMutableBufferPointer { acc in
      gradient.withUnsafeBufferPointer { source in
        guard let out = acc.baseAddress, let src = source.baseAddress else { return }
        forEachRow(outShape: outShape, aStrides: targetStrides, bStrides: targetStrides) { row, offset, _ in
          let rowStart = src + row * inner
          if innerStride == 1 {
            var column = 0
            while column < inner {
              let available = inner - column
              Kernels.store(
                Kernels.load(out + offset, column, available) + Kernels.load(rowStart, column, available),
                out + offset, column, available)
              column += 16
            }
          } else {
            out[offset] += Kernels.sum(UnsafeBufferPointer(start: rowStart, count: inner))
          }
        }
      }
    }
    return result
  }
}
