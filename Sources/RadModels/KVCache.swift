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
}
