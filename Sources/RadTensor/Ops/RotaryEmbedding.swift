/// Rotary position embedding (RoPE) turns each pair of features of a query or key into a point
/// on a circle and rotates it by an angle proportional to the token's position, so that the dot
/// product of a query and a key depends only on their distance. Hugging Face pairs feature i with
/// i + d/2 ("rotate half"); llama.cpp's GGUF files store q/k rows permuted so that neighbours
/// (2i, 2i+1) form the pairs ("interleaved"). The backward pass is the inverse rotation.
extension Tensor {
  /// Rotates the last dimension of this [batch, heads, tokens, headDim] tensor. `cos` and `sin`
  /// hold headDim/2 angles' cosines and sines per token, shaped [tokens, headDim/2] (shared by
  /// the batch) or [batch, tokens, headDim/2] (per-row positions, e.g. left padding).
  public func rotaryEmbedding(cos: Tensor, sin: Tensor, interleaved: Bool = false) -> Tensor {
    precondition(rank == 4, "rotaryEmbedding expects [batch, heads, tokens, headDim], got \(shape)")
    return rotaryEmbedding(
      cos: cos, sin: sin, interleaved: interleaved, batch: shape[0], heads: shape[1], tokens: shape[2],
      headDim: shape[3],
      tokenMajor: false)
  }

  /// The same rotation of a token-major [batch, tokens, heads·headDim] tensor (a q or k
  /// projection's output before its heads are split).
  public func rotaryEmbedding(cos: Tensor, sin: Tensor, interleaved: Bool = false, heads: Int) -> Tensor {
    precondition(
      rank == 3 && shape[2] % heads == 0, "rotaryEmbedding(heads:) expects [batch, tokens, heads·headDim], got \(shape)"
    )
    return rotaryEmbedding(
      cos: cos, sin: sin, interleaved: interleaved, batch: shape[0], heads: heads, tokens: shape[1],
      headDim: shape[2] / heads,
      tokenMajor: true)
  }

  private func rotaryEmbedding(
    cos: Tensor, sin: Tensor, interleaved: Bool, batch: Int, heads: Int, tokens: Int, headDim: Int, tokenMajor: Bool
  ) -> Tensor {
    precondition(headDim % 2 == 0, "rotaryEmbedding needs an even head dimension, got \(headDim)")
    let half = headDim / 2
    precondition(cos.shape == sin.shape, "cos \(cos.shape) and sin \(sin.shape) differ")
    let perBatch = cos.rank == 3
    precondition(
      cos.shape == [tokens, half] || cos.shape == [batch, tokens, half],
      "rotary tables \(cos.shape) do not fit [\(batch), \(tokens), \(half)]")
    let c = cos.data
    let s = sin.data
    func rotate(_ input: [Float], inverse: Bool) -> [Float] {
      [Float](unsafeUninitializedCapacity: input.count) { output, initialized in
        input.withUnsafeBufferPointer { x in
          c.withUnsafeBufferPointer { cb in
            s.withUnsafeBufferPointer { sb in
              let sign: Float = inverse ? -1 : 1
              for b in 0..<batch {
                for h in 0..<heads {
                  for t in 0..<tokens {
                    let row = (tokenMajor ? (b * tokens + t) * heads + h : (b * heads + h) * tokens + t) * headDim
                    let table = ((perBatch ? b * tokens : 0) + t) * half
                    for i in 0..<half {
                      let cosine = cb[table + i]
                      let sine = sign * sb[table + i]
                      let first = interleaved ? row + 2 * i : row + i
                      let second = interleaved ? row + 2 * i + 1 : row + i + half
                      let x1 = x[first]
                      let x2 = x[second]
                      output[first] = x1 * cosine - x2 * sine
                      output[second] = x2 * cosine + x1 * sine
                    }
                  }
                }
              }
            }
          }
        }
        initialized = input.count
      }
    }
    let values = rotate(data, inverse: false)
    return Tensor.result(shape: shape, data: values, inputs: [self]) { gradient, _ in
      [rotate(gradient, inverse: true)]
    }
  }
}
