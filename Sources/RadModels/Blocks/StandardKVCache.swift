import CKernels
import RadTensor

/// The usual KV cache: for each layer a preallocated buffer [batch, kvHeads, capacity, headDim]
/// into which each forward pass appends its new keys and values. `offset` is the length of
/// layer 0's cache, read by a model once at the start of a forward pass (before layer 0 appends).
public final class StandardKVCache: KVCache, @unchecked Sendable {
  public let capacity: Int
  private var keys: [[Float]]
  private var values: [[Float]]
  private var lengths: [Int]
  private var geometry: (batch: Int, heads: Int, headDim: Int)?
  /// Each layer's keys again, transposed into 32-key panels (`radlm_attention_pack_keys`' layout,
  /// one run of panels per head) for the one-token attention kernel, filled lazily up to
  /// `packedLengths` when a decoding step needs them.
  private var packedKeys: [[Float]]
  private var packedLengths: [Int]

  /// A cache for `layers` layers holding at most `capacity` positions.
  public init(layers: Int, capacity: Int) {
    self.capacity = capacity
    keys = Array(repeating: [], count: layers)
    values = Array(repeating: [], count: layers)
    lengths = Array(repeating: 0, count: layers)
    packedKeys = Array(repeating: [], count: layers)
    packedLengths = Array(repeating: 0, count: layers)
  }

  public var offset: Int { lengths.first ?? 0 }

  /// Forgets everything (a new conversation).
  public func reset() {
    for i in lengths.indices { (lengths[i], packedLengths[i]) = (0, 0) }
  }

  /// Drops positions beyond `length` in every layer (e.g. to re-use a shared prompt prefix).
  public func truncate(to length: Int) {
    for i in lengths.indices {
      lengths[i] = min(lengths[i], length)
      packedLengths[i] = min(packedLengths[i], length)
    }
  }

  /// Checks new keys/values of this geometry against the cache's (fixed by the first append) and
  /// against the room left in `layer`, allocates the layer's buffers on first use, and returns the
  /// layer's length (where the new positions go).
  private func reserve(layer: Int, steps: Int, batch: Int, heads: Int, headDim: Int) -> Int {
    if geometry == nil { geometry = (batch, heads, headDim) }
    precondition(
      geometry! == (batch, heads, headDim), "KV cache geometry changed from \(geometry!) to \((batch, heads, headDim))")
    precondition(lengths[layer] + steps <= capacity, "KV cache capacity \(capacity) exceeded")
    if keys[layer].isEmpty {
      keys[layer] = [Float](repeating: 0, count: batch * heads * capacity * headDim)
      values[layer] = keys[layer]
    }
    return lengths[layer]
  }

  public func update(layer: Int, keys newKeys: Tensor, values newValues: Tensor) -> (keys: Tensor, values: Tensor) {
    let (batch, heads, steps, headDim) = (newKeys.shape[0], newKeys.shape[1], newKeys.shape[2], newKeys.shape[3])
    let start = reserve(layer: layer, steps: steps, batch: batch, heads: heads, headDim: headDim)
    let total = start + steps
    func append(_ storage: inout [Float], _ source: [Float]) -> [Float] {
      storage.withUnsafeMutableBufferPointer { buffer in
        source.withUnsafeBufferPointer { src in
          for bh in 0..<(batch * heads) {
            (buffer.baseAddress! + (bh * capacity + start) * headDim)
              .update(from: src.baseAddress! + bh * steps * headDim, count: steps * headDim)
          }
        }
      }
      return [Float](unsafeUninitializedCapacity: batch * heads * total * headDim) { out, initialized in
        storage.withUnsafeBufferPointer { buffer in
          for bh in 0..<(batch * heads) {
            (out.baseAddress! + bh * total * headDim)
              .update(from: buffer.baseAddress! + bh * capacity * headDim, count: total * headDim)
          }
        }
        initialized = batch * heads * total * headDim
      }
    }
    let allKeys = append(&keys[layer], newKeys.data)
    let allValues = append(&values[layer], newValues.data)
    lengths[layer] = total
    let shape = [batch, heads, total, headDim]
    return (Tensor(shape: shape, data: allKeys), Tensor(shape: shape, data: allValues))
  }

  /// Stores token-major keys and values straight into the heads-major buffers; a cache that was
  /// empty returns the new tensors themselves (a fresh prompt needs no copy of what it just made),
  /// otherwise every cached position is gathered back into token-major order.
  public func updateTokenMajor(layer: Int, keys newKeys: Tensor, values newValues: Tensor, kvHeads heads: Int) -> (
    keys: Tensor, values: Tensor
  ) {
    let (batch, steps, width) = (newKeys.shape[0], newKeys.shape[1], newKeys.shape[2])
    precondition(
      newKeys.shape == newValues.shape && width % heads == 0,
      "KV cache: keys \(newKeys.shape), values \(newValues.shape)")
    let headDim = width / heads
    let start = reserve(layer: layer, steps: steps, batch: batch, heads: heads, headDim: headDim)
    let total = start + steps
    let capacity = self.capacity
    func store(_ storage: inout [Float], _ source: [Float]) {
      storage.withUnsafeMutableBufferPointer { buffer in
        source.withUnsafeBufferPointer { src in
          for b in 0..<batch {
            for t in 0..<steps {
              for h in 0..<heads {
                (buffer.baseAddress! + ((b * heads + h) * capacity + start + t) * headDim)
                  .update(from: src.baseAddress! + ((b * steps + t) * heads + h) * headDim, count: headDim)
              }
            }
          }
        }
      }
    }
    store(&keys[layer], newKeys.data)
    store(&values[layer], newValues.data)
    lengths[layer] = total
    if start == 0 { return (newKeys, newValues) }
    func gather(_ storage: [Float]) -> Tensor {
      let data = [Float](unsafeUninitializedCapacity: batch * total * width) { out, initialized in
        storage.withUnsafeBufferPointer { buffer in
          for b in 0..<batch {
            for s in 0..<total {
              for h in 0..<heads {
                (out.baseAddress! + ((b * total + s) * heads + h) * headDim)
                  .update(from: buffer.baseAddress! + ((b * heads + h) * capacity + s) * headDim, count: headDim)
              }
            }
          }
        }
        initialized = batch * total * width
      }
      return Tensor(shape: [batch, total, width], data: data)
    }
    return (gather(keys[layer]), gather(values[layer]))
  }

  /// Floats of one head's packed keys (whole 32-key panels covering the capacity).
  func packedKeysPerHead(headDim: Int) -> Int {
    (capacity + Int(RADLM_ATTENTION_PANEL) - 1) / Int(RADLM_ATTENTION_PANEL) * Int(RADLM_ATTENTION_PANEL) * headDim
  }

  /// Decoding one token of a batch of one: stores its keys and values ([heads, headDim] each) at
  /// the next position of `layer` and calls `body` with that layer's values where they lie
  /// ([heads, capacity, headDim], positions 0..<length filled), its keys packed in panels (one run
  /// of `packedKeysPerHead` floats per head) and the new length, so that attention reads the
  /// cache in place rather than from a copy made every step.
  func appendingOne<R>(
    layer: Int, keys newKeys: UnsafePointer<Float>, values newValues: UnsafePointer<Float>, heads: Int, headDim: Int,
    _ body: (_ packedKeys: UnsafePointer<Float>, _ values: UnsafePointer<Float>, _ length: Int) -> R
  ) -> R {
    let start = reserve(layer: layer, steps: 1, batch: 1, heads: heads, headDim: headDim)
    func store(_ storage: inout [Float], _ source: UnsafePointer<Float>) {
      storage.withUnsafeMutableBufferPointer { buffer in
        for h in 0..<heads {
          (buffer.baseAddress! + (h * capacity + start) * headDim).update(from: source + h * headDim, count: headDim)
        }
      }
    }
    store(&keys[layer], newKeys)
    store(&values[layer], newValues)
    lengths[layer] = start + 1
    packKeys(layer: layer, heads: heads, headDim: headDim)
    return packedKeys[layer].withUnsafeBufferPointer { k in
      values[layer].withUnsafeBufferPointer { v in body(k.baseAddress!, v.baseAddress!, start + 1) }
    }
  }

  /// Brings `layer`'s packed keys up to its length (every position after a prompt, then one per step).
  private func packKeys(layer: Int, heads: Int, headDim: Int) {
    let perHead = packedKeysPerHead(headDim: headDim)
    if packedKeys[layer].isEmpty { packedKeys[layer] = [Float](repeating: 0, count: heads * perHead) }
    let (first, end, capacity) = (packedLengths[layer], lengths[layer], self.capacity)
    let panel = Int(RADLM_ATTENTION_PANEL)
    keys[layer].withUnsafeBufferPointer { source in
      packedKeys[layer].withUnsafeMutableBufferPointer { packed in
        for h in 0..<heads {
          for s in first..<end {
            let key = source.baseAddress! + (h * capacity + s) * headDim
            let lane = packed.baseAddress! + h * perHead + (s / panel) * headDim * panel + s % panel
            for d in 0..<headDim { lane[d * panel] = key[d] }
          }
        }
      }
    }
    packedLengths[layer] = end
  }
}
