import Foundation
import RadModels
import RadTensor
import RadTokenizers

/// Generation with an encoder–decoder model (BART): the source text is encoded once, and the
/// decoder, conditioned on it, is handed to `TextGenerator` starting from
/// `decoder_start_token_id`, so sampling, the KV cache, EOS, stop strings and batching are the
/// very code decoder-only models use. As in transformers, the repetition penalty sees the
/// decoder's tokens (start token included), not the source.
public final class EncoderDecoderGenerator: @unchecked Sendable {
  public let model: any EncoderDecoderModel
  public let tokenizer: Tokenizer

  public init(model: any EncoderDecoderModel, tokenizer: Tokenizer) {
    self.model = model
    self.tokenizer = tokenizer
  }

  /// Generates a target for one source; `promptTokens` of the result counts the source.
  public func generate(sourceIds: [Int], settings: GenerationSettings, onText: ((String) -> Void)? = nil) throws
    -> GenerationResult
  {
    guard !sourceIds.isEmpty else { throw ModelError.invalidInput("the source encodes to no tokens") }
    let start = Date()
    let decoder = try Autograd.inferenceMode { try model.conditionedDecoder(source: TokenBatch(sourceIds)) }
    let encoding = Date().timeIntervalSince(start)
    var result = try TextGenerator(model: decoder, tokenizer: tokenizer)
      .generate(promptIds: [model.decoderStartTokenId], settings: settings, onText: onText)
    result.promptTokens = sourceIds.count
    result.prefillSeconds += encoding
    return result
  }

  /// Generates for several sources at once: sources are right-padded with the model's pad id
  /// (masked out of cross-attention, as Hugging Face tokenizers pad them); row r samples with
  /// seed `settings.seed + r`, as in `TextGenerator.generateBatch`.
  public func generateBatch(sourceIds sources: [[Int]], settings: GenerationSettings) throws -> [GenerationResult] {
    guard !sources.isEmpty, sources.allSatisfy({ !$0.isEmpty }) else {
      throw ModelError.invalidInput("every source must encode to at least one token")
    }
    let longest = sources.map(\.count).max()!
    let pad = model.sourcePadTokenId
    let rows = sources.map { $0 + [Int](repeating: pad, count: longest - $0.count) }
    let mask = sources.map { [Int](repeating: 1, count: $0.count) + [Int](repeating: 0, count: longest - $0.count) }
    let start = Date()
    let decoder = try Autograd.inferenceMode {
      try model.conditionedDecoder(source: TokenBatch(rows: rows, attentionMask: sources.count > 1 ? mask : nil))
    }
    let encoding = Date().timeIntervalSince(start)
    let prompts = [[Int]](repeating: [model.decoderStartTokenId], count: sources.count)
    return try TextGenerator(model: decoder, tokenizer: tokenizer)
      .generateBatch(promptIds: prompts, settings: settings, padId: pad)
      .enumerated().map { r, result in
        var result = result
        result.promptTokens = sources[r].count
        result.prefillSeconds += encoding
        return result
      }
  }
}
