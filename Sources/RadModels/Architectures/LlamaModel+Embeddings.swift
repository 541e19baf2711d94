import RadTensor

/// A language model that also takes input vectors in place of token ids. Multimodal models
/// (LLaVA-style early fusion) project image features to the width of the token embeddings and
/// splice them between the embeddings of a prompt's tokens; the decoder then runs as usual.
public protocol EmbeddingInputLanguageModel: LanguageModel {
  /// Width of one input vector (the token embedding width).
  var embeddingWidth: Int { get }
  /// The input vectors [1, ids.count, width] of `ids`.
  func tokenEmbeddings(_ ids: [Int]) throws -> Tensor
  /// Scores [batch, length, vocabulary] for input vectors [batch, length, width] (`attentionMask`
  /// as in `TokenBatch`; with a cache, positions continue from `cache.offset`).
  func logits(embeddings: Tensor, attentionMask: [[Int]]?, cache: KVCache?) throws -> Tensor
  /// Scores [batch, vocabulary] of the last position only (prefill for generation).
  func lastLogits(embeddings: Tensor, cache: KVCache?) throws -> Tensor
}

extension LlamaModel: EmbeddingInputLanguageModel {
  public var embeddingWidth: Int { config.width }

  public func tokenEmbeddings(_ ids: [Int]) throws -> Tensor {
    try TokenBatch(ids).validate(vocabularySize: config.vocabularySize, maxPositions: nil)
    return embedTokens(ids, shape: [1, ids.count])
  }

  /// The batch shape (ids unused) of input vectors [batch, length, width].
  func shapeBatch(_ embeddings: Tensor, attentionMask: [[Int]]?) throws -> TokenBatch {
    guard embeddings.rank == 3, embeddings.shape[2] == config.width, embeddings.shape[1] > 0 else {
      throw ModelError.invalidInput("input vectors must be [batch, length, \(config.width)], got \(embeddings.shape)")
    }
    let (rows, length) = (embeddings.shape[0], embeddings.shape[1])
    return TokenBatch(
      ids: [Int](repeating: 0, count: rows * length), batch: rows, length: length, attentionMask: attentionMask)
  }

  public func logits(embeddings: Tensor, attentionMask: [[Int]]?, cache: KVCache?) throws -> Tensor {
    let hidden = try transform(
      embeddings, try shapeBatch(embeddings, attentionMask: attentionMask), cache: cache, probe: nil)
    if let lmHead { return lmHead(hidden) }
    return hidden.matmul(embedTokens.weight.value, transposeOther: true)
  }

  public func lastLogits(embeddings: Tensor, cache: KVCache?) throws -> Tensor {
    let hidden = lastPosition(
      try transform(embeddings, try shapeBatch(embeddings, attentionMask: nil), cache: cache, probe: nil))
    if let lmHead { return lmHead(hidden) }
    if let matrix = quantizedHead.matrix(for: hidden) { return matrix.apply(hidden, bias: nil) }
    return hidden.matmul(embedTokens.weight.value, transposeOther: true)
  }
}
