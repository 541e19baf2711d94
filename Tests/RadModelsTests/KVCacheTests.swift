import Foundation
import RadModels
import RadTensor
import Testing

/// Prompt processing through a KV cache in chunks (a prompt, then more multi-token chunks after
/// it, as a chat turn appends to the conversation) against full recomputation, with
/// `StandardKVCache` (token-major keys written in place; a non-empty cache gathers them back) and
/// with a cache that implements only `update` (the protocol's default token-major path).
@Suite("KV cache chunks")
struct KVCacheTests {
  /// Keeps heads-major copies and implements nothing but the protocol's requirements.
  final class MinimalCache: KVCache {
    var keys: [Tensor?]
    var values: [Tensor?]
    init(layers: Int) {
      keys = Array(repeating: nil, count: layers)
      values = Array(repeating: nil, count: layers)
    }
    var offset: Int { keys[0]?.shape[2] ?? 0 }
    func update(layer: Int, keys newKeys: Tensor, values newValues: Tensor) -> (keys: Tensor, values: Tensor) {
      let allKeys = keys[layer].map { Tensor.concatenate([$0, newKeys], axis: 2) } ?? newKeys
      let allValues = values[layer].map { Tensor.concatenate([$0, newValues], axis: 2) } ?? newValues
      (keys[layer], values[layer]) = (allKeys, allValues)
      return (allKeys, allValues)
    }
  }

  static let ids = [5, 9, 17, 3, 44, 60, 2, 8, 31, 12, 7]
  static let chunks = [0..<4, 4..<7, 7..<9, 9..<11]

  /// One-token steps (the decode step, which keeps its own packed copy of the keys) after a
  /// prompt, then the cache cut back and other tokens decoded from there (a regenerated reply):
  /// every step's logits are those of full recomputation of its prefix.
  @Test(arguments: ["llama", "qwen2"])
  func stepsAfterTruncationGiveTheLogitsOfFullRecomputation(_ name: String) throws {
    let model = try LlamaParityTests.load(try ModelFixture(name))
    try Autograd.inferenceMode {
      let cache = model.makeCache(capacity: Self.ids.count)
      let standard = try #require(cache as? StandardKVCache)
      func check(_ prefix: [Int], _ logits: Tensor) throws {
        let full = try model.lastLogits(TokenBatch(prefix), cache: nil)
        #expect(maxAbsDifference(logits, full) <= 1e-5, "\(name) after \(prefix.count) tokens")
      }
      _ = try model.lastLogits(TokenBatch(Array(Self.ids[0..<4])), cache: cache)
      for end in 5...8 {
        try check(Array(Self.ids[0..<end]), try model.lastLogits(TokenBatch([Self.ids[end - 1]]), cache: cache))
      }
      standard.truncate(to: 5)
      let other = Array(Self.ids[0..<5]) + [13, 21, 34]
      for end in 6...8 {
        try check(Array(other[0..<end]), try model.lastLogits(TokenBatch([other[end - 1]]), cache: cache))
      }
    }
  }

  @Test(arguments: ["llama", "qwen2"], [false, true])
  func chunkedPromptsGiveTheLogitsOfFullRecomputation(_ name: String, minimal: Bool) throws {
    let model = try LlamaParityTests.load(try ModelFixture(name))
    try Autograd.inferenceMode {
      let cache: KVCache = minimal ? MinimalCache(layers: model.layerCount) : model.makeCache(capacity: Self.ids.count)
      for chunk in Self.chunks {
        let logits = try model.logits(TokenBatch(Array(Self.ids[chunk])), cache: cache)
        let full = try model.logits(TokenBatch(Array(Self.ids[0..<chunk.upperBound])), cache: nil)
        let expected = full.slice(axis: 1, chunk)
        #expect(logits.shape == expected.shape)
        #expect(maxAbsDifference(logits, expected) <= 1e-5, "\(name) chunk \(chunk)")
        #expect(cache.offset == chunk.upperBound)
      }
    }
  }
}
