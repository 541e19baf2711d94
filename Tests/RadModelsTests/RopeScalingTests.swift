import Foundation
import RadModels
import RadTensor
import Testing

/// Llama models whose rotary frequencies are rescaled for long contexts (Llama 3.1's "llama3",
/// "linear", dynamic NTK) against transformers (tools/reference/rope_scaling_fixtures.py).
@Suite("RoPE scaling parity with transformers")
struct RopeScalingTests {
  @Test(arguments: ["llama3", "linear", "dynamic"])
  func logitsLossAndGradientsMatch(_ type: String) throws {
    let fixture = try ModelFixture("llama_rope_\(type)")
    let model = try LlamaParityTests.load(fixture)
    #expect(model.config.ropeScaling != .none)
    try Self.expectParity(model, fixture)
  }

  /// `fixture`'s inv_freq (at the batch's length), hidden states, logits, loss and gradients
  /// against transformers, and a table that differs from the plain one (so the fixture really
  /// exercises the scaling).
  static func expectParity(_ model: LlamaModel, _ fixture: ModelFixture) throws {
    let batch = LlamaParityTests.batch(fixture)
    let length = (batch.resolvedPositions(offset: 0).flatMap { $0 }.max() ?? 0) + 1
    let reference = try fixture.tensor("inv_freq").data
    let ours = model.rotary.inverseFrequencies(length: length)
    #expect(ours.count == reference.count)
    for (a, b) in zip(ours, reference) {
      #expect(abs(a - b) <= 1e-6 * max(abs(b), 1e-3), "inv_freq \(ours) vs \(reference)")
    }
    let plain = RotaryEmbedding(headDim: model.config.headDim, base: model.config.ropeTheta).inverseFrequencies
    #expect(plain != ours)
    #expect(maxAbsDifference(try model.hiddenStates(batch), try fixture.tensor("hidden")) <= 1e-4)
    #expect(maxAbsDifference(try model.logits(batch), try fixture.tensor("logits")) <= 1e-4)
    let loss = try model.languageModelingLoss(batch, labels: fixture.rows("labels").flatMap { $0 })
    #expect(abs(loss.item - fixture.number("loss")) <= 1e-5)
    loss.backward()
    try expectGradientsMatch(model, fixture)
  }

  @Test func kvCacheGivesFullRecomputationWithLlama3Scaling() throws {
    let model = try LlamaParityTests.load(try ModelFixture("llama_rope_llama3"))
    let ids = (0..<70).map { ($0 * 7 + 3) % 64 }  // past original_max_position_embeddings (64)
    let full = try Autograd.inferenceMode { try model.logits(TokenBatch(ids)) }
    let cache = model.makeCache(capacity: ids.count)
    var pieces = [try Autograd.inferenceMode { try model.logits(TokenBatch(Array(ids[0..<60])), cache: cache) }]
    for id in ids[60...] {
      pieces.append(try Autograd.inferenceMode { try model.logits(TokenBatch([id]), cache: cache) })
    }
    #expect(maxAbsDifference(Tensor.concatenate(pieces, axis: 1), full) <= 1e-5)
  }

  @Test func legacyRopeScalingKeyAndSaveRoundTrip() throws {
    // Older config.json files spell it `rope_scaling` with `type`; saving writes rope_parameters.
    let fixture = try ModelFixture("llama_rope_linear")
    var values = try fixture.config.values
    let parameters = values.removeValue(forKey: "rope_parameters") as! [String: Any]
    values["rope_scaling"] = ["type": "linear", "factor": parameters["factor"]!]
    values["rope_theta"] = parameters["rope_theta"]
    let legacy = try LlamaConfiguration(ConfigJSON(values: values))
    let current = try LlamaConfiguration(try fixture.config)
    #expect(legacy.ropeScaling == current.ropeScaling)
    #expect(legacy.ropeTheta == current.ropeTheta)
    let written = try LlamaConfiguration(current.json)
    #expect(written.ropeScaling == current.ropeScaling)
    #expect(written.ropeTheta == current.ropeTheta)
  }

  @Test func badScalingParametersAreTypedErrors() throws {
    let fixture = try ModelFixture("llama_rope_llama3")
    for broken: [String: Any] in [
      ["rope_type": "longrope", "factor": 2.0], ["rope_type": "linear"], ["rope_type": "linear", "factor": -1.0],
      ["rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0],
    ] {
      var values = try fixture.config.values
      values["rope_parameters"] = broken
      #expect(throws: ModelError.self) { try LlamaConfiguration(ConfigJSON(values: values)) }
    }
  }
}
