import RadTensor
import Testing

/// The fused `Tensor.attention` against the same attention composed from separate operations
/// (permute to heads, matmul, additive mask, softmax, matmul, permute back): values and the
/// gradients of q, k and v must agree, for causal blocks, padding masks, grouped-query heads,
/// packed q|k|v and cross-attention with more keys than queries. Head sizes that are multiples of
/// 4 run through the C kernel (`radlm_attention_rows`) at every vector level the CPU has, with a
/// graph (probabilities kept for the backward pass) and without one (scratch probabilities); other
/// head sizes through BLAS products. Serialized: the vector level is process-wide.
@Suite("Fused attention", .serialized)
struct FusedAttentionTests {
  struct Case: CustomTestStringConvertible, Sendable {
    let name: String
    let batch: Int, queries: Int, keys: Int, heads: Int, kvHeads: Int, headDim: Int
    let causal: Bool
    let padding: Bool
    let packed: Bool
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(
      name: "causal, 2 row blocks + tail", batch: 2, queries: 70, keys: 70, heads: 2, kvHeads: 2, headDim: 8,
      causal: true, padding: false, packed: false),
    Case(
      name: "causal packed q|k|v", batch: 2, queries: 67, keys: 67, heads: 3, kvHeads: 3, headDim: 4, causal: true,
      padding: false, packed: true),
    Case(
      name: "grouped-query causal", batch: 1, queries: 20, keys: 20, heads: 6, kvHeads: 2, headDim: 8, causal: true,
      padding: false, packed: false),
    Case(
      name: "causal after cached keys", batch: 2, queries: 5, keys: 9, heads: 2, kvHeads: 1, headDim: 4, causal: true,
      padding: false, packed: false),
    Case(
      name: "padding mask per row", batch: 2, queries: 12, keys: 12, heads: 2, kvHeads: 2, headDim: 4, causal: false,
      padding: true, packed: false),
    Case(
      name: "cross-attention, no mask", batch: 2, queries: 6, keys: 11, heads: 2, kvHeads: 2, headDim: 4, causal: false,
      padding: false, packed: false),
    // Blocks of 32 query rows, 32-key panels with tails, 6-row tiles with tails, head sizes of
    // whole 16-float vectors and of 8- and 4-float ones only.
    Case(
      name: "kernel: grouped-query causal, 64-dim, 3 blocks", batch: 1, queries: 77, keys: 77, heads: 6, kvHeads: 2,
      headDim: 64, causal: true, padding: false, packed: false),
    Case(
      name: "kernel: causal after cached keys, 48-dim", batch: 2, queries: 40, keys: 75, heads: 2, kvHeads: 1,
      headDim: 48, causal: true, padding: false, packed: false),
    Case(
      name: "kernel: padding mask, 16-dim", batch: 2, queries: 35, keys: 35, heads: 2, kvHeads: 2, headDim: 16,
      causal: false, padding: true, packed: false),
    Case(
      name: "kernel: cross-attention, 32-dim", batch: 2, queries: 9, keys: 70, heads: 3, kvHeads: 3, headDim: 32,
      causal: false, padding: false, packed: false),
    Case(
      name: "kernel: causal packed q|k|v, 80-dim", batch: 1, queries: 33, keys: 33, heads: 2, kvHeads: 2, headDim: 80,
      causal: true, padding: false, packed: true),
    Case(
      name: "kernel: causal, 24-dim", batch: 1, queries: 50, keys: 50, heads: 2, kvHeads: 1, headDim: 24, causal: true,
      padding: false, packed: false),
    Case(
      name: "BLAS: causal, 6-dim", batch: 2, queries: 70, keys: 70, heads: 2, kvHeads: 1, headDim: 6, causal: true,
      padding: false, packed: false),
  ]

  /// The vector levels this CPU can run, widest first.
  static var levels: [VectorLevel] {
    VectorLevel.current = .avx512
    return VectorLevel.allCases.filter { $0 <= VectorLevel.current }.reversed()
  }

  static func sample(_ shape: [Int], seed: UInt64) -> Tensor {
    var random = SeededRandom(seed: seed)
    return Tensor.uniform(shape, low: -1, high: 1, using: &random)
  }

  /// [B, T, n·D] → [B, n, T, D].
  static func heads(_ x: Tensor, _ n: Int) -> Tensor {
    x.reshaped([x.shape[0], x.shape[1], n, x.shape[2] / n]).permuted([0, 2, 1, 3])
  }

  /// The additive mask: causal (query t sees keys ≤ t + S − T) and/or the last keys of row 1 hidden.
  static func mask(_ c: Case) -> Tensor? {
    guard c.causal || c.padding else { return nil }
    let rows = c.padding ? c.batch : 1
    var values = [Float](repeating: 0, count: rows * c.queries * c.keys)
    for b in 0..<rows {
      for t in 0..<c.queries {
        for s in 0..<c.keys {
          let hidden = (c.causal && s > t + c.keys - c.queries) || (c.padding && b == 1 && s >= c.keys - 3)
          if hidden { values[(b * c.queries + t) * c.keys + s] = -Float.greatestFiniteMagnitude }
        }
      }
    }
    return Tensor(shape: [rows, 1, c.queries, c.keys], data: values)
  }

  /// softmax(scale·QKᵀ + mask)·V from separate operations, key/value heads repeated per group.
  static func composed(_ q: Tensor, _ k: Tensor, _ v: Tensor, _ c: Case, scale: Float, mask: Tensor?) -> Tensor {
    let groups = c.heads / c.kvHeads
    func repeated(_ x: Tensor) -> Tensor {
      let split = heads(x, c.kvHeads)
      let copies = (0..<c.kvHeads).flatMap { h in
        [Tensor](repeating: split.slice(axis: 1, h..<(h + 1)), count: groups)
      }
      return Tensor.concatenate(copies, axis: 1)
    }
    var scores = (heads(q, c.heads) * scale).matmul(repeated(k), transposeOther: true)
    if let mask { scores = scores + mask }
    return scores.softmax(axis: -1).matmul(repeated(v)).permuted([0, 2, 1, 3])
      .reshaped([c.batch, c.queries, c.heads * c.headDim])
  }

  @Test(arguments: cases)
  func matchesComposedAttention(_ c: Case) {
    defer { VectorLevel.current = .avx512 }
    for level in Self.levels {
      VectorLevel.current = level
      check(c)
    }
  }

  func check(_ c: Case) {
    let scale: Float = 1 / Float(c.headDim).squareRoot()
    let q = Self.sample([c.batch, c.queries, c.heads * c.headDim], seed: 1).requiringGrad()
    let k = Self.sample([c.batch, c.keys, c.kvHeads * c.headDim], seed: 2).requiringGrad()
    let v = Self.sample([c.batch, c.keys, c.kvHeads * c.headDim], seed: 3).requiringGrad()
    let weights = Self.sample([c.batch, c.queries, c.heads * c.headDim], seed: 4)
    let mask = Self.mask(c)

    let expected = Self.composed(q, k, v, c, scale: scale, mask: mask)
    (expected * weights).sum().backward()
    let (expectedQ, expectedK, expectedV) = (q.grad!, k.grad!, v.grad!)

    let fused: Tensor
    let gradients: [Tensor]
    if c.packed {
      let packed = Tensor.concatenate([q.detached(), k.detached(), v.detached()], axis: 2).requiringGrad()
      fused = Tensor.attention(
        packed: packed, heads: c.heads, kvHeads: c.kvHeads, scale: scale, causal: c.causal, mask: nil)
      (fused * weights).sum().backward()
      gradients = packed.grad!.split(
        axis: 2, sizes: [c.heads * c.headDim, c.kvHeads * c.headDim, c.kvHeads * c.headDim])
    } else {
      let (q2, k2, v2) = (q.detached().requiringGrad(), k.detached().requiringGrad(), v.detached().requiringGrad())
      // Causal cases pass the flag (blocks skip hidden keys); the padding case passes the mask.
      fused = Tensor.attention(
        queries: q2, keys: k2, values: v2, heads: c.heads, kvHeads: c.kvHeads, scale: scale, causal: c.causal,
        mask: c.causal ? nil : mask)
      (fused * weights).sum().backward()
      gradients = [q2.grad!, k2.grad!, v2.grad!]
    }
    #expect(fused.shape == expected.shape)
    #expect(Self.maxDifference(fused, expected) < 1e-5)
    // Without a graph the probabilities are not kept; the values must not change.
    let inference = Autograd.inferenceMode {
      c.packed
        ? Tensor.attention(
          packed: Tensor.concatenate([q, k, v], axis: 2), heads: c.heads, kvHeads: c.kvHeads, scale: scale,
          causal: c.causal, mask: nil)
        : Tensor.attention(
          queries: q, keys: k, values: v, heads: c.heads, kvHeads: c.kvHeads, scale: scale, causal: c.causal,
          mask: c.causal ? nil : mask)
    }
    #expect(inference.data == fused.data)
    #expect(Self.maxDifference(gradients[0], expectedQ) < 1e-5)
    #expect(Self.maxDifference(gradients[1], expectedK) < 1e-5)
    #expect(Self.maxDifference(gradients[2], expectedV) < 1e-5)
  }

  static func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
    precondition(a.shape == b.shape, "\(a.shape) vs \(b.shape)")
    return zip(a.data, b.data).map { abs($0 - $1) }.max() ?? 0
  }
}
