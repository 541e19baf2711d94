/// Reductions along one or more axes (sum, mean, max) and argmax. A reduction views the tensor
/// as [outer, axis, inner]; its backward spreads the output gradient back along the axis.
extension Tensor {
  /// Splits the shape around `axis` into (outer, length, inner).
  func split(around axis: Int) -> (outer: Int, length: Int, inner: Int) {
    (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
  }

  func reducedShape(_ axis: Int, keepDims: Bool) -> [Int] {
    var reduced = shape
    if keepDims { reduced[axis] = 1 } else { reduced.remove(at: axis) }
    return reduced
  }

  /// Sum of all values as a scalar tensor.
  public func sum() -> Tensor {
    let total = data.withUnsafeBufferPointer { Kernels.sum($0) }
    let inputShape = shape
    return Tensor.result(shape: [], data: [total], inputs: [self]) { gradient, _ in
      [[Float](repeating: gradient[0], count: inputShape.reduce(1, *))]
    }
  }

  /// Mean of all values as a scalar tensor.
  public func mean() -> Tensor { sum() / Float(Swift.max(count, 1)) }

  /// Sum along `axis` (negative counts from the end).
  public func sum(axis: Int, keepDims: Bool = false) -> Tensor {
    let axis = normalizedAxis(axis)
    let (outer, length, inner) = split(around: axis)
    var values = [Float](repeating: 0, count: outer * inner)
    data.withUnsafeBufferPointer { source in
      values.withUnsafeMutableBufferPointer { output in
        guard let src = source.baseAddress, let out = output.baseAddress else { return }
        for o in 0..<outer {
          if inner == 1 {
            out[o] = Kernels.sum(UnsafeBufferPointer(start: src + o * length, count: length))
            continue
          }
          let destination = out + o * inner
          for l in 0..<length {
            let row = src + (o * length + l) * inner
            var column = 0
            while column < inner {
              let available = inner - column
              Kernels.store(
                Kernels.load(destination, column, available) + Kernels.load(row, column, available),
                destination, column, available)
              column += 16
            }
          }
        }
      }
    }
    let outShape = reducedShape(axis, keepDims: keepDims)
    return Tensor.result(shape: outShape, data: values, inputs: [self]) { gradient, _ in
      var spread = [Float](repeating: 0, count: outer * length * inner)
      for o in 0..<outer {
        for l in 0..<length {
          let base = (o * length + l) * inner
          for i in 0..<inner { spread[base + i] = gradient[o * inner + i] }
        }
      }
      return [spread]
    }
  }

  /// Sum over several axes.
  public func sum(axes: [Int], keepDims: Bool = false) -> Tensor {
    let resolved = axes.map { normalizedAxis($0) }.sorted(by: >)
    var output = self
    for axis in resolved { output = output.sum(axis: axis, keepDims: true) }
    if !keepDims {
      output = output.reshaped(shape.enumerated().filter { !resolved.contains($0.offset) }.map(\.element))
    }
    return output
  }

  /// Mean along `axis`.
  public func mean(axis: Int, keepDims: Bool = false) -> Tensor {
    let axis = normalizedAxis(axis)
    return sum(axis: axis, keepDims: keepDims) / Float(shape[axis])
  }

  /// Mean over several axes.
  public func mean(axes: [Int], keepDims: Bool = false) -> Tensor {
    let n = axes.map { shape[normalizedAxis($0)] }.reduce(1, *)
    return sum(axes: axes, keepDims: keepDims) / Float(n)
  }

  /// Position of the largest value along `axis` (first one on ties, like PyTorch on CPU).
  public func argmax(axis: Int) -> [Int] {
    let axis = normalizedAxis(axis)
    let (outer, length, inner) = split(around: axis)
    var indices = [Int](repeating: 0, count: outer * inner)
    for o in 0..<outer {
      for i in 0..<inner {
        var best = -Float.infinity
        var bestIndex = 0
        for l in 0..<length {
          let value = data[(o * length + l) * inner + i]
          if value > best || (value.isNaN && !best.isNaN) {
            best = value
            bestIndex = l
          }
        }
        indices[o * inner + i] = bestIndex
      }
    }
    return indices
  }

  /// Largest value along `axis`; the gradient flows to the first maximal position.
  public func max(axis: Int, keepDims: Bool = false) -> Tensor {
    let axis = normalizedAxis(axis)
    let (outer, length, inner) = split(around: axis)
    let positions = argmax(axis: axis)
    var values = [Float](repeating: 0, count: outer * inner)
    for o in 0..<outer {
      for i in 0..<inner { values[o * inner + i] = data[(o * length + positions[o * inner + i]) * inner + i] }
    }
    return Tensor.result(shape: reducedShape(axis, keepDims: keepDims), data: values, inputs: [self]) { gradient, _ in
      var spread = [Float](repeating: 0, count: outer * length * inner)
      for o in 0..<outer {
        for i in 0..<inner { spread[(o * length + positions[o * inner + i]) * inner + i] = gradient[o * inner + i] }
      }
      return [spread]
    }
  }
}
