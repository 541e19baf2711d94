import Foundation
import RadInference
import RadModelFiles
import RadModels
import RadTensor
import RadTokenizers
import Testing

/// Llama-family models written as GGUF (GGUFLlamaWriter) read back by GGUFLlamaLoader: the
/// tiny reference Llama at every stored type, and the real SmolLM2 GGUF → HF folder → GGUF F32.
@Suite("GGUF export of Llama-family models", .serialized)
struct GGUFExportTests {
  static let tinyTokenizer = Support.fixtures.appendingPathComponent("tiny_bart/tokenizer.json")

  static func scratch() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("radlm-gguf-export-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  static func tinyLlama() throws -> LlamaModel { try Support.tinyModel("llama") as! LlamaModel }

  @Test func tinyLlamaRoundTripsExactlyInF32() throws {
    let model = try Self.tinyLlama()
    let tokenizer = try TokenizerJSON.load(path: Self.tinyTokenizer.path)
    let folder = try Self.scratch()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("tiny.gguf")
    try GGUFLlamaWriter.write(
      model, tokenizer: tokenizer, chatTemplate: "{{ messages }}", name: "tiny", dtype: .f32, to: url)
    let file = try GGUFFile(url: url)
    #expect(file["general.architecture"] == .string("llama"))
    #expect(file["tokenizer.ggml.pre"] == .string("gpt-2"))  // llama.cpp's name; it refuses "gpt2"
    #expect(file["tokenizer.chat_template"] == .string("{{ messages }}"))
    #expect(file["llama.attention.head_count_kv"]?.intValue == 2)
    let ids = [5, 9, 17, 3, 44, 60, 2, 8]
    let expected = try Autograd.inferenceMode { try model.logits(TokenBatch(ids)) }
    // Rotate-half on un-permuted rows and interleaved RoPE on the rows as written give the
    // original logits: the file holds q/k in llama.cpp's permuted layout.
    for keepPermuted in [false, true] {
      let reloaded = try GGUFLlamaLoader.load(file, keepPermuted: keepPermuted)
      #expect(reloaded.config.interleavedRotary == keepPermuted)
      let logits = try Autograd.inferenceMode { try reloaded.logits(TokenBatch(ids)) }
      #expect(maxDifference(logits.data, expected.data) <= (keepPermuted ? 1e-5 : 0))
    }
    #expect(
      try file.tensor("blk.0.attn_q.weight").data
        != model.parameters["model.layers.0.self_attn.q_proj.weight"]!.value.data)
    let gguf = try GGUFVocabulary.load(path: url.path)
    for text in ["the heart is normal", "No acute disease 2"] {
      #expect(gguf.encodeIds(text) == tokenizer.encodeIds(text))
    }
  }

  @Test(arguments: [GGUFLlamaWriter.StoredType.f16, .q8_0, .q4_1])
  func tinyLlamaQuantisedStaysClose(_ dtype: GGUFLlamaWriter.StoredType) throws {
    let model = try Self.tinyLlama()
    let tokenizer = try TokenizerJSON.load(path: Self.tinyTokenizer.path)
    let folder = try Self.scratch()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("tiny-\(dtype.rawValue).gguf")
    try GGUFLlamaWriter.write(model, tokenizer: tokenizer, dtype: dtype, to: url)
    let file = try GGUFFile(url: url)
    #expect(try file.info("blk.0.ffn_up.weight").type == dtype.ggmlType)  // rows of 32
    // Rows of 48 are not whole blocks: F16, as llama.cpp falls back.
    #expect(try file.info("blk.0.ffn_down.weight").type == (dtype == .f32 ? .f32 : .f16))
    #expect(try file.info("blk.0.attn_norm.weight").type == .f32)
    let ids = [5, 9, 17, 3, 44, 60, 2, 8]
    let expected = try Autograd.inferenceMode { try model.logits(TokenBatch(ids)) }
    let reloaded = try GGUFLlamaLoader.load(file)
    let logits = try Autograd.inferenceMode { try reloaded.logits(TokenBatch(ids)) }
    let error = maxDifference(logits.data, expected.data)
    let bound: Float = dtype == .f16 ? 1e-3 : dtype == .q8_0 ? 2e-2 : 0.2
    #expect(error > 0 && error <= bound, "\(dtype): max logit difference \(error)")
  }

  @Test func modelsGGUFCannotHoldAreTypedErrors() throws {
    let tokenizer = try TokenizerJSON.load(path: Self.tinyTokenizer.path)
    // Dynamic NTK RoPE (no GGUF form; GGUFRopeScalingTests covers the scalings that have one)
    // is refused by field name.
    let scaled = try Support.tinyModel("llama_rope_dynamic") as! LlamaModel
    #expect {
      try GGUFLlamaWriter.makeWriter(scaled, tokenizer: tokenizer)
    } throws: { error in
      guard case ModelError.invalidConfig(_, let field, _) = error else { return false }
      return field == "rope_parameters"
    }
    // A WordPiece tokenizer has no tokenizer.ggml.* form here.
    let wordPiece = try TokenizerJSON.load(
      data: Data(#"{"model":{"type":"WordPiece","unk_token":"[UNK]","vocab":{"[UNK]":0,"a":1}}}"#.utf8), source: "wp")
    #expect(throws: ModelError.self) { try GGUFLlamaWriter.makeWriter(try Self.tinyLlama(), tokenizer: wordPiece) }
  }

  @Test func smolLM2GGUFToFolderToGGUFKeepsLogits() throws {
    let source: URL
    do { source = try ModelCache().path(of: "smollm2") } catch {
      Issue.record("\(error) (run `radlm fetch smollm2`)")
      return
    }
    let folder = try Self.scratch()
    defer { try? FileManager.default.removeItem(at: folder) }
    let original = try ModelBundle.open(path: source.path)
    // GGUF → Hugging Face folder, as `radlm convert` writes it.
    let hf = folder.appendingPathComponent("hf")
    try WeightLoader.save(original.model, to: hf)
    try TokenizerJSON.save(original.tokenizer, path: hf.appendingPathComponent("tokenizer.json").path)
    let fromFolder = try ModelBundle.open(path: hf.path)
    // Folder → GGUF F32.
    let url = folder.appendingPathComponent("smollm2-f32.gguf")
    try GGUFLlamaWriter.write(
      fromFolder.model as! LlamaModel, tokenizer: fromFolder.tokenizer, chatTemplate: original.chatTemplateSource,
      dtype: .f32, to: url)
    let written = try ModelBundle.open(path: url.path)
    #expect(written.ggufFile?["tokenizer.ggml.pre"] == .string("smollm"))
    #expect(written.chatTemplateSource == original.chatTemplateSource)
    #expect(written.eosTokenIds == original.eosTokenIds)
    for prompt in ["The chest X-ray shows", "No acute cardiopulmonary abnormality. 12 mm nodule"] {
      let ids = original.tokenizer.encodeIds(prompt)
      #expect(written.tokenizer.encodeIds(prompt) == ids)
      let a = try Autograd.inferenceMode { try original.model.lastLogits(TokenBatch(ids), cache: nil) }
      let b = try Autograd.inferenceMode { try written.model.lastLogits(TokenBatch(ids), cache: nil) }
      #expect(maxDifference(a.data, b.data) == 0, "\(prompt)")
    }
  }

  func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
    #expect(a.count == b.count)
    return zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
  }
}
