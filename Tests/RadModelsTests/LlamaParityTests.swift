import Foundation
import RadModelFiles
import RadModels
import RadTensor
import Testing

/// Llama (GQA, untied head, left padding with explicit positions) and Qwen2 (q/k/v biases, tied
/// head) against transformers.
@Suite("Llama-family parity with transformers")
struct LlamaParityTests {
  static func load(_ fixture: ModelFixture) throws -> LlamaModel {
    let model = try LlamaModel(json: try fixture.config)
    try WeightLoader.load(try fixture.weights, into: model)
    return model
  }

  static func batch(_ fixture: ModelFixture) -> TokenBatch {
    var batch = TokenBatch(rows: fixture.rows("input_ids"), attentionMask: fixture.rows("attention_mask"))
    batch.positions = fixture.optionalRows("positions")
    return batch
  }

  @Test(arguments: ["llama", "qwen2"])
  func logitsLossAndGradientsMatch(_ name: String) throws {
    let fixture = try ModelFixture(name)
    let model = try Self.load(fixture)
    do {
      #expect(maxAbsDifference(try model.hiddenStates(Self.batch(fixture)), try fixture.tensor("hidden")) <= 1e-4)
      #expect(maxAbsDifference(try model.logits(Self.batch(fixture)), try fixture.tensor("logits")) <= 1e-4)
    }
    let loss = try model.languageModelingLoss(Self.batch(fixture), labels: fixture.rows("labels").flatMap { $0 })
    #expect(abs(loss.item - fixture.number("loss")) <= 1e-5)
    loss.backward()
    try expectGradientsMatch(model, fixture)
  }

  @Test func kvCacheGivesTheLogitsOfFullRecomputation() throws {
    let fixture = try ModelFixture("llama")
    let model = try Self.load(fixture)
    let ids = [5, 9, 17, 3, 44, 60, 2, 8, 31]
    do {
      let full = try model.logits(TokenBatch(ids))
      let cache = model.makeCache(capacity: 16)
      let prefix = try model.logits(TokenBatch(Array(ids[0..<5])), cache: cache)
      var pieces = [prefix]
      for id in ids[5...] { pieces.append(try model.logits(TokenBatch([id]), cache: cache)) }
      let incremental = Tensor.concatenate(pieces, axis: 1)
      #expect(cache.offset == ids.count)
      #expect(maxAbsDifference(incremental, full) <= 1e-5)
    }
  }

  @Test func interleavedRotaryOnGGUFPermutedWeightsEqualsRotateHalf() throws {
    // llama.cpp permutes q/k rows so that RoPE pairs neighbours: running the interleaved RoPE on
    // permuted weights must give the same logits as rotate-half on the original weights, and
    // unpermuting must restore the original rows exactly.
    let fixture = try ModelFixture("llama")
    let reference = try Self.load(fixture)
    var config = try LlamaConfiguration(try fixture.config)
    config.interleavedRotary = true
    let permuted = LlamaModel(config: config)
    for parameter in reference.parameters.parameters {
      var value = parameter.value.detached()
      if parameter.name.hasSuffix("q_proj.weight") {
        value = RotaryEmbedding.permuteGGUF(value, heads: config.heads)
        #expect(RotaryEmbedding.unpermuteGGUF(value, heads: config.heads).data == parameter.value.data)
      } else if parameter.name.hasSuffix("k_proj.weight") {
        value = RotaryEmbedding.permuteGGUF(value, heads: config.kvHeads)
      }
      permuted.parameters[parameter.name]!.update { $0 = value.data }
    }
    do {
      let ids = TokenBatch([5, 9, 17, 3, 44, 60, 2])
      #expect(maxAbsDifference(try permuted.logits(ids), try reference.logits(ids)) <= 1e-5)
    }
  }

  @Test func badCheckpointsGiveTypedErrorsNamingTensors() throws {
    let fixture = try ModelFixture("llama")
    // Fewer layers than stored: the extra tensors are listed.
    var values = try fixture.config.values
    values["num_hidden_layers"] = 1
    let shallow = try LlamaModel(json: ConfigJSON(values: values))
    do {
      try WeightLoader.load(try fixture.weights, into: shallow)
      Issue.record("expected unexpected tensors")
    } catch ModelError.unexpectedTensors(_, let names) {
      #expect(names.count == 9)
      #expect(names.allSatisfy { $0.hasPrefix("model.layers.1.") })
    }
    // A wider configuration: shapes mismatch.
    values = try fixture.config.values
    values["intermediate_size"] = 64
    let wide = try LlamaModel(json: ConfigJSON(values: values))
    #expect(throws: ModelError.self) { try WeightLoader.load(try fixture.weights, into: wide) }
    // More layers than stored: the missing names are listed.
    values = try fixture.config.values
    values["num_hidden_layers"] = 3
    let deep = try LlamaModel(json: ConfigJSON(values: values))
    do {
      try WeightLoader.load(try fixture.weights, into: deep)
      Issue.record("expected missing tensors")
    } catch ModelError.missingTensors(_, let names) {
      #expect(names.count == 9)
      #expect(names.contains("model.layers.2.self_attn.q_proj.weight"))
    }
    // Unsupported RoPE scaling is refused by name.
    values = try fixture.config.values
    values["rope_parameters"] = ["rope_type": "yarn", "rope_theta": 10000.0]
    #expect(throws: ModelError.self) { try LlamaModel(json: ConfigJSON(values: values)) }
  }

  @Test func saveAndReloadRoundTrips() throws {
    let fixture = try ModelFixture("qwen2")
    let model = try Self.load(fixture)
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("radlm-save-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    try WeightLoader.save(model, to: folder)
    let reloaded = try ModelLoader.load(directory: folder)
    #expect(reloaded.modelType == "qwen2")
    let ids = TokenBatch([5, 9, 17])
    do {
      let a = try model.logits(ids)
      let b = try (reloaded as! LlamaModel).logits(ids)
      #expect(a.data == b.data)
    }
  }

  @Test func savesInHalfPrecision() throws {
    let fixture = try ModelFixture("llama")
    let model = try Self.load(fixture)
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("radlm-f16-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    try WeightLoader.save(model, to: folder, dtype: .f16)
    let file = try SafetensorsFile(url: folder.appendingPathComponent("model.safetensors"))
    #expect(try file.storedTypeName(of: "model.norm.weight") == "F16")
    let reloaded = try ModelLoader.load(directory: folder) as! LlamaModel
    let ids = TokenBatch([5, 9, 17])
    let a = try model.logits(ids)
    let b = try reloaded.logits(ids)
    let error = maxAbsDifference(a, b)
    #expect(error > 0 && error < 1e-2)
  }
}
