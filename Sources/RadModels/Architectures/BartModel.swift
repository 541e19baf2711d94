import RadTensor

/// BART's hyper-parameters (`model_type` "bart").
public struct BartConfiguration: Sendable {
  public var vocabularySize: Int
  public var width: Int
  public var encoderLayers: Int
  public var decoderLayers: Int
  public var encoderHeads: Int
  public var decoderHeads: Int
  public var encoderFFN: Int
  public var decoderFFN: Int
  public var maxPositions: Int
  public var activation: Activation
  public var scaleEmbedding: Bool
  public var padTokenId: Int
  public var decoderStartTokenId: Int
  public var eosTokenId: Int

  public init(_ json: ConfigJSON) throws {
    vocabularySize = try json.int("vocab_size")
    width = try json.int("d_model")
    encoderLayers = try json.int("encoder_layers")
    decoderLayers = try json.int("decoder_layers")
    encoderHeads = try json.int("encoder_attention_heads")
    decoderHeads = try json.int("decoder_attention_heads")
    encoderFFN = try json.int("encoder_ffn_dim")
    decoderFFN = try json.int("decoder_ffn_dim")
    maxPositions = try json.int("max_position_embeddings")
    activation = try Activation(
      name: try json.string("activation_function", default: "gelu"), source: json.source, field: "activation_function")
    scaleEmbedding = try json.bool("scale_embedding", default: false)
    padTokenId = try json.int("pad_token_id", default: 1)
    decoderStartTokenId = try json.int("decoder_start_token_id", default: 2)
    eosTokenId = try json.int("eos_token_id", default: 2)
    if try json.bool("add_final_layer_norm", default: false)
      || json.has("normalize_before") && (try json.bool("normalize_before", default: false))
    {
      throw ModelError.invalidConfig(
        file: json.source, field: "normalize_before", reason: "pre-norm BART variants (mBART) are not supported")
    }
  }
}

/// BART (Lewis et al. 2020), an encoder–decoder transformer: a bidirectional encoder reads the
/// source, and a causal decoder writes the target while cross-attending to the encoder's states
/// (queries from the decoder, keys and values from the encoder). Both stacks are post-norm with
/// learned positions offset by 2 and a LayerNorm on the embeddings; the LM head is tied to the
/// shared embeddings plus `final_logits_bias`. Names follow `BartForConditionalGeneration`.
public final class BartModel: TransformerModel, @unchecked Sendable {
  struct EncoderBlock {
    let selfAttention: MultiHeadAttention
    let selfAttentionNorm: LayerNorm
    let mlp: GELUFeedForward
    let finalNorm: LayerNorm
  }

  struct DecoderBlock {
    let selfAttention: MultiHeadAttention
    let selfAttentionNorm: LayerNorm
    let crossAttention: MultiHeadAttention
    let crossAttentionNorm: LayerNorm
    let mlp: GELUFeedForward
    let finalNorm: LayerNorm
  }

  public let config: BartConfiguration
  public let parameters: ParameterStore
  public let configJSON: ConfigJSON
  public let modelType = "bart"
  public let basePrefix: String? = "model"
  public var ignorableCheckpointNames: [String] {
    ["model.encoder.embed_tokens.weight", "model.decoder.embed_tokens.weight", "lm_head.weight"]
  }
  public var layerCount: Int { config.decoderLayers }

  let shared: Embedding
  let encoderPositions: Embedding
  let decoderPositions: Embedding
  let encoderEmbeddingNorm: LayerNorm
  let decoderEmbeddingNorm: LayerNorm
  let encoderBlocks: [EncoderBlock]
  let decoderBlocks: [DecoderBlock]
  let finalLogitsBias: Parameter
  static let positionOffset = 2

  public init(json: ConfigJSON, store: ParameterStore = ParameterStore(), seed: UInt64 = 0) throws {
    let config = try BartConfiguration(json)
    self.config = config
    self.configJSON = json
    self.parameters = store
    var random = SeededRandom(seed: seed)
    let root = store.scoped("model")
    let d = config.width
    shared = Embedding(
      root.scoped("shared"), count: config.vocabularySize, width: d, paddingIndex: config.padTokenId, random: &random)
    encoderPositions = Embedding(
      root.scoped("encoder.embed_positions"), count: config.maxPositions + 2, width: d, random: &random)
    decoderPositions = Embedding(
      root.scoped("decoder.embed_positions"), count: config.maxPositions + 2, width: d, random: &random)
    encoderEmbeddingNorm = LayerNorm(root.scoped("encoder.layernorm_embedding"), width: d, eps: 1e-5)
    decoderEmbeddingNorm = LayerNorm(root.scoped("decoder.layernorm_embedding"), width: d, eps: 1e-5)
    func attention(_ scope: ParameterScope, heads: Int, random: inout SeededRandom) -> MultiHeadAttention {
      let k = Linear(scope.scoped("k_proj"), inFeatures: d, outFeatures: d, random: &random)
      let v = Linear(scope.scoped("v_proj"), inFeatures: d, outFeatures: d, random: &random)
      let q = Linear(scope.scoped("q_proj"), inFeatures: d, outFeatures: d, random: &random)
      let o = Linear(scope.scoped("out_proj"), inFeatures: d, outFeatures: d, random: &random)
      return MultiHeadAttention(
        projections: .separate(query: q, key: k, value: v), output: o, heads: heads, kvHeads: heads, headDim: d / heads)
    }
    func mlp(_ scope: ParameterScope, hidden: Int, random: inout SeededRandom) -> GELUFeedForward {
      GELUFeedForward(
        up: Linear(scope.scoped("fc1"), inFeatures: d, outFeatures: hidden, random: &random),
        down: Linear(scope.scoped("fc2"), inFeatures: hidden, outFeatures: d, random: &random),
        activation: config.activation)
    }
    encoderBlocks = (0..<config.encoderLayers).map { i in
      let layer = root.scoped("encoder.layers.\(i)")
      return EncoderBlock(
        selfAttention: attention(layer.scoped("self_attn"), heads: config.encoderHeads, random: &random),
        selfAttentionNorm: LayerNorm(layer.scoped("self_attn_layer_norm"), width: d, eps: 1e-5),
        mlp: mlp(layer, hidden: config.encoderFFN, random: &random),
        finalNorm: LayerNorm(layer.scoped("final_layer_norm"), width: d, eps: 1e-5))
    }
    decoderBlocks = (0..<config.decoderLayers).map { i in
      let layer = root.scoped("decoder.layers.\(i)")
      return DecoderBlock(
        selfAttention: attention(layer.scoped("self_attn"), heads: config.decoderHeads, random: &random),
        selfAttentionNorm: LayerNorm(layer.scoped("self_attn_layer_norm"), width: d, eps: 1e-5),
        crossAttention: attention(layer.scoped("encoder_attn"), heads: config.decoderHeads, random: &random),
        crossAttentionNorm: LayerNorm(layer.scoped("encoder_attn_layer_norm"), width: d, eps: 1e-5),
        mlp: mlp(layer, hidden: config.decoderFFN, random: &random),
        finalNorm: LayerNorm(layer.scoped("final_layer_norm"), width: d, eps: 1e-5))
    }
    // A buffer in transformers (no gradient), stored [1, vocabulary].
    finalLogitsBias = store.register("final_logits_bias", Tensor.zeros([1, config.vocabularySize]), trainable: false)
  }

  var embedScale: Float { config.scaleEmbedding ? Float(config.width).squareRoot() : 1 }

  /// Encoder states [batch, sourceLength, width].
  public func encode(_ source: TokenBatch, probe: AttentionProbe? = nil) throws -> Tensor {
    try source.validate(vocabularySize: config.vocabularySize, maxPositions: config.maxPositions)
    let shape = [source.batch, source.length]
    let positions = source.resolvedPositions(offset: 0).flatMap { $0 }.map { $0 + Self.positionOffset }
    var h = encoderEmbeddingNorm(
      shared(source.ids, shape: shape) * embedScale + encoderPositions(positions, shape: shape))
    let mask = AttentionMask.make(
      batch: source.batch, queries: source.length, keys: source.length, offset: 0, causal: false,
      keyMask: source.attentionMask)
    for (i, block) in encoderBlocks.enumerated() {
      h = block.selfAttentionNorm(h + block.selfAttention(h, mask: mask, layer: i, probe: probe))
      h = block.finalNorm(h + block.mlp(h))
    }
    return h
  }

  /// Decoder states [batch, targetLength, width] for `target` given encoder states; with a
  /// cache, `target` holds only new tokens. The probes receive the weights of the decoder's
  /// self-attention and of its cross-attention (decoder queries over encoder positions).
  public func decode(
    _ target: TokenBatch, encoderStates: Tensor, sourceMask: [[Int]]?, cache: KVCache? = nil,
    selfAttentionProbe: AttentionProbe? = nil, crossAttentionProbe: AttentionProbe? = nil
  ) throws -> Tensor {
    let offset = cache?.offset ?? 0
    try target.validate(vocabularySize: config.vocabularySize, maxPositions: config.maxPositions, offset: offset)
    let shape = [target.batch, target.length]
    let positions = target.resolvedPositions(offset: offset).flatMap { $0 }.map { $0 + Self.positionOffset }
    var h = decoderEmbeddingNorm(
      shared(target.ids, shape: shape) * embedScale + decoderPositions(positions, shape: shape))
    let selfMask = AttentionMask.make(
      batch: target.batch, queries: target.length, keys: offset + target.length, offset: offset, causal: true,
      keyMask: target.attentionMask)
    let crossMask = AttentionMask.make(
      batch: target.batch, queries: target.length, keys: encoderStates.shape[1], offset: 0, causal: false,
      keyMask: sourceMask)
    for (i, block) in decoderBlocks.enumerated() {
      h = block.selfAttentionNorm(
        h + block.selfAttention(h, mask: selfMask, cache: cache, layer: i, probe: selfAttentionProbe))
      h = block.crossAttentionNorm(
        h + block.crossAttention(h, context: encoderStates, mask: crossMask, layer: i, probe: crossAttentionProbe))
      h = block.finalNorm(h + block.mlp(h))
    }
    return h
  }

  /// LM scores [batch, targetLength, vocabulary] from decoder states.
  public func logits(decoderStates: Tensor) -> Tensor {
    decoderStates.matmul(shared.weight.value, transposeOther: true) + finalLogitsBias.value
  }

  /// transformers' `shift_tokens_right`: the decoder reads the labels delayed by one step,
  /// starting from `decoder_start_token_id`, with −100 replaced by the pad id.
  public func decoderInputs(fromLabels labels: [[Int]]) -> [[Int]] {
    labels.map { row in
      ([config.decoderStartTokenId] + row.dropLast()).map { $0 == -100 ? config.padTokenId : $0 }
    }
  }

  /// Mean cross-entropy of the labels (−100 ignored), as `BartForConditionalGeneration(labels:)`.
  public func loss(source: TokenBatch, labels: [[Int]]) throws -> Tensor {
    let encoded = try encode(source)
    let decoderBatch = TokenBatch(rows: decoderInputs(fromLabels: labels))
    let states = try decode(decoderBatch, encoderStates: encoded, sourceMask: source.attentionMask)
    let scores = logits(decoderStates: states)
    return scores.reshaped([decoderBatch.batch * decoderBatch.length, config.vocabularySize])
      .crossEntropy(targets: labels.flatMap { $0 })
  }

  /// Greedy decoding with a KV cache over the decoder's self-attention: starts from
  /// `decoder_start_token_id`, stops at `eos_token_id` or after `maxTokens`.
  public func generateGreedy(source: [Int], maxTokens: Int) throws -> [Int] {
    try Autograd.inferenceMode {
      let encoded = try encode(TokenBatch(source))
      let cache = StandardKVCache(layers: config.decoderLayers, capacity: maxTokens + 1)
      var next = config.decoderStartTokenId
      var output: [Int] = []
      for _ in 0..<maxTokens {
        let states = try decode(TokenBatch([next]), encoderStates: encoded, sourceMask: nil, cache: cache)
        let scores = logits(decoderStates: states)
        next = scores.argmax(axis: -1).last ?? config.eosTokenId
        output.append(next)
        if next == config.eosTokenId { break }
      }
      return output
    }
  }
}
