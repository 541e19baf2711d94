import RadTensor

extension BertModel {
  /// Hidden states [batch, length, width] after the embeddings and only the first `layers`
  /// blocks (0 = the embedding output, `config.layers` = `hiddenStates`). Metrics such as
  /// BERTScore read an intermediate layer; stopping there is what bert-score does when it cuts
  /// the encoder after `num_layers`, and skips the cost of the blocks above.
  public func hiddenStates(_ batch: TokenBatch, throughLayer layers: Int, probe: AttentionProbe? = nil) throws
    -> Tensor
  {
    guard layers >= 0 && layers <= config.layers else {
      throw ModelError.invalidInput("layer \(layers) outside 0...\(config.layers) of this BERT model")
    }
    try batch.validate(vocabularySize: config.vocabularySize, maxPositions: config.maxPositions)
    let shape = [batch.batch, batch.length]
    let positions = batch.resolvedPositions(offset: 0).flatMap { $0 }
    let types = batch.tokenTypes?.flatMap { $0 } ?? [Int](repeating: 0, count: batch.ids.count)
    if let bad = types.first(where: { $0 < 0 || $0 >= config.typeVocabularySize }) {
      throw ModelError.invalidInput("token type \(bad) outside type_vocab_size \(config.typeVocabularySize)")
    }
    var h = embeddingNorm(
      wordEmbeddings(batch.ids, shape: shape) + tokenTypeEmbeddings(types, shape: shape)
        + positionEmbeddings(positions, shape: shape))
    let mask = AttentionMask.make(
      batch: batch.batch, queries: batch.length, keys: batch.length, offset: 0, causal: false,
      keyMask: batch.attentionMask)
    for (i, block) in blocks.prefix(layers).enumerated() {
      h = block.attentionNorm(h + block.attention(h, mask: mask, layer: i, probe: probe))
      h = block.outputNorm(h + block.output(config.activation(block.intermediate(h))))
    }
    return h
  }
}
