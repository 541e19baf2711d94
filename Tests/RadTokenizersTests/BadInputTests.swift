import Foundation
import RadTokenizers
import Testing

/// Bad input produces typed errors that name the file, field or line, never a crash.
@Suite struct BadInputTests {
  static func temp(_ name: String, _ content: String) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("radtok-bad-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let p = dir.appendingPathComponent(name).path
    try content.write(toFile: p, atomically: true, encoding: .utf8)
    return p
  }

  @Test func invalidUTF8IsReportedWithOffset() {
    #expect(throws: TokenizerError.invalidUTF8(source: "stdin", byteOffset: 2)) {
      try StrictUTF8.string([0x61, 0x62, 0xC3, 0x28], source: "stdin")
    }
    #expect(throws: TokenizerError.invalidUTF8(source: "stdin", byteOffset: 0)) {
      try StrictUTF8.string([0xED, 0xA0, 0x80], source: "stdin")
    }
    #expect(throws: TokenizerError.invalidUTF8(source: "stdin", byteOffset: 1)) {
      try StrictUTF8.string([0x61, 0xF0, 0x9F], source: "stdin")
    }
    #expect((try? StrictUTF8.string(Array("ok ✅".utf8), source: "stdin")) == "ok ✅")
  }

  @Test func malformedJSON() throws {
    let p = try Self.temp("tokenizer.json", "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, ")
    #expect {
      try TokenizerJSON.load(path: p)
    } throws: { e in
      guard case TokenizerError.malformedJSON(let source, _, _) = e else { return false }
      return source == p
    }
  }

  @Test func unknownComponentTypeIsNamed() throws {
    let json = #"{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}, "normalizer": {"type": "Precompiled"}}"#
    #expect(throws: TokenizerError.unknownComponent(kind: "normalizer", type: "Precompiled")) {
      try TokenizerJSON.load(data: Data(json.utf8))
    }
    let model = #"{"model": {"type": "Unigram", "vocab": []}}"#
    #expect(throws: TokenizerError.unknownComponent(kind: "model", type: "Unigram")) {
      try TokenizerJSON.load(data: Data(model.utf8))
    }
    let pre =
      #"{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}, "pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "UnicodeScripts"}]}}"#
    #expect(throws: TokenizerError.unknownComponent(kind: "pre-tokenizer", type: "UnicodeScripts")) {
      try TokenizerJSON.load(data: Data(pre.utf8))
    }
  }

  @Test func mergesLineWithOneToken() throws {
    let v = try Self.temp("vocab.json", #"{"a": 0, "b": 1, "ab": 2}"#)
    let m = URL(fileURLWithPath: v).deletingLastPathComponent().appendingPathComponent("merges.txt").path
    try "#version: 0.2\na b\nab\n".write(toFile: m, atomically: true, encoding: .utf8)
    #expect(
      throws: TokenizerError.malformedLine(
        source: m, line: 3, message: "expected two tokens separated by one space, got 'ab'")
    ) {
      try TokenizerFiles.load(path: v)
    }
  }

  @Test func vocabularyWithAGap() throws {
    let json = #"{"model": {"type": "BPE", "vocab": {"a": 0, "b": 2}, "merges": []}}"#
    #expect {
      try TokenizerJSON.load(data: Data(json.utf8))
    } throws: { e in
      guard case TokenizerError.vocabularyGap(_, let id) = e else { return false }
      return id == 1
    }
  }

  @Test func mergeOfUnknownToken() throws {
    let json = #"{"model": {"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": ["a b"]}}"#
    #expect(throws: TokenizerError.self) { try TokenizerJSON.load(data: Data(json.utf8)) }
  }

  /// A minimal GGUF v3 file: no tensors and the given string key/values.
  static func gguf(_ kv: [(String, String)]) -> Data {
    var d = Data()
    func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
    func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
    func str(_ s: String) { u64(UInt64(s.utf8.count)); d.append(contentsOf: Array(s.utf8)) }
    u32(0x4655_4747); u32(3); u64(0); u64(UInt64(kv.count))
    for (k, v) in kv { str(k); u32(8); str(v) }
    while d.count % 32 != 0 { d.append(0) }
    return d
  }

  @Test func ggufWithoutTokenizerOrWithUnsupportedOne() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("radtok-gguf-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let none = dir.appendingPathComponent("none.gguf").path
    try Self.gguf([("general.architecture", "llama")]).write(to: URL(fileURLWithPath: none))
    #expect(throws: TokenizerError.gguf(path: none, field: "tokenizer.ggml.model", message: "missing")) {
      try TokenizerFiles.load(path: none)
    }
    let unigram = dir.appendingPathComponent("t5.gguf").path
    try Self.gguf([("tokenizer.ggml.model", "t5")]).write(to: URL(fileURLWithPath: unigram))
    #expect(
      throws: TokenizerError.gguf(
        path: unigram, field: "tokenizer.ggml.tokens", message: "missing or not a string array")
    ) {
      try TokenizerFiles.load(path: unigram)
    }
    let text = dir.appendingPathComponent("not.gguf").path
    try "hello".write(toFile: text, atomically: true, encoding: .utf8)
    #expect {
      try TokenizerFiles.load(path: text)
    } throws: { e in
      guard case TokenizerError.io(let p, _) = e else { return false }
      return p == text
    }
    #expect(
      throws: TokenizerError.gguf(
        path: "x.gguf", field: "tokenizer.ggml.pre", message: "unsupported pre-tokenizer 'mystery'")
    ) {
      try GGUFVocabulary.preTokenizer(named: "mystery", path: "x.gguf")
    }
  }

  @Test func missingFileAndWrongFieldTypes() throws {
    #expect(throws: TokenizerError.self) { try TokenizerFiles.load(path: "/nonexistent/tokenizer.json") }
    let json = #"{"model": {"type": "WordPiece", "vocab": {"[UNK]": "zero"}}}"#
    #expect(
      throws: TokenizerError.malformedJSON(
        source: "tokenizer.json", field: "model.vocab.[UNK]", message: "id is not a number")
    ) {
      try TokenizerJSON.load(data: Data(json.utf8))
    }
  }
}
