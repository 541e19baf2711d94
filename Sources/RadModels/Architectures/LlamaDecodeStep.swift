import CKernels
import RadTensor

/// Single-token decoding for Llama-family models: the same arithmetic as `hiddenStates` for one
/// new token of a batch of one with a `StandardKVCache`, written over a handful of flat buffers
/// instead of ~20 tensor operations per layer. Decoding is memory-bound, and the general path
/// spent a good part of each token on small allocations, on copying the whole KV cache every
/// step (to hand attention one contiguous tensor), and on separate core hand-offs for q, k, v,
/// gate and up. Here attention reads the cache in place, the projections that share an input run
/// as one quantised product (`QuantizedMatrix.multiply(_:_:rowsOfX:into:)`), and weights or
/// layers without a quantised form (F32, active LoRA adapters) go through their `Linear` as usual.
extension LlamaModel {
  /// The last-position logits [1, vocabulary] for `batch`, or nil when this is not a plain
  /// inference step of one token for one sequence (the general path then runs).
  func decodeStep(_ batch: TokenBatch, cache: KVCache?) throws -> Tensor? {
    guard batch.batch == 1, batch.length == 1, !Autograd.isEnabled, let cache = cache as? StandardKVCache,
      batch.attentionMask?.allSatisfy({ $0.allSatisfy { $0 != 0 } }) ?? true,
      radlm_attention_supported(config.headDim) != 0
    else { return nil }
    let offset = cache.offset
    try batch.validate(vocabularySize: config.vocabularySize, maxPositions: nil, offset: offset)
    let angles = rotary.angles(positions: batch.resolvedPositions(offset: offset))
    let (d, heads, kvHeads, headDim) = (config.width, config.heads, config.kvHeads, config.headDim)
    let (qDim, kvDim, hidden) = (heads * headDim, kvHeads * headDim, config.intermediateWidth)
    let embedding = embedTokens.weight.value.data
    let id = batch.ids[0]
    // One scratch buffer for the whole step: x, the normed x, q, k, v, the attention output, a
    // projection, gate, up, and every query head's scores over the cache.
    let sizes = [d, d, qDim, kvDim, kvDim, qDim, d, hidden, hidden, heads * (offset + 1)]
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
    embedding.withUnsafeBufferPointer { x.update(from: $0.baseAddress! + id * d, count: d) }
    for (layer, block) in blocks.enumerated() {
      let attention = block.attention
      Self.rmsNorm(x, d, block.inputNorm, into: normed)
      switch attention.projections {
      case .separate(let query, let key, let value):
        Self.project(normed, d, through: [query, key, value], into: [q, k, v])
      case .fused(let qkv):
        let all = qkv(Tensor(shape: [1, 1, d], data: Array(UnsafeBufferPointer(start: normed, count: d)))).data
        all.withUnsafeBufferPointer { q.update(from: $0.baseAddress!, count: qDim + 2 * kvDim) }
      }
      Self.rotate(q, heads: heads, headDim: headDim, angles: angles, interleaved: rotary.interleaved)
      Self.rotate(k, heads: kvHeads, headDim: headDim, angles: angles, interleaved: rotary.interleaved)
      // The general path scales the queries before the score product: the same rounding here.
      for i in 0..<qDim { q[i] *= attention.scale }
      cache.appendingOne(layer: layer, keys: k, values: v, heads: kvHeads, headDim: headDim) { keys, values, length in
        Self.attend(
          queries: q, packedKeys: keys, keysPerHead: cache.packedKeysPerHead(headDim: headDim), values: values,
          length: length, capacity: cache.capacity, heads: heads, kvHeads: kvHeads, headDim: headDim, scores: scores,
          into: attended)
      }
      Self.project(attended, qDim, through: [attention.output], into: [projected])
      for i in 0..<d { x[i] += projected[i] }
      Self.rmsNorm(x, d, block.postAttentionNorm, into: normed)
      Self.project(normed, d, through: [block.mlp.gate, block.mlp.up], into: [gate, up])
      Self.swiGLU(gate: gate, up: up, count: hidden)
      Self.project(up, hidden, through: [block.mlp.down], into: [projected])
      for i in 0..<d { x[i] += projected[i] }
    }
    Self.rmsNorm(x, d, norm, into: normed)
    let final = Tensor(shape: [1, d], data: Array(UnsafeBufferPointer(start: normed, count: d)))
    if let lmHead { return lmHead(final) }
    if let matrix = quantizedHead.matrix(for: final) { return matrix.apply(final, bias: nil) }
    return final.matmul(embedTokens.weight.value, transposeOther: true)
  }

  /// RMSNorm of one row with the tensor op's C kernel.
  static func rmsNorm(_ x: UnsafePointer<Float>, _ count: Int, _ norm: RMSNorm, into out: UnsafeMutablePointer<Float>) {
    norm.weight.value.data.withUnsafeBufferPointer { gamma in
      radlm_norm_rows(x, out, 1, count, gamma.baseAddress!, nil, norm.eps, 0, nil)
    }
  }

  /// outputs[i] = linears[i](x). When every linear has a quantised matrix (and no active
  /// adapter) they run as one fused quantised product; otherwise each runs through its `Linear`.
  static func project(
    _ x: UnsafePointer<Float>, _ count: Int, through linears: [Linear], into outputs: [UnsafeMutablePointer<Float>]
  ) {
    let input = Array(UnsafeBufferPointer(start: x, count: count))
    let matrices = linears.compactMap { linear in
      linear.adapterSlot.adapter == nil || !linear.adapterSlot.isEnabled ? linear.quantizedSlot.matrix : nil
    }
    if matrices.count == linears.count {
      QuantizedMatrix.multiply(matrices, input, rowsOfX: 1, into: outputs)
      for (linear, output) in zip(linears, outputs) {
        guard let bias = linear.bias?.value.data else { continue }
        for r in bias.indices { output[r] += bias[r] }
      }
      return
    }
    let plain = linears.allSatisfy { linear in
      linear.quantizedSlot.matrix == nil && linear.layout == .outIn && linear.adapterSlot.frozenBase == nil
        && (linear.adapterSlot.adapter == nil || !linear.adapterSlot.isEnabled)
        && linear.weight.value.shape.last == count
    }
    if plain {
      multiplyF32(x, count, linears.map { $0.weight.value.data }, into: outputs)
      for (linear, output) in zip(linears, outputs) {
        guard let bias = linear.bias?.value.data else { continue }
        for r in bias.indices { output[r] += bias[r] }
      }
      return
    }
    let tensor = Tensor(shape: [1, 1, count], data: input)
    for (linear, output) in zip(linears, outputs) {
      linear(tensor).data.withUnsafeBufferPointer { output.update(from: $0.baseAddress!, count: $0.count) }
    }
  }

  /// outputs[i][r] = W_i[r] · x for F32 weights stored [out, in] that read the same x: the rows of
  /// all the matrices are split across the cores in one hand-off (as the quantised product does),
  /// each share running the one-row kernel on its own thread, instead of one hand-off and one
  /// tensor per matrix.
  static func multiplyF32(
    _ x: UnsafePointer<Float>, _ count: Int, _ weights: [[Float]], into outputs: [UnsafeMutablePointer<Float>]
  ) {
    func withBases(_ index: Int, _ bases: [UnsafePointer<Float>], _ body: ([UnsafePointer<Float>]) -> Void) {
      guard index < weights.count else { return body(bases) }
      weights[index].withUnsafeBufferPointer { withBases(index + 1, bases + [$0.baseAddress!], body) }
    }
    let rows = weights.map { $0.count / count }
    let total = rows.reduce(0, +)
    withBases(0, []) { bases in
      // One contiguous share per core (see QuantizedMatrix.multiply for why not small pieces);
      // below BLAS's one-thread threshold for single-row products the hand-off costs more than it saves.
      Parallel.forEachChunk(total, minimumPerThread: total * count >= 65_536 ? 16 : total) { range in
        var start = 0
        for (matrix, rowCount) in rows.enumerated() {
          defer { start += rowCount }
          let lower = Swift.max(range.lowerBound, start), upper = Swift.min(range.upperBound, start + rowCount)
          guard lower < upper else { continue }
          let first = lower - start
          radlm_gemv(x, bases[matrix] + first * count, count, count, upper - lower, 1, 1, 0, outputs[matrix] + first, 1)
        }
      }
    }
  }

  /// RoPE of one token's heads in place, the same products as `Tensor.rotaryEmbedding`.
  static func rotate(
    _ x: UnsafeMutablePointer<Float>, heads: Int, headDim: Int, angles: (cos: Tensor, sin: Tensor), interleaved: Bool
  ) {
    let half = headDim / 2
    let c = angles.cos.data, s = angles.sin.data
    for h in 0..<heads {
      let row = h * headDim
      for i in 0..<half {
        let first = interleaved ? row + 2 * i : row + i
        let second = interleaved ? row + 2 * i + 1 : row + i + half
        let x1 = x[first], x2 = x[second]
        x[first] = x1 * c[i] - x2 * s[i]
        x[second] = x2 * c[i] + x1 * s[i]
      }
    }
  }

  /// Attention of one (already scaled) query per head over `length` cached positions; query head
  /// h reads key/value head h / (heads / kvHeads) (grouped-query attention). Each key/value head
  /// is one call of the attention kernel with the group's queries as its rows, so every cached key
  /// panel and value row is read once for the whole group; long caches split the heads over cores.
  static func attend(
    queries q: UnsafePointer<Float>, packedKeys: UnsafePointer<Float>, keysPerHead: Int, values: UnsafePointer<Float>,
    length: Int, capacity: Int, heads: Int, kvHeads: Int, headDim: Int, scores: UnsafeMutablePointer<Float>,
    into out: UnsafeMutablePointer<Float>
  ) {
    let groups = heads / kvHeads
    Parallel.forEachChunk(kvHeads, minimumPerThread: length * heads * headDim >= 65_536 ? 1 : kvHeads) { range in
      for g in range {
        radlm_attention_rows(
          q + g * groups * headDim, headDim, packedKeys + g * keysPerHead, values + g * capacity * headDim, headDim,
          groups, length, headDim, length, 0, 1, nil, 0, scores + g * groups * length, length,
          out + g * groups * headDim, headDim)
      }
    }
  }

  /// up ← silu(gate) ⊙ up, with the SiLU of `Tensor.silu` (x / (1 + e^−x), 16 lanes at a time).
  static func swiGLU(gate: UnsafePointer<Float>, up: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i + 16 <= count {
      let g = UnsafeRawPointer(gate + i).loadUnaligned(as: Float16Lanes.self)
      let u = UnsafeRawPointer(up + i).loadUnaligned(as: Float16Lanes.self)
      UnsafeMutableRawPointer(up + i).storeBytes(of: g / (1 + simdExp(-g)) * u, as: Float16Lanes.self)
      i += 16
    }
    if i < count {
      var lanes = Float16Lanes(repeating: 0)
      for j in i..<count { lanes[j - i] = gate[j] }
      let silu = lanes / (1 + simdExp(-lanes))
      for j in i..<count { up[j] = silu[j - i] * up[j] }
    }
  }
}
