import Foundation
import RadTensor

/// Scaled dot-product attention over whole heads at once: every query scores every key with one
/// batched GEMM, a mask hides what must not be seen, softmax turns scores into weights, and a
/// second batched GEMM mixes the values. Grouped-query attention (fewer key/value heads than
/// query heads) is handled by folding each group of query heads into the rows of one GEMM
/// against its shared key/value head, so keys and values are never copied per query head.
public enum ScaledDotProductAttention {
  /// The value used for hidden scores: the most negative finite float (as Hugging Face), so a
  /// row with everything hidden becomes uniform rather than NaN.
  public static let hidden: Float = -Float.greatestFiniteMagnitude

  /// q [B, H, T, D], k and v [B, Hkv, S, D], `mask` an additive bias broadcastable to
  /// [B, H, T, S] (0 where visible, `hidden` where not, from `AttentionMask.make`). Returns the context [B, T, H·D] and, when `keepWeights`, the attention
  /// weights [B, H, T, S].
  public static func compute(
    queries q: Tensor, keys k: Tensor, values v: Tensor, mask: Tensor?, scale: Float, keepWeights: Bool = false
  ) -> (context: Tensor, weights: Tensor?) {
    let (batch, heads, tokens, headDim) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3])
    let kvHeads = k.shape[1]
    let keysCount = k.shape[2]
    precondition(heads % kvHeads == 0, "\(heads) query heads do not divide into \(kvHeads) key/value heads")
    let groups = heads / kvHeads
    let grouped = (q * scale).reshaped([batch, kvHeads, groups * tokens, headDim])
    var scores = grouped.matmul(k, transposeOther: true)
    if let mask {
      // Added rather than filled, as transformers does: a row with every key hidden then still
      // passes gradients to its scores, which is what the reference's gradients contain.
      scores = scores.reshaped([batch, heads, tokens, keysCount]) + mask
    }
    let weights = scores.reshaped([batch, kvHeads, groups * tokens, keysCount]).softmax(axis: -1)
    let context = weights.matmul(v)
      .reshaped([batch, heads, tokens, headDim])
      .permuted([0, 2, 1, 3])
      .reshaped([batch, tokens, heads * headDim])
    return (context, keepWeights ? weights.reshaped([batch, heads, tokens, keysCount]).detached() : nil)
  }
}

/// Builds attention masks as additive [B or 1, 1, T, S] tensors, 0 where a query may look and
/// `ScaledDotProductAttention.hidden` where it may not: a causal mask
/// hides keys after each query (shifted by the number of cached positions), a padding mask hides
/// the keys that are padding in a row of the batch.
public enum AttentionMask {
  /// `nil` when nothing needs hiding (bidirectional without padding, or one new token per row
  /// without padding).
  public static func make(
    batch: Int, queries: Int, keys: Int, offset: Int, causal: Bool, keyMask: [[Int]]?
  ) -> Tensor? {
    let hasPadding = keyMask?.contains { $0.contains(0) } ?? false
    let needsCausal = causal && !(queries == 1 && offset == keys - 1)
    if !hasPadding && !needsCausal { return nil }
    let rows = hasPadding ? batch : 1
    var values = [Float](repeating: 0, count: rows * queries * keys)
    for b in 0..<rows {
      for q in 0..<queries {
        for s in 0..<keys {
          var hide = causal && s > q + offset
          if hasPadding, let keyMask, keyMask[b][s] == 0 { hide = true }
          if hide { values[(b * queries + q) * keys + s] = ScaledDotProductAttention.hidden }
        }
      }
    }
    return Tensor(shape: [rows, 1, queries, keys], data: values)
  }

  /// Whether `mask` is exactly the causal mask `make` builds for `queries` new tokens after
  /// `keys − queries` earlier ones, with no padding (attention can then skip hidden keys).
  public static func isCausal(_ mask: Tensor, queries: Int, keys: Int) -> Bool {
    guard mask.shape == [1, 1, queries, keys], keys >= queries else { return false }
    let offset = keys - queries
    // Compared bytewise with rows of 0 and of `hidden` (memcmp runs at memory speed; every layer
    // asks). A −0 where `make` writes +0 only sends the mask down the slower additive path.
    let zeros = [Float](repeating: 0, count: keys)
    let hidden = [Float](repeating: ScaledDotProductAttention.hidden, count: keys)
    return mask.data.withUnsafeBufferPointer { values in
      zeros.withUnsafeBufferPointer { zero in
        hidden.withUnsafeBufferPointer { hiddenRow in
          for q in 0..<queries {
            let row = values.baseAddress! + q * keys
            let visible = Swift.min(keys, q + offset + 1)
            let stride = MemoryLayout<Float>.stride
            if memcmp(row, zero.baseAddress!, visible * stride) != 0 { return false }
            if memcmp(row + visible, hiddenRow.baseAddress!, (keys - visible) * stride) != 0 { return false }
          }
          return true
        }
      }
    }
  }
}

/// Multi-head attention with Hugging Face's projections: separate q/k/v (BERT, Llama, BART) or
/// GPT-2's fused `c_attn`. It serves as causal or bidirectional self-attention, with RoPE and a
/// KV cache where the model uses them, and as cross-attention when `context` supplies the keys
/// and values (queries from the decoder, keys/values from the encoder).
public struct MultiHeadAttention: Sendable {
  public enum Projections: Sendable {
    case separate(query: Linear, key: Linear, value: Linear)
    case fused(Linear)
  }

  public let projections: Projections
  public let output: Linear
  public let heads: Int
  public let kvHeads: Int
  public let headDim: Int
  public let scale: Float

  public init(projections: Projections, output: Linear, heads: Int, kvHeads: Int, headDim: Int, scale: Float? = nil) {
    self.projections = projections
    self.output = output
    self.heads = heads
    self.kvHeads = kvHeads
    self.headDim = headDim
    self.scale = scale ?? 1 / Float(headDim).squareRoot()
  }

  /// [B, T, n·D] → [B, n, T, D].
  static func splitHeads(_ x: Tensor, heads: Int, headDim: Int) -> Tensor {
    x.reshaped([x.shape[0], x.shape[1], heads, headDim]).permuted([0, 2, 1, 3])
  }

  /// Attends from `x` [B, T, width] to itself, or to `context` [B, S, width] for
  /// cross-attention. `rotary` rotates queries and keys; `cache` (self-attention only) supplies
  /// earlier keys/values and stores these. `probe` receives the attention weights.
  public func callAsFunction(
    _ x: Tensor, context: Tensor? = nil, mask: Tensor?, rotary: (cos: Tensor, sin: Tensor, interleaved: Bool)? = nil,
    cache: KVCache? = nil, layer: Int = 0, probe: AttentionProbe? = nil
  ) -> Tensor {
    let keep = probe?.wants(layer: layer) ?? false
    if cache == nil && !keep { return output(fusedAttention(x, context: context, mask: mask, rotary: rotary)) }
    if let cache, context == nil, !keep {
      return output(cachedAttention(x, mask: mask, rotary: rotary, cache: cache, layer: layer))
    }
    // Kept attention weights (a probe): heads split out, scores materialised for every head.
    let projected = tokenMajorProjections(x, context: context, rotary: rotary)
    let q = Self.splitHeads(projected.q, heads: heads, headDim: headDim)
    var k = Self.splitHeads(projected.k, heads: kvHeads, headDim: headDim)
    var v = Self.splitHeads(projected.v, heads: kvHeads, headDim: headDim)
    if let cache { (k, v) = cache.update(layer: layer, keys: k, values: v) }
    let (attended, weights) = ScaledDotProductAttention.compute(
      queries: q, keys: k, values: v, mask: mask, scale: scale, keepWeights: keep)
    if let weights { probe?.record(layer: layer, weights: weights) }
    return output(attended)
  }
}

extension MultiHeadAttention {
  /// Attention without a cache or probe (training, scoring, prompt encoding): the fused
  /// `Tensor.attention` reads heads in place from the projections, and a purely causal mask
  /// becomes the op's causal flag so that hidden query-key blocks are never computed.
  func fusedAttention(
    _ x: Tensor, context: Tensor?, mask: Tensor?, rotary: (cos: Tensor, sin: Tensor, interleaved: Bool)?
  ) -> Tensor {
    let keysCount = (context ?? x).shape[1]
    let causal = mask.map { AttentionMask.isCausal($0, queries: x.shape[1], keys: keysCount) } ?? false
    let additive = causal ? nil : mask
    if case .fused(let qkv) = projections, rotary == nil {
      return Tensor.attention(
        packed: qkv(x), heads: heads, kvHeads: kvHeads, scale: scale, causal: causal, mask: additive)
    }
    let (q, k, v) = tokenMajorProjections(x, context: context, rotary: rotary)
    return Tensor.attention(
      queries: q, keys: k, values: v, heads: heads, kvHeads: kvHeads, scale: scale, causal: causal, mask: additive)
  }
}

extension MultiHeadAttention {
  /// q, k and v [B, T, n·D] as the projections produce them (token-major, heads side by side),
  /// with RoPE applied to q and k; keys and values from `context` for cross-attention.
  func tokenMajorProjections(
    _ x: Tensor, context: Tensor?, rotary: (cos: Tensor, sin: Tensor, interleaved: Bool)?
  ) -> (q: Tensor, k: Tensor, v: Tensor) {
    var q: Tensor
    var k: Tensor
    let v: Tensor
    switch projections {
    case .separate(let query, let key, let value):
      (q, k, v) = (query(x), key(context ?? x), value(context ?? x))
    case .fused(let qkv):
      let parts = qkv(x).split(axis: -1, sizes: [heads * headDim, kvHeads * headDim, kvHeads * headDim])
      (q, k, v) = (parts[0], parts[1], parts[2])
    }
    if let rotary {
      q = q.rotaryEmbedding(cos: rotary.cos, sin: rotary.sin, interleaved: rotary.interleaved, heads: heads)
      k = k.rotaryEmbedding(cos: rotary.cos, sin: rotary.sin, interleaved: rotary.interleaved, heads: kvHeads)
    }
    return (q, k, v)
  }
}

extension MultiHeadAttention {
  /// Self-attention that appends to a KV cache (prompt processing and decoding through the
  /// general path): keys and values go into the cache token-major, and the fused `Tensor.attention`
  /// reads all cached positions in place, skipping the keys a causal mask hides instead of scoring
  /// them and adding the mask.
  func cachedAttention(
    _ x: Tensor, mask: Tensor?, rotary: (cos: Tensor, sin: Tensor, interleaved: Bool)?, cache: KVCache, layer: Int
  ) -> Tensor {
    let (q, k, v) = tokenMajorProjections(x, context: nil, rotary: rotary)
    let (keys, values) = cache.updateTokenMajor(layer: layer, keys: k, values: v, kvHeads: kvHeads)
    let causal = mask.map { AttentionMask.isCausal($0, queries: x.shape[1], keys: keys.shape[1]) } ?? false
    return Tensor.attention(
      queries: q, keys: keys, values: values, heads: heads, kvHeads: kvHeads, scale: scale, causal: causal,
      mask: causal ? nil : mask)
  }
}

/// Collects attention weights [B, H, T, S] of chosen layers during a forward pass (for
/// `radlm inspect attention` and for teaching: what did each head look at?).
public final class AttentionProbe: @unchecked Sendable {
  public let layers: Set<Int>?
  public private(set) var weights: [Int: Tensor] = [:]

  /// Records `layers`, or every layer when `nil`.
  public init(layers: Set<Int>? = nil) { self.layers = layers }

  func wants(layer: Int) -> Bool { layers?.contains(layer) ?? true }
  func record(layer: Int, weights: Tensor) { self.weights[layer] = weights }
}
