/// Shape manipulation: reshape keeps the values and only relabels them; transpose and permute
/// reorder dimensions (materialised, since storage is contiguous); slice, concatenate and split
/// cut and join along one axis. Each passes gradients back by the inverse movement.
extension Tensor {
  /// Same values, new shape; one dimension may be -1 and is inferred.
  public func reshaped(_ newShape: [Int]) -> Tensor {
    var resolved = newShape
    if let unknown = newShape.firstIndex(of: -1) {
      let known = newShape.enumerated().filter { $0.offset != unknown }.map(\.element).reduce(1, *)
      precondition(known > 0 && count % known == 0, "cannot reshape \(shape) to \(newShape)")
      resolved[unknown] = count / known
    }
    precondition(resolved.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
    return Tensor.result(shape: resolved, data: data, inputs: [self]) { gradient, _ in [gradient] }
  }

  /// Reorders dimensions: output dimension i is input dimension `order[i]`.
  public func permuted(_ order: [Int]) -> Tensor {
    precondition(order.count == rank && Set(order).count == rank, "bad permutation \(order) for rank \(rank)")
    if order == Array(0..<rank) { return self }
    let outShape = order.map { shape[$0] }
    let values = Tensor.permute(data, shape: shape, order: order)
    var inverse = [Int](repeating: 0, count: rank)
    for (position, axis) in order.enumerated() { inverse[axis] = position }
    return Tensor.result(shape: outShape, data: values, inputs: [self]) { gradient, _ in
      [Tensor.permute(gradient, shape: outShape, order: inverse)]
    }
  }

  /// Swaps two dimensions.
  public func transposed(_ first: Int = -2, _ second: Int = -1) -> Tensor {
    var order = Array(0..<rank)
    order.swapAt(normalizedAxis(first), normalizedAxis(second))
    return permuted(order)
  }

  /// Copies `values` (shaped `shape`) into permuted order.
  static func permute(_ values: [Float], shape: [Int], order: [Int]) -> [Float] {
    let rank = shape.count
    let outShape = order.map { shape[$0] }
    let inStrides = strides(for: shape)
    let sourceStrides = order.map { inStrides[$0] }
    let total = values.count
    let inner = outShape.last ?? 1
    let innerStride = sourceStrides.last ?? 1
    return [Float](unsafeUninitializedCapacity: total) { output, initialized in
      values.withUnsafeBufferPointer { source in
        guard let src = source.baseAddress, let out = output.baseAddress else { return }
        var index = [Int](repeating: 0, count: Swift.max(rank - 1, 0))
        var offset = 0
        let rows = total / Swift.max(inner, 1)
        for row in 0..<rows {
          let destination = out + row * inner
          if innerStride == 1 {
            destination.update(from: src + offset, count: inner)
          } else {
            for column in 0..<inner { destination[column] = src[offset + column * innerStride] }
          }
          var axis = rank - 2
          while axis >= 0 {
            index[axis] += 1
            offset += sourceStrides[axis]
            if index[axis] < outShape[axis] { break }
            offset -= sourceStrides[axis] * outShape[axis]
            index[axis] = 0
            axis -= 1
          }
        }
      }
      initialized = total
    }
  }

  /// The sub-tensor with indices `range` along `axis`.
  public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
    let axis = normalizedAxis(axis)
    precondition(range.lowerBound >= 0 && range.upperBound <= shape[axis], "slice \(range) out of \(shape[axis])")
    let (outer, length, inner) = split(around: axis)
    let width = range.count * inner
    var values = [Float](repeating: 0, count: outer * width)
    data.withUnsafeBufferPointer { source in
      values.withUnsafeMutableBufferPointer { output in
        guard let src = source.baseAddress, let out = output.baseAddress else { return }
        for o in 0..<outer {
          (out + o * width).update(from: src + (o * length + range.lowerBound) * inner, count: width)
        }
      }
    }
    var outShape = shape
    outShape[axis] = range.count
    return Tensor.result(shape: outShape, data: values, inputs: [self]) { gradient, _ in
      var spread = [Float](repeating: 0, count: outer * length * inner)
      for o in 0..<outer {
        for i in 0..<width { spread[(o * length + range.lowerBound) * inner + i] = gradient[o * width + i] }
      }
      return [spread]
    }
  }

  /// Joins tensors along `axis`; all other dimensions must agree.
  public static func concatenate(_ tensors: [Tensor], axis: Int) -> Tensor {
    precondition(!tensors.isEmpty, "concatenate needs at least one tensor")
    let first = tensors[0]
    let axis = first.normalizedAxis(axis)
    for tensor in tensors {
      precondition(tensor.rank == first.rank, "concatenate rank mismatch")
      for d in 0..<first.rank where d != axis {
        precondition(tensor.shape[d] == first.shape[d], "concatenate shape mismatch \(tensor.shape) vs \(first.shape)")
      }
    }
    let outer = first.shape[..<axis].reduce(1, *)
    let inner = first.shape[(axis + 1)...].reduce(1, *)
    let lengths = tensors.map { $0.shape[axis] }
    let total = lengths.reduce(0, +)
    var values = [Float](repeating: 0, count: outer * total * inner)
    var offset = 0
    for (tensor, length) in zip(tensors, lengths) {
      for o in 0..<outer {
        let source = o * length * inner
        let destination = (o * total + offset) * inner
        values.replaceSubrange(
          destination..<(destination + length * inner), with: tensor.data[source..<(source + length * inner)])
      }
      offset += length
    }
    var outShape = first.shape
    outShape[axis] = total
    return result(shape: outShape, data: values, inputs: tensors) { gradient, needed in
      var gradients: [[Float]?] = []
      var start = 0
      for (index, length) in lengths.enumerated() {
        defer { start += length }
        guard needed[index] else {
          gradients.append(nil)
          continue
        }
        var piece = [Float](repeating: 0, count: outer * length * inner)
        for o in 0..<outer {
          let source = (o * total + start) * inner
          piece.replaceSubrange(
            (o * length * inner)..<((o + 1) * length * inner), with: gradient[source..<(source + length * inner)])
        }
        gradients.append(piece)
      }
      return gradients
    }
  }

  /// Cuts along `axis` into pieces of the given sizes (which must add up to the dimension).
  public func split(axis: Int, sizes: [Int]) -> [Tensor] {
    let axis = normalizedAxis(axis)
    precondition(sizes.reduce(0, +) == shape[axis], "split sizes \(sizes) do not add up to \(shape[axis])")
    var start = 0
    return sizes.map { size in
      defer { start += size }
      return slice(axis: axis, start..<(start + size))
    }
  }

  /// Cuts along `axis` into `parts` equal pieces.
  public func chunked(_ parts: Int, axis: Int) -> [Tensor] {
    let axis = normalizedAxis(axis)
    precondition(shape[axis] % parts == 0, "dimension \(shape[axis]) does not split into \(parts)")
    return split(axis: axis, sizes: [Int](repeating: shape[axis] / parts, count: parts))
  }
}
