import RadTensor

/// A key–value cache stores, for every attention layer, the keys and values of tokens already
/// processed, so that generating the next token only computes attention for that one new token
/// instead of re-running the whole prefix. Layers append to it during a forward pass.
public protocol KVCache: AnyObject {
  /// Number of positions already cached (the offset of the next token).
  var offset: Int { get }
  /// Appends this step's keys and values ([batch, kvHeads, new, headDim]) for `layer` and returns
  /// all cached keys and values for that layer including the new ones.
  func update(layer: Int, keys: Tensor, values: Tensor) -> (keys: Tensor, values: Tensor)
  /// The same for keys and values laid out token-major, [batch, new, kvHeads·headDim], as the
  /// k/v projections produce them; returns [batch, all, kvHeads·headDim]. Prompt processing
  /// uses it so that fused attention reads heads in place instead of from permuted copies.
  func updateTokenMajor(layer: Int, keys: Tensor, values: Tensor, kvHeads: Int) -> (keys: Tensor, values: Tensor)
}

extension KVCache {
  /// Through `update`: permutes to heads-major and back (caches override it to avoid the copies).
  public func updateTokenMajor(layer: Int, keys: Tensor, values: Tensor, kvHeads: Int) -> (keys: Tensor, values: Tensor)
  {
    let headDim = keys.shape[2] / kvHeads
    func split(_ x: Tensor) -> Tensor { MultiHeadAttention.splitHeads(x, heads: kvHeads, headDim: headDim) }
    func merge(_ x: Tensor) -> Tensor {
      x.permuted([0, 2, 1, 3]).reshaped([x.shape[0], x.shape[2], kvHeads * headDim])
    }
    let (allKeys, allValues) = update(layer: layer, keys: split(keys), values: split(values))
    return (merge(allKeys), merge(allValues))
  }
}
