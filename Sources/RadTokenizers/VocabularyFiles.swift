import Foundation

/// Loaders for the older vocabulary file formats: GPT-2's `vocab.json` + `merges.txt` pair and
/// BERT's `vocab.txt`, plus `TokenizerFiles.load`, which accepts any supported path (a
/// `tokenizer.json`, a model directory, a GGUF file, a `vocab.json` or a `vocab.txt`).
public enum TokenizerFiles {
  /// Loads whatever tokenizer `path` names.
  public static func load(path: String) throws(TokenizerError) -> Tokenizer {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
      throw .io(path: path, message: "no such file or directory")
    }
    let url = URL(fileURLWithPath: path)
    if isDir.boolValue {
      for name in ["tokenizer.json", "vocab.json", "vocab.txt"] {
        let p = url.appendingPathComponent(name).path
        if FileManager.default.fileExists(atPath: p) { return try load(path: p) }
      }
      let ggufs = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".gguf") }
        .sorted()
      if let g = ggufs.first { return try GGUFVocabulary.load(path: url.appendingPathComponent(g).path) }
      throw .io(path: path, message: "directory holds no tokenizer.json, vocab.json, vocab.txt or .gguf file")
    }
    let name = url.lastPathComponent
    if name.hasSuffix(".gguf") { return try GGUFVocabulary.load(path: path) }
    if name.hasSuffix(".txt") { return try bertVocabTxt(path: path) }
    if name.hasSuffix("vocab.json") {
      let merges = url.deletingLastPathComponent().appendingPathComponent(
        name.replacingOccurrences(of: "vocab.json", with: "merges.txt")
      ).path
      return try gpt2(vocabPath: path, mergesPath: merges)
    }
    return try TokenizerJSON.load(path: path)
  }

  static func read(_ path: String) throws(TokenizerError) -> Data {
    do { return try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
      throw .io(path: path, message: "cannot read: \(error.localizedDescription)")
    }
  }

  /// Reads a GPT-2 `merges.txt`: an optional `#version` line, then `left right` per line.
  public static func readMerges(path: String) throws(TokenizerError) -> [(String, String)] {
    let data = try read(path)
    let bytes = [UInt8](data)
    _ = try bytes.withUnsafeBufferPointer { b throws(TokenizerError) in try UTF8Codec.decode(b, source: path) }
    let text = String(decoding: bytes, as: UTF8.self)
    var out: [(String, String)] = []
    var lineNo = 0
    for raw in ScalarText.split(text, on: "\n") {
      lineNo += 1
      var line = raw
      if line.unicodeScalars.last == "\r" { line = String(String.UnicodeScalarView(line.unicodeScalars.dropLast())) }
      if line.isEmpty || (lineNo == 1 && ScalarText.hasPrefix(line, "#version")) { continue }
      let parts = ScalarText.split(line, on: " ")
      guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
        throw .malformedLine(
          source: path, line: lineNo, message: "expected two tokens separated by one space, got '\(line)'")
      }
      out.append((String(parts[0]), String(parts[1])))
    }
    return out
  }

  /// Reads a `vocab.json` object of token -> id.
  public static func readVocabJSON(path: String) throws(TokenizerError) -> [String: Int32] {
    let data = try read(path)
    let obj: Any
    do { obj = try FastJSON.parse(data) } catch {
      throw .malformedJSON(source: path, field: "", message: "not valid JSON (\(error))")
    }
    guard let d = obj as? JSONObject else {
      throw .malformedJSON(source: path, field: "", message: "expected an object of token: id")
    }
    var v: [String: Int32] = [:]
    for (k, x) in zip(d.keys, d.values) {
      guard let n = JSONNumber.int(x), n >= 0, n <= Int(Int32.max) else {
        throw .malformedJSON(source: path, field: k, message: "id is not a number")
      }
      v[k] = Int32(n)
    }
    return v
  }

  /// GPT-2 byte-level BPE from `vocab.json` and `merges.txt`.
  public static func gpt2(vocabPath: String, mergesPath: String) throws(TokenizerError) -> Tokenizer {
    let vocab = try readVocabJSON(path: vocabPath)
    let merges = try readMerges(path: mergesPath)
    let model = try BPEModel(vocab: vocab, merges: merges, source: mergesPath)
    var added: [AddedToken] = []
    if let eot = vocab["<|endoftext|>"] { added.append(AddedToken(id: eot, content: "<|endoftext|>", special: true)) }
    return Tokenizer(
      model: .bpe(model), preTokenizer: .byteLevel(addPrefixSpace: false, useRegex: true, trimOffsets: true),
      decoder: .byteLevel, addedTokens: added)
  }

  /// BERT uncased WordPiece from `vocab.txt`.
  public static func bertVocabTxt(path: String, lowercase: Bool = true) throws(TokenizerError) -> Tokenizer {
    let vocab = try WordPieceModel.readVocabTxt(path)
    let model = try WordPieceModel(vocab: vocab, source: path)
    var added: [AddedToken] = []
    for t in ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] {
      if let id = vocab[t] { added.append(AddedToken(id: id, content: t, special: true)) }
    }
    added.sort { $0.id < $1.id }
    var post: PostProcessor? = nil
    if let c = vocab["[CLS]"], let s = vocab["[SEP]"] { post = .bert(sep: "[SEP]", sepId: s, cls: "[CLS]", clsId: c) }
    return Tokenizer(
      model: .wordPiece(model),
      normalizer: .bert(cleanText: true, handleChineseChars: true, stripAccents: nil, lowercase: lowercase),
      preTokenizer: .bert, postProcessor: post, decoder: .wordPiece(prefix: "##", cleanup: true), addedTokens: added)
  }
}
