import Foundation
import RadInference
import RadModelFiles
import RadModels
import RadTensor
import Testing

/// GGUF export of Llama models with scaled RoPE against llama.cpp's own converter and runtime
/// (fixtures from tools/reference/rope_gguf_fixtures.py): the file RadLM writes holds the same
/// tensors (llama3: `rope_freqs.weight`) and `llama.*` metadata (linear, yarn: `rope.scaling.*`) as
/// convert_hf_to_gguf.py's, and loads back to transformers' and llama.cpp's logits.
@Suite("GGUF export of scaled RoPE", .serialized)
struct GGUFRopeScalingTests {
  static let cases = ["llama3", "linear", "yarn"]
  static let tolerance: Float = 1e-4

  static func folder(_ name: String) -> URL { Support.fixtures.appendingPathComponent("rope_gguf/\(name)") }

  static func expected(_ name: String) throws -> (
    ids: [Int], transformers: [Float], llamaCpp: [Float], unscaled: [Float]
  ) {
    let object =
      try JSONSerialization.jsonObject(with: Data(contentsOf: folder(name).appendingPathComponent("expected.json")))
      as! [String: Any]
    func floats(_ key: String) -> [Float] { (object[key] as! [Double]).map(Float.init) }
    return (object["ids"] as! [Int], floats("transformers"), floats("llama_cpp"), floats("unscaled"))
  }

  static func written(_ name: String) throws -> (url: URL, scratch: URL) {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("radlm-rope-gguf-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    let bundle = try ModelBundle.open(path: folder(name).path)
    let url = scratch.appendingPathComponent("\(name).gguf")
    try GGUFLlamaWriter.write(bundle.model as! LlamaModel, tokenizer: bundle.tokenizer, dtype: .f32, to: url)
    return (url, scratch)
  }

  static func lastLogits(_ model: any LanguageModel, _ ids: [Int]) throws -> [Float] {
    try Autograd.inferenceMode { try model.lastLogits(TokenBatch(ids), cache: nil) }.data
  }

  static func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
    #expect(a.count == b.count)
    return a.count == b.count ? zip(a, b).map { abs($0 - $1) }.max() ?? 0 : .infinity
  }

  @Test(arguments: cases)
  func writtenFileHasTheConvertersTensorsAndMetadata(_ name: String) throws {
    let (url, scratch) = try Self.written(name)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let ours = try GGUFFile(url: url)
    let reference = try GGUFFile(url: Self.folder(name).appendingPathComponent("reference.gguf"))
    #expect(Set(ours.tensorNames) == Set(reference.tensorNames))
    #expect(ours.tensorNames.contains(GGUFLlamaRopeScaling.frequencyTensorName) == (name == "llama3"))
    for tensor in reference.tensorNames where ours.tensorNames.contains(tensor) {
      #expect(try ours.info(tensor).type == reference.info(tensor).type, "\(tensor)")
      #expect(try ours.info(tensor).shape == reference.info(tensor).shape, "\(tensor)")
      // F32 in both: equal values are equal bytes.
      #expect(try ours.tensor(tensor).data == reference.tensor(tensor).data, "\(tensor)")
    }
    let keys = reference.metadata.map(\.key).filter { $0.hasPrefix("llama.") || $0 == "general.architecture" }
    #expect(keys.contains("llama.rope.scaling.type") == (name != "llama3"))
    for key in keys { #expect(ours[key] == reference[key], "\(key)") }
    let extra = ours.metadata.map(\.key).filter { $0.hasPrefix("llama.rope") && reference[$0] == nil }
    #expect(extra.isEmpty, "\(extra)")
  }

  @Test(arguments: cases)
  func ggufLoadsToTransformersAndLlamaCppLogits(_ name: String) throws {
    let expected = try Self.expected(name)
    // The fixture discriminates: dropping the scaling moves the logits far beyond the tolerance,
    // and llama.cpp on the converter's file agrees with transformers.
    #expect(Self.maxDifference(expected.unscaled, expected.transformers) > 100 * Self.tolerance)
    #expect(Self.maxDifference(expected.llamaCpp, expected.transformers) <= Self.tolerance)
    let folderModel = try ModelBundle.open(path: Self.folder(name).path).model
    let fromFolder = try Self.lastLogits(folderModel, expected.ids)
    #expect(Self.maxDifference(fromFolder, expected.transformers) <= Self.tolerance)
    let (url, scratch) = try Self.written(name)
    defer { try? FileManager.default.removeItem(at: scratch) }
    for file in [url, Self.folder(name).appendingPathComponent("reference.gguf")] {
      let model = try GGUFLlamaLoader.load(url: file)
      switch (name, model.config.ropeScaling) {
      case ("llama3", .frequencyFactors(let factors)): #expect(factors.count == 4)
      case ("linear", .linear(let factor)): #expect(factor == 4)
      case ("yarn", .yarn(let yarn)):
        #expect(yarn == YarnRopeScaling(factor: 4, originalMaxPositions: 64))
        #expect(model.rotary.attentionFactor == Float(0.1 * Foundation.log(4.0) + 1))
      default: Issue.record("\(file.lastPathComponent): \(name) read as \(model.config.ropeScaling)")
      }
      let logits = try Self.lastLogits(model, expected.ids)
      #expect(Self.maxDifference(logits, expected.transformers) <= Self.tolerance, "\(file.lastPathComponent)")
      #expect(Self.maxDifference(logits, expected.llamaCpp) <= Self.tolerance, "\(file.lastPathComponent)")
      // Linear and yarn scaling are the same table either way; llama3's divisors round once more
      // than transformers' smoothing formula.
      #expect(Self.maxDifference(logits, fromFolder) <= (name == "llama3" ? 1e-5 : 0), "\(file.lastPathComponent)")
    }
  }

  @Test func rewritingALoadedGGUFKeepsTheFactors() throws {
    let (url, scratch) = try Self.written("llama3")
    defer { try? FileManager.default.removeItem(at: scratch) }
    let again = scratch.appendingPathComponent("again.gguf")
    let bundle = try ModelBundle.open(path: url.path)
    try GGUFLlamaWriter.write(bundle.model as! LlamaModel, tokenizer: bundle.tokenizer, dtype: .f32, to: again)
    let name = GGUFLlamaRopeScaling.frequencyTensorName
    #expect(try GGUFFile(url: again).tensor(name).data == GGUFFile(url: url).tensor(name).data)
  }

  @Test func scalingsGGUFCannotHoldOrRadLMCannotRunAreTypedErrors() throws {
    let bundle = try ModelBundle.open(path: Self.folder("linear").path)
    let model = bundle.model as! LlamaModel
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("radlm-rope-gguf-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    func loadError(_ edit: (inout GGUFWriter) throws -> Void) throws -> ModelError? {
      var writer = try GGUFLlamaWriter.makeWriter(model, tokenizer: bundle.tokenizer)
      try edit(&writer)
      let url = scratch.appendingPathComponent("\(UUID().uuidString).gguf")
      try writer.write(to: url)
      do { _ = try GGUFLlamaLoader.load(url: url) } catch let error as ModelError { return error }
      return nil
    }
    let longRope = try loadError { $0.set("llama.rope.scaling.type", .string("longrope")) }
    guard case .invalidConfig(_, "llama.rope.scaling.type", _)? = longRope else {
      Issue.record("longrope: \(String(describing: longRope))")
      return
    }
    // llama.cpp ignores yarn_beta_fast on this architecture (it runs 32): a file saying 8 is refused.
    let beta = try loadError {
      $0.set("llama.rope.scaling.type", .string("yarn"))
      $0.set("llama.rope.scaling.yarn_beta_fast", .float32(8))
    }
    guard case .invalidConfig(_, "llama.rope.scaling.yarn_beta_fast", _)? = beta else {
      Issue.record("beta: \(String(describing: beta))")
      return
    }
    let noFactor = try loadError { $0.set("llama.rope.scaling.factor", .string("four")) }
    guard case .invalidConfig(_, "llama.rope.scaling.factor", _)? = noFactor else {
      Issue.record("factor: \(String(describing: noFactor))")
      return
    }
    let badShape = try loadError {
      try $0.addTensor(GGUFLlamaRopeScaling.frequencyTensorName, Tensor(shape: [3], data: [1, 2, 3]), as: .f32)
    }
    guard case .shapeMismatch(_, GGUFLlamaRopeScaling.frequencyTensorName, [4], [3])? = badShape else {
      Issue.record("shape: \(String(describing: badShape))")
      return
    }
    // Dynamic NTK has no GGUF form: llama.cpp would run the model unscaled.
    let dynamic = try Support.tinyModel("llama_rope_dynamic") as! LlamaModel
    #expect {
      try GGUFLlamaWriter.makeWriter(dynamic, tokenizer: bundle.tokenizer)
    } throws: { error in
      guard case ModelError.invalidConfig(_, let field, let reason) = error else { return false }
      return field == "rope_parameters" && reason.contains("dynamic")
    }
  }

  /// A Llama model of the yarn fixture's shape whose rope_parameters get `edit`.
  static func yarnModel(_ edit: [String: Any]) throws -> LlamaModel {
    var values = try ConfigJSON(contentsOf: folder("yarn").appendingPathComponent("config.json")).values
    values["rope_parameters"] = (values["rope_parameters"] as! [String: Any]).merging(edit) { _, new in new }
    return try LlamaModel(json: ConfigJSON(values: values))
  }

  /// Yarn settings llama.cpp's llama architecture would not run (it reads none of them) and
  /// longrope (whose factor lists the converter does not write) are refused, naming rope_parameters.
  @Test func exportRefusesWhatLlamaCppWouldRunDifferently() throws {
    let tokenizer = try ModelBundle.open(path: Self.folder("yarn").path).tokenizer
    let refused: [[String: Any]] = [
      ["beta_fast": 8.0], ["beta_slow": 2.0], ["truncate": false], ["attention_factor": 0.8],
      ["mscale": 1.0, "mscale_all_dim": 1.0],
      ["rope_type": "longrope", "short_factor": [1.0, 2, 3, 4], "long_factor": [1.0, 2, 3, 4]],
    ]
    for edit in refused {
      let model = try Self.yarnModel(edit)
      #expect {
        try GGUFLlamaWriter.makeWriter(model, tokenizer: tokenizer)
      } throws: { error in
        guard case ModelError.invalidConfig(_, "rope_parameters", _) = error else { return false }
        return true
      }
    }
  }

  /// Optional yarn keys that agree with llama.cpp are copied as the converter copies them
  /// (float32 yarn_attn_factor / yarn_beta_fast / yarn_beta_slow) and read back.
  @Test func agreeingYarnKeysAreWrittenAndReadBack() throws {
    let attention = 0.1 * Foundation.log(4.0) + 1
    let model = try Self.yarnModel(["beta_fast": 32.0, "beta_slow": 1.0, "attention_factor": attention])
    let bundle = try ModelBundle.open(path: Self.folder("yarn").path)
    let writer = try GGUFLlamaWriter.makeWriter(model, tokenizer: bundle.tokenizer)
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
      "radlm-rope-gguf-\(UUID().uuidString).gguf")
    defer { try? FileManager.default.removeItem(at: scratch) }
    try writer.write(to: scratch)
    let file = try GGUFFile(url: scratch)
    #expect(file["llama.rope.scaling.yarn_beta_fast"] == .float32(32))
    #expect(file["llama.rope.scaling.yarn_beta_slow"] == .float32(1))
    #expect(file["llama.rope.scaling.yarn_attn_factor"] == .float32(Float(attention)))
    #expect(file["llama.rope.scaling.original_context_length"] == .uint32(64))
    let loaded = try GGUFLlamaLoader.load(url: scratch)
    #expect(loaded.config.ropeScaling == .yarn(YarnRopeScaling(factor: 4, originalMaxPositions: 64)))
    #expect(loaded.rotary.attentionFactor == model.rotary.attentionFactor)
  }
}
