/// An embedding looks up one learned vector per token id: row `id` of a [vocabulary, width]
/// table. Its backward scatters each output row's gradient back into the rows it came from,
/// adding where an id repeats.
extension Tensor {
  /// Gathers rows of this [vocabulary, width] table for `ids`; the result is `idsShape + [width]`.
  public func embedding(_ ids: [Int], idsShape: [Int]? = nil) -> Tensor {
    precondition(rank == 2, "embedding table must be [vocabulary, width], got \(shape)")
    let vocabulary = shape[0]
    let width = shape[1]
    for id in ids { precondition(id >= 0 && id < vocabulary, "token id \(id) outside vocabulary of \(vocabulary)") }
    let outShape = (idsShape ?? [ids.count]) + [width]
    precondition(outShape.reduce(1, *) == ids.count * width, "idsShape does not match ids count")
    let values = [Float](unsafeUninitializedCapacity: ids.count * width) { output, initialized in
      data.withUnsafeBufferPointer { table in
        for (row, id) in ids.enumerated() {
          (output.baseAddress! + row * width).update(from: table.baseAddress! + id * width, count: width)
        }
      }
      initialized = ids.count * width
    }
    return Tensor.result(shape: outShape, data: values, inputs: [self]) { gradient, _ in
      var tableGradient = [Float](repeating: 0, count: vocabulary * width)
      tableGradient.withUnsafeMutableBufferPointer { table in
        gradient.withUnsafeBufferPointer { source in
          for (row, id) in ids.enumerated() {
            let destination = table.baseAddress! + id * width
            let rowSource = source.baseAddress! + row * width
            for column in 0..<width { destination[column] += rowSource[column] }
          }
        }
      }
      return [tableGradient]
    }
  }
}
