import RadModelFiles
import RadTensor

/// The inverse of `GGUFVocabulary.load`: the `tokenizer.ggml.*` metadata llama.cpp's converter
/// writes for a byte-level BPE tokenizer (model "gpt2"): the token strings by id, their types
/// (1 normal, 3 control for special added tokens, 4 user-defined for other added tokens), the
/// merges as "a b" lines, the pre-tokenizer's llama.cpp name, and the special token ids.
extension GGUFVocabulary {
  /// Special token ids to record (`nil` = not written).
  public struct SpecialTokens: Sendable {
    public var bos: Int?
    public var eos: Int?
    public var padding: Int?
    public init(bos: Int? = nil, eos: Int? = nil, padding: Int? = nil) {
      self.bos = bos
      self.eos = eos
      self.padding = padding
    }
  }

  /// Metadata entries for `tokenizer`, in llama.cpp's order.
  public static func metadata(
    for tokenizer: Tokenizer, special: SpecialTokens, chatTemplate: String? = nil
  ) throws(TokenizerError) -> [(key: String, value: GGUFValue)] {
    guard case .bpe(let bpe) = tokenizer.model else {
      throw .gguf(
        path: "(writing)", field: "tokenizer.ggml.model",
        message: "only byte-level BPE tokenizers can be written to GGUF")
    }
    guard tokenizer.normalizer == nil, let pre = preTokenizerName(tokenizer.preTokenizer) else {
      throw .gguf(
        path: "(writing)", field: "tokenizer.ggml.pre",
        message: "no llama.cpp pre-tokenizer matches this tokenizer's normalizer/pre-tokenizer")
    }
    let tokens = bpe.idToToken
    var types = [Int32](repeating: 1, count: tokens.count)
    for added in tokenizer.addedTokens where Int(added.id) < tokens.count {
      types[Int(added.id)] = added.special ? 3 : 4
    }
    let merges = bpe.merges.map { "\(tokens[Int($0.0)]) \(tokens[Int($0.1)])" }
    var entries: [(key: String, value: GGUFValue)] = [
      ("tokenizer.ggml.model", .string("gpt2")),
      ("tokenizer.ggml.pre", .string(pre)),
      ("tokenizer.ggml.tokens", .array(elementType: .string, values: tokens.map { .string($0) })),
      ("tokenizer.ggml.token_type", .array(elementType: .int32, values: types.map { .int32($0) })),
      ("tokenizer.ggml.merges", .array(elementType: .string, values: merges.map { .string($0) })),
    ]
    if let bos = special.bos { entries.append(("tokenizer.ggml.bos_token_id", .uint32(UInt32(bos)))) }
    if let eos = special.eos { entries.append(("tokenizer.ggml.eos_token_id", .uint32(UInt32(eos)))) }
    if let unk = bpe.unkToken.flatMap({ tokenizer.tokenToId($0) }) {
      entries.append(("tokenizer.ggml.unknown_token_id", .uint32(UInt32(unk))))
    }
    if let pad = special.padding { entries.append(("tokenizer.ggml.padding_token_id", .uint32(UInt32(pad)))) }
    // Whether the Hugging Face tokenizer puts BOS in front or EOS behind by default (its
    // post-processor does); `GGUFVocabulary.load` restores this as a post-processor.
    let probe = tokenizer.encode("a", addSpecialTokens: true).ids
    entries.append(("tokenizer.ggml.add_bos_token", .bool(special.bos.map { probe.first == $0 } ?? false)))
    entries.append(
      ("tokenizer.ggml.add_eos_token", .bool(special.eos.map { probe.count > 1 && probe.last == $0 } ?? false)))
    if let chatTemplate { entries.append(("tokenizer.chat_template", .string(chatTemplate))) }
    return entries
  }

  /// The `tokenizer.ggml.pre` name whose pre-tokenizer (`preTokenizer(named:)`) splits text as
  /// `preTokenizer` does (ByteLevel's offset trimming does not change the split), or nil.
  public static func preTokenizerName(_ preTokenizer: PreTokenizer?) -> String? {
    guard let preTokenizer else { return nil }
    let target = withoutOffsetTrimming(preTokenizer)
    for name in ["gpt-2", "smollm", "llama-bpe", "qwen2"] {
      if let candidate = try? GGUFVocabulary.preTokenizer(named: name, path: "(writing)"), candidate == target {
        return name
      }
    }
    return nil
  }

  static func withoutOffsetTrimming(_ p: PreTokenizer) -> PreTokenizer {
    switch p {
    case .byteLevel(let prefix, let regex, _):
      return .byteLevel(addPrefixSpace: prefix, useRegex: regex, trimOffsets: false)
    case .sequence(let list): return .sequence(list.map(withoutOffsetTrimming))
    default: return p
    }
  }
}
