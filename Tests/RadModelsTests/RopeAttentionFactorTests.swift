import Foundation
import RadModels
import RadTensor
import Testing

/// The rope_types that also scale cos and sin ("yarn" and "longrope") against transformers
/// (tools/reference/rope_scaling_fixtures.py): whole tiny models (logits, loss, gradients,
/// inv_freq, attention factor), rotary tables for more parameter sets (rope_tables.json), the
/// KV cache on both decode paths, config round trips and typed errors for bad values.
@Suite("yarn and longrope RoPE scaling parity with transformers")
struct RopeAttentionFactorTests {
  static let models = ["yarn", "yarn_mscale", "yarn_attention", "longrope_short", "longrope_long"]

  @Test(arguments: models)
  func logitsLossGradientsAndTablesMatch(_ name: String) throws {
    let fixture = try ModelFixture("llama_rope_\(name)")
    let model = try LlamaParityTests.load(fixture)
    let scaling = (fixture.inputs["attention_scaling"] as! NSNumber).doubleValue
    #expect(scaling != 1)
    #expect(abs(model.config.ropeScaling.attentionFactor - scaling) <= 1e-15 * scaling)
    #expect(model.rotary.attentionFactor == Float(scaling))
    try RopeScalingTests.expectParity(model, fixture)
  }

  @Test func longropeSwitchesToTheLongFactorsPastTheOriginalContext() throws {
    let short = try ModelFixture("llama_rope_longrope_short")
    let long = try ModelFixture("llama_rope_longrope_long")
    let model = try LlamaParityTests.load(short)
    guard case .longRope(let parameters) = model.config.ropeScaling else {
      Issue.record("read as \(model.config.ropeScaling)")
      return
    }
    let original = parameters.originalMaxPositions
    #expect(model.rotary.inverseFrequencies(length: original) == model.rotary.inverseFrequencies(length: 1))
    #expect(try model.rotary.inverseFrequencies(length: original) == short.tensor("inv_freq").data)
    #expect(try model.rotary.inverseFrequencies(length: original + 1) == long.tensor("inv_freq").data)
    #expect(try short.tensor("inv_freq").data != long.tensor("inv_freq").data)
  }

  /// One case of rope_tables.json: a config and transformers' rotary tables for some positions.
  struct TableCase {
    let name: String
    let config: ConfigJSON
    let positions: [Int]
    let inverseFrequencies: [Float]
    let attentionScaling: Double
    let cos: [[Float]]
    let sin: [[Float]]

    static func all() throws -> [String: TableCase] {
      let url = ModelFixture.root.appendingPathComponent("rope_tables.json")
      let cases = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [[String: Any]]
      func floats(_ value: Any?) -> [Float] { (value as! [NSNumber]).map { $0.floatValue } }
      func rows(_ value: Any?) -> [[Float]] { (value as! [[NSNumber]]).map { $0.map(\.floatValue) } }
      return Dictionary(
        uniqueKeysWithValues: cases.map { item in
          let name = item["name"] as! String
          return (
            name,
            TableCase(
              name: name,
              config: ConfigJSON(values: item["config"] as! [String: Any], source: "rope_tables.json \(name)"),
              positions: item["positions"] as! [Int], inverseFrequencies: floats(item["inv_freq"]),
              attentionScaling: (item["attention_scaling"] as! NSNumber).doubleValue, cos: rows(item["cos"]),
              sin: rows(item["sin"]))
          )
        })
    }
  }

  static let tables = [
    "yarn_plain", "yarn_betas_untruncated", "yarn_equal_betas", "yarn_mscale_pair", "yarn_mscale_alone",
    "yarn_attention_factor", "yarn_null_factor", "yarn_top_level_original", "yarn_factor_below_one", "yarn_qwen25",
    "longrope_short", "longrope_long", "longrope_explicit", "longrope_factor_only", "longrope_no_stretch",
    "llama3_top_level_original",
  ]

  @Test func everyTableCaseIsChecked() throws {
    #expect(Set(try TableCase.all().keys) == Set(Self.tables))
  }

  @Test(arguments: tables)
  func rotaryTablesMatch(_ name: String) throws {
    guard let table = try TableCase.all()[name] else {
      Issue.record("no case \(name) in rope_tables.json")
      return
    }
    let config = try LlamaConfiguration(table.config)
    let rotary = RotaryEmbedding(headDim: config.headDim, base: config.ropeTheta, scaling: config.ropeScaling)
    let ours = rotary.inverseFrequencies(length: (table.positions.max() ?? 0) + 1)
    #expect(ours.count == table.inverseFrequencies.count)
    for (a, b) in zip(ours, table.inverseFrequencies) {
      #expect(abs(a - b) <= 1e-6 * max(abs(b), 1e-3), "inv_freq \(ours) vs \(table.inverseFrequencies)")
    }
    #expect(abs(config.ropeScaling.attentionFactor - table.attentionScaling) <= 1e-15 * table.attentionScaling)
    let angles = rotary.angles(positions: [table.positions])
    let half = config.headDim / 2
    #expect(angles.cos.shape == [table.positions.count, half])
    for (row, position) in table.positions.enumerated() {
      for i in 0..<half {
        // Angles past a few thousand radians round to float32 the same way on both sides, but
        // cos/sin of them differ by an ulp of the angle's float rounding in the worst case.
        let tolerance: Float = 2e-6 * max(1, Float(position) * ours[i] / 1000)
        #expect(
          abs(angles.cos.data[row * half + i] - table.cos[row][i]) <= tolerance, "cos position \(position) i \(i)")
        #expect(
          abs(angles.sin.data[row * half + i] - table.sin[row][i]) <= tolerance, "sin position \(position) i \(i)")
      }
    }
  }

  /// Last-position logits after each of `ids[prompt...]` fed one token at a time through the
  /// cache: by the one-token decode step (`lastLogits`) or the general path (`logits`).
  static func cachedSteps(_ model: LlamaModel, _ ids: [Int], prompt: Int, decodeStep: Bool) throws -> [Tensor] {
    try Autograd.inferenceMode {
      let cache = model.makeCache(capacity: ids.count)
      _ = try model.logits(TokenBatch(Array(ids[0..<prompt])), cache: cache)
      return try ids[prompt...].map { id -> Tensor in
        if decodeStep { return try model.lastLogits(TokenBatch([id]), cache: cache) }
        return try model.logits(TokenBatch([id]), cache: cache).reshaped([1, -1])
      }
    }
  }

  static func fullSteps(_ model: LlamaModel, _ ids: [Int], prompt: Int) throws -> [Tensor] {
    try Autograd.inferenceMode {
      try (prompt..<ids.count).map { try model.lastLogits(TokenBatch(Array(ids[0...$0])), cache: nil) }
    }
  }

  /// yarn everywhere, and longrope while prompt and steps stay on one side of the original
  /// context (16): the cache gives the logits of full recomputation on both decode paths.
  @Test(arguments: [
    ("yarn", 20, 30), ("yarn_mscale", 20, 30), ("yarn_attention", 20, 30), ("longrope_short", 5, 16),
    ("longrope_long", 18, 30),
  ])
  func kvCacheGivesFullRecomputation(_ name: String, _ prompt: Int, _ total: Int) throws {
    let model = try LlamaParityTests.load(try ModelFixture("llama_rope_\(name)"))
    let ids = (0..<total).map { ($0 * 7 + 3) % 32 }
    let full = try Self.fullSteps(model, ids, prompt: prompt)
    for decodeStep in [true, false] {
      let stepped = try Self.cachedSteps(model, ids, prompt: prompt, decodeStep: decodeStep)
      #expect(stepped.count == full.count)
      for (index, (ours, reference)) in zip(stepped, full).enumerated() {
        #expect(maxAbsDifference(ours, reference) <= 1e-5, "\(name) decodeStep \(decodeStep) step \(index)")
      }
    }
  }

  /// Across the original context the cached keys keep the short factors' rotation while new
  /// tokens get the long ones, exactly as transformers' own cache does (its logits are in the
  /// fixture); full recomputation rotates everything with the long factors, so it differs.
  @Test func longropeCacheAcrossTheOriginalContextMatchesTransformersCache() throws {
    let fixture = try ModelFixture("llama_rope_longrope_long")
    let model = try LlamaParityTests.load(fixture)
    let ids = fixture.rows("input_ids")[0]
    let reference = try fixture.tensor("cached_steps")
    let vocabulary = model.config.vocabularySize
    #expect(reference.shape == [ids.count - 12, vocabulary])
    let full = try Self.fullSteps(model, ids, prompt: 12)
    for decodeStep in [true, false] {
      let stepped = try Self.cachedSteps(model, ids, prompt: 12, decodeStep: decodeStep)
      for (index, ours) in stepped.enumerated() {
        let row = Tensor(
          shape: [1, vocabulary], data: Array(reference.data[(index * vocabulary)..<((index + 1) * vocabulary)]))
        #expect(maxAbsDifference(ours, row) <= 1e-4, "decodeStep \(decodeStep) step \(index)")
        // Steps that end within 16 tokens recompute the same; later ones do not.
        let length = 12 + index + 1
        let gap = maxAbsDifference(full[index], row)
        if length <= 16 { #expect(gap <= 1e-4, "step \(index)") } else { #expect(gap > 1e-3, "step \(index)") }
      }
    }
  }

  @Test(arguments: models)
  func configRoundTripsThroughJSONAndTheLegacyKey(_ name: String) throws {
    let fixture = try ModelFixture("llama_rope_\(name)")
    let current = try LlamaConfiguration(try fixture.config)
    let text = try current.json.jsonData()
    let written = try LlamaConfiguration(try ConfigJSON(data: text, source: "written config.json"))
    #expect(written.ropeScaling == current.ropeScaling)
    #expect(written.ropeTheta == current.ropeTheta)
    #expect(written.ropeScaling.attentionFactor == current.ropeScaling.attentionFactor)
    // Older configs spell it `rope_scaling` with `type` and keep rope_theta outside.
    var values = try fixture.config.values
    var parameters = values.removeValue(forKey: "rope_parameters") as! [String: Any]
    values["rope_theta"] = parameters.removeValue(forKey: "rope_theta")
    parameters["type"] = parameters.removeValue(forKey: "rope_type")
    values["rope_scaling"] = parameters
    let legacy = try LlamaConfiguration(ConfigJSON(values: values))
    #expect(legacy.ropeScaling == current.ropeScaling)
    #expect(legacy.ropeTheta == current.ropeTheta)
  }

  @Test func writtenYarnKeepsOnlyTheKeysTheConfigGave() throws {
    let plain = try LlamaConfiguration(try ModelFixture("llama_rope_yarn").config)
    let parameters = plain.json.values["rope_parameters"] as! [String: Any]
    #expect(Set(parameters.keys) == ["rope_type", "rope_theta", "factor", "original_max_position_embeddings"])
    let null = try LlamaConfiguration(try ModelFixture("llama_rope_yarn_attention").config)
    // A null factor is written back as the ratio transformers resolves it to.
    #expect((null.json.values["rope_parameters"] as! [String: Any])["factor"] as? Double == 3)
  }

  static func configError(_ fixture: String, _ edit: [String: Any?]) throws -> ModelError? {
    var values = try ModelFixture(fixture).config.values
    var rope = values["rope_parameters"] as! [String: Any]
    for (key, value) in edit { rope[key] = value }
    values["rope_parameters"] = rope
    do { _ = try LlamaConfiguration(ConfigJSON(values: values)) } catch let error as ModelError { return error }
    return nil
  }

  @Test func badLongropeValuesAreTypedErrorsNamingTheField() throws {
    let badValues: [(field: String, edit: [String: Any?])] = [
      ("short_factor", ["short_factor": [1.0, 2.0, 3.0]]),
      ("long_factor", ["long_factor": [1.0, 1.4, 2.1, 0.0, 4.2, 5.5, 7.5, 9.0]]),
      ("long_factor", ["long_factor": nil]),
      ("short_factor", ["short_factor": ["1", "2", "3", "4", "5", "6", "7", "8"]]),
      ("factor", ["factor": -2.0]),
      ("attention_factor", ["attention_factor": 0.0]),
      ("original_max_position_embeddings", ["original_max_position_embeddings": 0]),
    ]
    for (field, edit) in badValues {
      let error = try Self.configError("llama_rope_longrope_short", edit)
      guard case .invalidConfig(_, let named, _)? = error, named == field else {
        Issue.record("\(edit): \(String(describing: error))")
        continue
      }
    }
  }

  @Test func badYarnValuesAreTypedErrorsNamingTheField() throws {
    let badValues: [(field: String, edit: [String: Any?])] = [
      ("factor", ["factor": -1.0]),
      ("factor", ["factor": "four"]),
      ("attention_factor", ["attention_factor": -0.5]),
      ("beta_fast", ["beta_fast": -8.0]),
      ("beta_slow", ["beta_slow": "slow"]),
      ("truncate", ["truncate": "yes"]),
      ("mscale", ["mscale": "big"]),
      ("original_max_position_embeddings", ["original_max_position_embeddings": -4]),
      // mscale_all_dim −20/ln 4 makes the denominator 0.1·m·ln(4) + 1 negative.
      ("mscale_all_dim", ["mscale": 1.0, "mscale_all_dim": -20 / Foundation.log(4.0)]),
    ]
    for (field, edit) in badValues {
      let error = try Self.configError("llama_rope_yarn", edit)
      guard case .invalidConfig(_, let named, _)? = error, named == field else {
        Issue.record("\(edit): \(String(describing: error))")
        continue
      }
    }

    // transformers needs the factor key (null is allowed): a missing one is an error too.
    var values = try ModelFixture("llama_rope_yarn").config.values
    var rope = values["rope_parameters"] as! [String: Any]
    rope.removeValue(forKey: "factor")
    values["rope_parameters"] = rope
    #expect {
      try LlamaConfiguration(ConfigJSON(values: values))
    } throws: { error in
      guard case ModelError.invalidConfig(_, "factor", _) = error else { return false }
      return true
    }
  }
}
