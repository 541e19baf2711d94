import Foundation
import RadModels
import RadTensor
import Testing

/// The one-token decode step (LlamaDecodeStep.swift) against the general tensor-op path: F32
/// logits against full recomputation (which the parity tests check against transformers), and
/// quantised logits against the general path on the same quantised weights (the switch,
/// `LlamaModel.usesDecodeStep`, is task-local: other suites keep the decode step meanwhile).
@Suite("Llama one-token decode step", .serialized)
struct LlamaDecodeStepTests {
  static let ids = [5, 9, 17, 3, 44, 60, 2, 8, 31, 12, 7]
  static let promptLength = 4

  /// Last-position logits of each one-token step after the prompt, through the cache.
  static func steps(_ model: LlamaModel, decodeStep: Bool) throws -> [Tensor] {
    try LlamaModel.$usesDecodeStep.withValue(decodeStep) {
      try Autograd.inferenceMode {
        let cache = model.makeCache(capacity: ids.count)
        _ = try model.lastLogits(TokenBatch(Array(ids[0..<promptLength])), cache: cache)
        return try ids[promptLength...].map { try model.lastLogits(TokenBatch([$0]), cache: cache) }
      }
    }
  }

  @Test(arguments: ["llama", "qwen2", "llama_rope_llama3", "llama_rope_dynamic"])
  func f32StepsGiveTheLogitsOfFullRecomputation(_ name: String) throws {
    let model = try LlamaParityTests.load(try ModelFixture(name))
    let stepped = try Self.steps(model, decodeStep: true)
    for (index, logits) in stepped.enumerated() {
      let prefix = Array(Self.ids[0...(Self.promptLength + index)])
      let full = try Autograd.inferenceMode { try model.lastLogits(TokenBatch(prefix), cache: nil) }
      #expect(logits.shape == full.shape)
      #expect(maxAbsDifference(logits, full) <= 1e-5, "\(name) step \(index)")
    }
  }

  @Test(arguments: ["llama", "qwen2"], [WeightDType.q8, .q4])
  func quantisedStepsMatchTheGeneralPath(_ name: String, _ dtype: WeightDType) throws {
    let model = try LlamaParityTests.load(try ModelFixture(name))
    let stats = try ModelQuantizer.quantize(model, to: dtype)
    #expect(stats.matrices > 0)
    let stepped = try Self.steps(model, decodeStep: true)
    let general = try Self.steps(model, decodeStep: false)
    for (index, (ours, theirs)) in zip(stepped, general).enumerated() {
      // The same kernels on the same quantised activations: only attention's summation order differs.
      #expect(maxAbsDifference(ours, theirs) <= 1e-5, "\(name) \(dtype) step \(index)")
      #expect(ours.argmax(axis: -1) == theirs.argmax(axis: -1))
    }
  }
}
