/// Masks stop attention from looking where it must not: a causal mask hides future positions in
/// a decoder, a padding mask hides the pad tokens of shorter sequences in a batch. `maskedFill`
/// writes a value (usually −∞ before softmax) wherever the broadcast mask is non-zero.
extension Tensor {
  /// Replaces values where `mask` (broadcastable, non-zero = masked) is set; masked positions get
  /// no gradient.
  public func maskedFill(_ mask: Tensor, value: Float) -> Tensor {
    let fill = Float16Lanes(repeating: value)
    let (outShape, values) = Broadcast.apply(self, mask) { x, m in x.replacing(with: fill, where: m .!= 0) }
    precondition(outShape == shape, "mask \(mask.shape) must broadcast to \(shape)")
    return Tensor.result(shape: shape, data: values, inputs: [self]) { gradient, _ in
      [
        Broadcast.apply(Tensor(shape: outShape, data: gradient), mask) { g, m in g.replacing(with: 0, where: m .!= 0) }
          .1
      ]
    }
  }

  /// [queries, keys] mask with 1 where key position > query position (+ `offset`, the number of
  /// cached positions before the queries).
  public static func causalMask(queries: Int, keys: Int, offset: Int = 0) -> Tensor {
    var values = [Float](repeating: 0, count: queries * keys)
    for q in 0..<queries {
      for k in 0..<keys where k > q + offset { values[q * keys + k] = 1 }
    }
    return Tensor(shape: [queries, keys], data: values)
  }

  /// [batch, 1, 1, keys] mask with 1 at padding positions, from a [batch, keys] attention mask
  /// in Hugging Face convention (1 = real token, 0 = padding).
  public static func paddingMask(attentionMask: [[Int]]) -> Tensor {
    let batch = attentionMask.count
    let keys = attentionMask.first?.count ?? 0
    var values = [Float](repeating: 0, count: batch * keys)
    for (b, row) in attentionMask.enumerated() {
      precondition(row.count == keys, "attention mask rows differ in length")
      for (k, flag) in row.enumerated() where flag == 0 { values[b * keys + k] = 1 }
    }
    return Tensor(shape: [batch, 1, 1, keys], data: values)
  }
}
