import Foundation
import RadTokenizers
import Testing

/// Token ids, tokens, offsets and decoded text identical to Hugging Face `tokenizers` 0.23.3 on
/// 1,200 project-generated inputs (see tools/reference/tokenizer_fixtures.py).
@Suite struct ReferenceParityTests {
  static func check(_ tok: Tokenizer, _ fixture: String, addSpecialTokens: Bool, minimumCount: Int = 1000) throws {
    let recs = try Fixtures.records(fixture)
    #expect(recs.count >= minimumCount)
    var idMismatch: [String] = []
    var offMismatch: [String] = []
    var tokMismatch: [String] = []
    var decMismatch: [String] = []
    for r in recs {
      let e = tok.encode(r.text, addSpecialTokens: addSpecialTokens)
      if e.ids != r.ids { idMismatch.append("\(r.text.debugDescription): got \(e.ids) want \(r.ids)") }
      if e.tokens != r.tokens { tokMismatch.append("\(r.text.debugDescription): got \(e.tokens) want \(r.tokens)") }
      if e.offsets.map({ [$0.start, $0.end] }) != r.offsets {
        offMismatch.append("\(r.text.debugDescription): got \(e.offsets.map { [$0.start, $0.end] }) want \(r.offsets)")
      }
      if try tok.decode(r.ids, skipSpecialTokens: true) != r.decoded {
        decMismatch.append(
          "\(r.text.debugDescription): got \(try tok.decode(r.ids).debugDescription) want \(r.decoded.debugDescription)"
        )
      }
      // The fast id-only path agrees with the full encoder.
      if !addSpecialTokens { #expect(tok.encodeIds(r.text) == e.ids) }
    }
    #expect(idMismatch.isEmpty, "\(fixture): \(idMismatch.count) id mismatches, e.g. \(idMismatch.prefix(3))")
    #expect(
      tokMismatch.isEmpty, "\(fixture): \(tokMismatch.count) token-string mismatches, e.g. \(tokMismatch.prefix(2))")
    #expect(offMismatch.isEmpty, "\(fixture): \(offMismatch.count) offset mismatches, e.g. \(offMismatch.prefix(3))")
    #expect(decMismatch.isEmpty, "\(fixture): \(decMismatch.count) decode mismatches, e.g. \(decMismatch.prefix(3))")
  }

  @Test func miniLMWordPiece() throws {
    let tok = try TokenizerJSON.load(path: Fixtures.path("minilm_tokenizer.json")).with(truncation: nil, padding: nil)
    try Self.check(tok, "minilm_parity.jsonl", addSpecialTokens: true)
  }

  @Test func miniLMFromVocabTxt() throws {
    let tok = try TokenizerFiles.load(path: Fixtures.path("minilm_vocab.txt"))
    try Self.check(tok, "minilm_parity.jsonl", addSpecialTokens: true)
  }

  @Test func smolLM2ByteLevelBPE() throws {
    let tok = try TokenizerJSON.load(path: Fixtures.path("smollm2_tokenizer.json"))
    try Self.check(tok, "smollm2_parity.jsonl", addSpecialTokens: false)
  }

  @Test func gpt2FromVocabAndMerges() throws {
    let tok = try TokenizerFiles.load(path: Fixtures.path("gpt2_vocab.json"))
    try Self.check(tok, "gpt2_parity.jsonl", addSpecialTokens: false)
  }

  @Test func gpt2ThroughTheGeneralPipeline() throws {
    // A Sequence wrapper disables the fast path, so the general pipeline is checked too.
    let fast = try TokenizerFiles.load(path: Fixtures.path("gpt2_vocab.json"))
    let slow = Tokenizer(
      model: fast.model,
      preTokenizer: .sequence([.byteLevel(addPrefixSpace: false, useRegex: true, trimOffsets: true)]),
      decoder: .byteLevel, addedTokens: fast.addedTokens)
    try Self.check(slow, "gpt2_parity.jsonl", addSpecialTokens: false)
  }

  @Test func smolLM2DigitSplitVariant() throws {
    // SmolLM2's GGUF names pre-tokenizer "smollm": digits one by one, then GPT-2's regex.
    let base = try TokenizerJSON.load(path: Fixtures.path("smollm2_tokenizer.json"))
    let tok = Tokenizer(
      model: base.model, preTokenizer: try GGUFVocabulary.preTokenizer(named: "smollm", path: "test"),
      decoder: base.decoder, addedTokens: base.addedTokens)
    try Self.check(tok, "smollm2_digits_parity.jsonl", addSpecialTokens: false)
  }

  @Test(arguments: [("llama-bpe", "gpt2_llama3split_parity.jsonl"), ("qwen2", "gpt2_qwen2split_parity.jsonl")])
  func splitRegexVariants(_ pre: String, _ fixture: String) throws {
    let base = try TokenizerFiles.load(path: Fixtures.path("gpt2_vocab.json"))
    let tok = Tokenizer(
      model: base.model, preTokenizer: try GGUFVocabulary.preTokenizer(named: pre, path: "test"),
      decoder: base.decoder, addedTokens: base.addedTokens)
    try Self.check(tok, fixture, addSpecialTokens: false)
  }

  @Test func gpt2FromGGUF() throws {
    let tok = try TokenizerFiles.load(path: Fixtures.path("ggml-vocab-gpt-2.gguf"))
    try Self.check(tok, "gpt2_parity.jsonl", addSpecialTokens: false)
  }

  @Test(arguments: ["ggml-vocab-gpt-2.gguf", "ggml-vocab-bert-bge.gguf"])
  func llamaCppVectorsWithGGUFVocabulary(_ name: String) throws {
    try Self.llamaCpp(name, try TokenizerFiles.load(path: Fixtures.path(name)))
  }

  @Test(arguments: ["ggml-vocab-gpt-2.gguf", "ggml-vocab-bert-bge.gguf"])
  func llamaCppVectors(_ name: String) throws {
    let tok: Tokenizer
    if name.contains("gpt-2") {
      tok = try TokenizerFiles.load(path: Fixtures.path("gpt2_vocab.json"))
    } else {
      tok = try TokenizerFiles.load(path: Fixtures.path("minilm_vocab.txt"))
    }
    try Self.llamaCpp(name, tok)
  }

  static func llamaCpp(_ name: String, _ tok: Tokenizer) throws {
    let vectors = try Fixtures.llamaCppVectors(name)
    #expect(vectors.count == 46)
    var pass = 0
    var fails: [String] = []
    for (text, want) in vectors {
      let got = tok.encode(text, addSpecialTokens: false).ids
      if got == want { pass += 1 } else { fails.append("\(text.debugDescription): got \(got) want \(want)") }
    }
    #expect(pass == vectors.count, "\(name): \(pass)/\(vectors.count), failures \(fails.prefix(3))")
  }
}
