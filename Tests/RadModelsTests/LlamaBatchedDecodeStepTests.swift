import Foundation
import RadModels
import RadTensor
import Testing

/// The batched decode step over separate caches (LlamaBatchedDecodeStep.swift, continuous
/// batching) against the one-token step of each sequence alone: the same logits bit for bit,
/// hence the same greedy tokens, with sequences of different lengths joining and leaving.
@Suite("Llama batched decode step over separate caches")
struct LlamaBatchedDecodeStepTests {
  static let prompts = [[5, 9, 17, 3], [44, 60], [2, 8, 31, 12, 7, 1], [11]]
  /// Steps each sequence decodes; sequence i joins the batch at step `joins[i]`.
  static let lengths = [6, 3, 5, 4]
  static let joins = [0, 0, 1, 2]

  /// Greedy decoding of one sequence alone: the logits of every step.
  static func alone(_ model: LlamaModel, _ prompt: [Int], steps: Int) throws -> [[Float]] {
    try Autograd.inferenceMode {
      let cache = model.makeCache(capacity: prompt.count + steps + 1)
      var logits = try model.lastLogits(TokenBatch(prompt), cache: cache).data
      var all = [logits]
      for _ in 0..<steps {
        logits = try model.lastLogits(TokenBatch([argmax(logits)]), cache: cache).data
        all.append(logits)
      }
      return all
    }
  }

  /// The same sequences decoded together: each step is one `lastLogits(steps:caches:)` call over
  /// the sequences active then (a sequence joins after its prefill, leaves after its steps).
  static func batched(_ model: LlamaModel) throws -> [[[Float]]] {
    try Autograd.inferenceMode {
      var caches: [KVCache?] = Array(repeating: nil, count: prompts.count)
      var logits: [[[Float]]] = Array(repeating: [], count: prompts.count)
      var step = 0
      var widest = 0
      while logits.indices.contains(where: { logits[$0].count < lengths[$0] + 1 }) {
        for i in prompts.indices where joins[i] == step {
          let cache = model.makeCache(capacity: prompts[i].count + lengths[i] + 1)
          caches[i] = cache
          logits[i].append(try model.lastLogits(TokenBatch(prompts[i]), cache: cache).data)
        }
        let active = prompts.indices.filter { caches[$0] != nil && logits[$0].count < lengths[$0] + 1 }
        // The batched path itself (not the per-sequence fallback of `lastLogits(steps:caches:)`).
        let rows = try #require(
          try model.batchedDecodeStep(
            tokens: active.map { argmax(logits[$0].last!) }, caches: active.map { caches[$0]! }))
        for (i, row) in zip(active, rows) { logits[i].append(row) }
        widest = max(widest, active.count)
        step += 1
      }
      #expect(widest == prompts.count, "every sequence was in the batch together at some step")
      return logits
    }
  }

  static func argmax(_ row: [Float]) -> Int {
    var best = 0
    for i in row.indices where row[i] > row[best] { best = i }
    return best
  }

  @Test(arguments: [WeightDType.f32, .q8, .q4])
  func batchedStepsEqualEachSequenceAlone(_ dtype: WeightDType) throws {
    let model = try LlamaParityTests.load(try ModelFixture("llama"))
    if dtype != .f32 { #expect(try ModelQuantizer.quantize(model, to: dtype).matrices > 0) }
    let together = try Self.batched(model)
    for (i, prompt) in Self.prompts.enumerated() {
      let single = try Self.alone(model, prompt, steps: Self.lengths[i])
      #expect(together[i].count == single.count)
      for (step, (ours, theirs)) in zip(together[i], single).enumerated() {
        #expect(ours == theirs, "\(dtype) sequence \(i) step \(step): batched logits differ from unbatched")
      }
      #expect(together[i].map(Self.argmax) == single.map(Self.argmax))
    }
  }

  @Test func aSharedCacheIsRefused() throws {
    let model = try LlamaParityTests.load(try ModelFixture("llama"))
    try Autograd.inferenceMode {
      let cache = model.makeCache(capacity: 8)
      _ = try model.lastLogits(TokenBatch([1, 2]), cache: cache)
      // The same cache twice cannot be two sequences: the fallback steps them one after the other.
      let rows = try model.lastLogits(steps: [3, 4], caches: [cache, cache])
      #expect(rows.count == 2)
      #expect(cache.offset == 4)
    }
  }
}
