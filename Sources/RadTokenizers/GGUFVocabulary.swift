import Foundation
import RadModelFiles
import RadTensor

/// Builds a tokenizer from the vocabulary a GGUF model file embeds (`tokenizer.ggml.*`): the
/// token list, token types, merges for byte-level BPE (`gpt2`) or a WordPiece vocabulary
/// (`bert`), and the pre-tokenizer named by `tokenizer.ggml.pre` (GPT-2, SmolLM's one-digit
/// split, Llama-3, Qwen2, BERT).
public enum GGUFVocabulary {
  /// Loads the tokenizer of the GGUF file at `path`.
  public static func load(path: String) throws(TokenizerError) -> Tokenizer {
    let file: GGUFFile
    do { file = try GGUFFile(url: URL(fileURLWithPath: path)) } catch {
      throw .io(path: path, message: "cannot open GGUF: \(error)")
    }
    return try tokenizer(file, path: path)
  }

  /// The pre-tokenizer llama.cpp uses for a `tokenizer.ggml.pre` name.
  public static func preTokenizer(named pre: String, path: String) throws(TokenizerError) -> PreTokenizer {
    let byteLevel = PreTokenizer.byteLevel(addPrefixSpace: false, useRegex: true, trimOffsets: false)
    let bytesOnly = PreTokenizer.byteLevel(addPrefixSpace: false, useRegex: false, trimOffsets: false)
    switch pre {
    case "default", "gpt-2", "gpt2", "starcoder", "refact", "jina-es", "jina-de":
      return byteLevel
    case "smollm":
      return .sequence([.digits(individual: true), byteLevel])
    case "llama-bpe", "llama3", "llama-v3", "falcon3", "dbrx", "smaug-bpe":
      let p = try SplitPattern(regex: RegexScanner.llama3.pattern)
      return .sequence([.split(pattern: p, behavior: .isolated, invert: false), bytesOnly])
    case "qwen2", "deepseek-r1-qwen":
      let p = try SplitPattern(regex: RegexScanner.qwen2.pattern)
      return .sequence([.split(pattern: p, behavior: .isolated, invert: false), bytesOnly])
    default:
      throw .gguf(path: path, field: "tokenizer.ggml.pre", message: "unsupported pre-tokenizer '\(pre)'")
    }
  }

  static func tokenizer(_ f: GGUFFile, path: String) throws(TokenizerError) -> Tokenizer {
    guard let kind = f["tokenizer.ggml.model"]?.stringValue else {
      throw .gguf(path: path, field: "tokenizer.ggml.model", message: "missing")
    }
    guard var tokens = f["tokenizer.ggml.tokens"]?.stringArray else {
      throw .gguf(path: path, field: "tokenizer.ggml.tokens", message: "missing or not a string array")
    }
    if kind == "bert" {
      // llama.cpp stores WordPiece word starts as "▁word" and continuations without "##";
      // undo that so the vocabulary reads as BERT's vocab.txt.
      tokens = tokens.map { t in
        if ScalarText.hasPrefix(t, "\u{2581}") { return ScalarText.dropFirst(t, 1) }
        if ScalarText.hasPrefix(t, "[") && ScalarText.hasSuffix(t, "]") { return t }
        return "##" + t
      }
    }
    let types = f["tokenizer.ggml.token_type"]?.intArray ?? []
    var vocab: [String: Int32] = [:]
    vocab.reserveCapacity(tokens.count)
    for (i, t) in tokens.enumerated() where vocab[t] == nil { vocab[t] = Int32(i) }
    if vocab.count != tokens.count {
      // Duplicate strings (possible in GGUF) would leave a gap in the id range.
      throw .gguf(
        path: path, field: "tokenizer.ggml.tokens", message: "\(tokens.count - vocab.count) duplicate token strings")
    }
    // Control (3) and user-defined (4) tokens are matched before pre-tokenization.
    var added: [AddedToken] = []
    for (i, ty) in types.enumerated() where (ty == 3 || ty == 4) && i < tokens.count {
      added.append(AddedToken(id: Int32(i), content: tokens[i], special: ty == 3))
    }
    let pre = f["tokenizer.ggml.pre"]?.stringValue ?? "default"
    switch kind {
    case "gpt2":
      guard let mergeLines = f["tokenizer.ggml.merges"]?.stringArray else {
        throw .gguf(path: path, field: "tokenizer.ggml.merges", message: "missing or not a string array")
      }
      var merges: [(String, String)] = []
      merges.reserveCapacity(mergeLines.count)
      for (i, m) in mergeLines.enumerated() {
        let parts = ScalarText.split(m, on: " ")
        guard parts.count == 2 else {
          throw .gguf(path: path, field: "tokenizer.ggml.merges[\(i)]", message: "expected 'a b', got '\(m)'")
        }
        merges.append((String(parts[0]), String(parts[1])))
      }
      let model = try BPEModel(vocab: vocab, merges: merges, source: "\(path): tokenizer.ggml.merges")
      return Tokenizer(
        model: .bpe(model), preTokenizer: try preTokenizer(named: pre, path: path),
        postProcessor: boundaryTokens(f, tokens: tokens), decoder: .byteLevel, addedTokens: added)
    case "bert":
      let unk =
        f["tokenizer.ggml.unknown_token_id"]?.intValue.flatMap { $0 < tokens.count ? tokens[$0] : nil } ?? "[UNK]"
      let model = try WordPieceModel(vocab: vocab, unkToken: unk, source: "\(path): tokenizer.ggml.tokens")
      var post: PostProcessor? = nil
      if let c = f["tokenizer.ggml.cls_token_id"]?.intValue, let s = f["tokenizer.ggml.seperator_token_id"]?.intValue,
        c < tokens.count, s < tokens.count
      {
        post = .bert(sep: tokens[s], sepId: Int32(s), cls: tokens[c], clsId: Int32(c))
      }
      return Tokenizer(
        model: .wordPiece(model),
        normalizer: .bert(cleanText: true, handleChineseChars: true, stripAccents: nil, lowercase: true),
        preTokenizer: .bert, postProcessor: post, decoder: .wordPiece(prefix: "##", cleanup: true), addedTokens: added)
    default:
      throw .gguf(path: path, field: "tokenizer.ggml.model", message: "unsupported tokenizer model '\(kind)'")
    }
  }

  /// The post-processor `tokenizer.ggml.add_bos_token` / `add_eos_token` ask for: BOS before
  /// and/or EOS after each sequence (nil when neither is set, as in SmolLM2's GGUF).
  static func boundaryTokens(_ f: GGUFFile, tokens: [String]) -> PostProcessor? {
    func token(_ flag: String, _ idKey: String) -> TemplateSpecialToken? {
      guard f[flag]?.boolValue == true, let id = f[idKey]?.intValue, id >= 0, id < tokens.count else { return nil }
      return TemplateSpecialToken(id: tokens[id], ids: [Int32(id)], tokens: [tokens[id]])
    }
    let bos = token("tokenizer.ggml.add_bos_token", "tokenizer.ggml.bos_token_id")
    let eos = token("tokenizer.ggml.add_eos_token", "tokenizer.ggml.eos_token_id")
    guard bos != nil || eos != nil else { return nil }
    func pieces(_ sequence: String, typeId: Int) -> [TemplatePiece] {
      (bos.map { [.specialToken(id: $0.id, typeId: typeId)] } ?? []) + [.sequence(id: sequence, typeId: typeId)]
        + (eos.map { [.specialToken(id: $0.id, typeId: typeId)] } ?? [])
    }
    var specials = [bos, eos].compactMap { $0 }
    if specials.count == 2 && specials[0].id == specials[1].id { specials.removeLast() }
    return .template(
      single: pieces("A", typeId: 0), pair: pieces("A", typeId: 0) + pieces("B", typeId: 1), specialTokens: specials)
  }
}
