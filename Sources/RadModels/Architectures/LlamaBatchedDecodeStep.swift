import CKernels
import RadTensor

/// One decoding step for several independent sequences at once (continuous batching): each
/// sequence brings its next token and its own `StandardKVCache`, possibly at a different length.
/// The projections run as one product over all the sequences' rows, so every weight matrix is
/// read once per step for the whole batch; norms, rotary positions and attention stay per
/// sequence. Every row gets exactly the numbers `decodeStep` gives it alone: the quantised
/// kernels quantise and multiply each activation row on its own, and whatever has no such
/// row-wise kernel (F32 weights, adapters, an F32 LM head) runs row by row.
extension LlamaModel {
  /// Last-position logits, one [vocabulary] array per sequence, or nil when the batched step
  /// does not apply (autograd on, a cache that is not a `StandardKVCache`, an unsupported head
  /// size); callers then step each sequence through `lastLogits`.
  public func batchedDecodeStep(tokens: [Int], caches: [KVCache]) throws -> [[Float]]? {
    let n = tokens.count
    guard n >= 1, caches.count == n, !Autograd.isEnabled, radlm_attention_supported(config.headDim) != 0 else {
      return nil
    }
    let standard = caches.compactMap { $0 as? StandardKVCache }
    guard standard.count == n, Set(standard.map { ObjectIdentifier($0) }).count == n else { return nil }
    let offsets = standard.map(\.offset)
    for (token, offset) in zip(tokens, offsets) {
      try TokenBatch([token]).validate(vocabularySize: config.vocabularySize, maxPositions: nil, offset: offset)
    }
    let angles = offsets.map { rotary.angles(positions: [[$0]]) }
    let (d, heads, kvHeads, headDim) = (config.width, config.heads, config.kvHeads, config.headDim)
    let (qDim, kvDim, hidden) = (heads * headDim, kvHeads * headDim, config.intermediateWidth)
    let longest = offsets.max()! + 1
    let sizes = [
      n * d, n * d, n * qDim, n * kvDim, n * kvDim, n * qDim, n * d, n * hidden, n * hidden, heads * longest,
    ]
    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: sizes.reduce(0, +))
    defer { scratch.deallocate() }
    var parts: [UnsafeMutablePointer<Float>] = []
    var next = scratch
    for size in sizes {
      parts.append(next)
      next += size
    }
    let (x, normed, q, k, v, attended, projected) = (
      parts[0], parts[1], parts[2], parts[3], parts[4], parts[5], parts[6]
    )
    let (gate, up, scores) = (parts[7], parts[8], parts[9])
    embedTokens.weight.value.data.withUnsafeBufferPointer { table in
      for (r, id) in tokens.enumerated() { (x + r * d).update(from: table.baseAddress! + id * d, count: d) }
    }
    for (layer, block) in blocks.enumerated() {
      let attention = block.attention
      for r in 0..<n { Self.rmsNorm(x + r * d, d, block.inputNorm, into: normed + r * d) }
      switch attention.projections {
      case .separate(let query, let key, let value):
        Self.project(rows: n, normed, d, through: [query, key, value], into: [q, k, v])
      case .fused(let qkv):
        for r in 0..<n {
          let all = qkv(Tensor(shape: [1, 1, d], data: Array(UnsafeBufferPointer(start: normed + r * d, count: d))))
            .data
          all.withUnsafeBufferPointer { b in
            (q + r * qDim).update(from: b.baseAddress!, count: qDim)
            (k + r * kvDim).update(from: b.baseAddress! + qDim, count: kvDim)
            (v + r * kvDim).update(from: b.baseAddress! + qDim + kvDim, count: kvDim)
          }
        }
      }
      for r in 0..<n {
        let (qr, kr, vr, cache) = (q + r * qDim, k + r * kvDim, v + r * kvDim, standard[r])
        Self.rotate(qr, heads: heads, headDim: headDim, angles: angles[r], interleaved: rotary.interleaved)
        Self.rotate(kr, heads: kvHeads, headDim: headDim, angles: angles[r], interleaved: rotary.interleaved)
        for i in 0..<qDim { qr[i] *= attention.scale }
        cache.appendingOne(layer: layer, keys: kr, values: vr, heads: kvHeads, headDim: headDim) {
          keys, values, length in
          Self.attend(
            queries: qr, packedKeys: keys, keysPerHead: cache.packedKeysPerHead(headDim: headDim), values: values,
            length: length, capacity: cache.capacity, heads: heads, kvHeads: kvHeads, headDim: headDim, scores: scores,
            into: attended + r * qDim)
        }
      }
      Self.project(rows: n, attended, qDim, through: [attention.output], into: [projected])
      for i in 0..<(n * d) { x[i] += projected[i] }
      for r in 0..<n { Self.rmsNorm(x + r * d, d, block.postAttentionNorm, into: normed + r * d) }
      Self.project(rows: n, normed, d, through: [block.mlp.gate, block.mlp.up], into: [gate, up])
      for r in 0..<n { Self.swiGLU(gate: gate + r * hidden, up: up + r * hidden, count: hidden) }
      Self.project(rows: n, up, hidden, through: [block.mlp.down], into: [projected])
      for i in 0..<(n * d) { x[i] += projected[i] }
    }
    for r in 0..<n { Self.rmsNorm(x + r * d, d, norm, into: normed + r * d) }
    let vocabulary = config.vocabularySize
    if lmHead == nil, let matrix = quantizedHead.matrix {
      var logits = [Float](repeating: 0, count: n * vocabulary)
      logits.withUnsafeMutableBufferPointer { out in
        QuantizedMatrix.multiply(
          [matrix], Array(UnsafeBufferPointer(start: normed, count: n * d)), rowsOfX: n, into: [out.baseAddress!])
      }
      return (0..<n).map { Array(logits[($0 * vocabulary)..<(($0 + 1) * vocabulary)]) }
    }
    // No row-wise kernel for an F32 head: each row as `decodeStep` computes it.
    return (0..<n).map { r in
      let row = Tensor(shape: [1, d], data: Array(UnsafeBufferPointer(start: normed + r * d, count: d)))
      if let lmHead { return lmHead(row).data }
      return row.matmul(embedTokens.weight.value, transposeOther: true).data
    }
  }

  /// outputs[i][r] = linears[i](x[r]) for `rows` rows of `count` values. Quantised linears (no
  /// active adapter) run as one fused product over all rows, which quantises and multiplies each
  /// row independently; anything else runs row by row through the one-row `project`.
  static func project(
    rows: Int, _ x: UnsafePointer<Float>, _ count: Int, through linears: [Linear],
    into outputs: [UnsafeMutablePointer<Float>]
  ) {
    let matrices = linears.compactMap { linear in
      linear.adapterSlot.adapter == nil || !linear.adapterSlot.isEnabled ? linear.quantizedSlot.matrix : nil
    }
    if rows > 1, matrices.count == linears.count {
      QuantizedMatrix.multiply(
        matrices, Array(UnsafeBufferPointer(start: x, count: rows * count)), rowsOfX: rows, into: outputs)
      for (linear, output) in zip(linears, outputs) {
        guard let bias = linear.bias?.value.data else { continue }
        for r in 0..<rows { for j in bias.indices { output[r * bias.count + j] += bias[j] } }
      }
      return
    }
    for r in 0..<rows {
      let rowOutputs = zip(outputs, linears).map { output, linear in output + r * outWidth(linear) }
      project(x + r * count, count, through: linears, into: rowOutputs)
    }
  }

  /// The output width of a linear layer whatever its weight form and layout.
  private static func outWidth(_ linear: Linear) -> Int {
    if let matrix = linear.quantizedSlot.matrix { return matrix.rows }
    return linear.layout == .outIn ? linear.weight.value.shape[0] : linear.weight.value.shape[1]
  }
}

extension LlamaModel {
  /// Batched decoding when possible (see `batchedDecodeStep`), otherwise one `lastLogits` per sequence.
  public func lastLogits(steps tokens: [Int], caches: [KVCache]) throws -> [[Float]] {
    if Self.usesDecodeStep, let rows = try batchedDecodeStep(tokens: tokens, caches: caches) { return rows }
    return try zip(tokens, caches).map { token, cache in try lastLogits(TokenBatch([token]), cache: cache).data }
  }
}
