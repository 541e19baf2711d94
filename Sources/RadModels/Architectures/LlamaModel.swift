import RadTensor

/// Llama-family hyper-parameters (Llama 2/3, SmolLM2, TinyLlama; Qwen2 adds q/k/v biases).
public struct LlamaConfiguration: Sendable {
  public var modelType: String = "llama"
  public var vocabularySize: Int
  public var width: Int
  public var intermediateWidth: Int
  public var layers: Int
  public var heads: Int
  public var kvHeads: Int
  public var headDim: Int
  public var rmsNormEps: Float
  public var ropeTheta: Double
  /// Long-context rescaling of the rotary frequencies (`rope_parameters.rope_type`).
  public var ropeScaling: RopeScaling = .none
  public var maxPositions: Int
  public var tieWordEmbeddings: Bool
  /// Biases on q/k/v (Qwen2) …
  public var qkvBias: Bool
  /// … and on the output projection (Llama's `attention_bias` sets both).
  public var outputBias: Bool
  public var mlpBias: Bool = false
  /// GGUF checkpoints keep q/k rows in llama.cpp's order; RoPE then pairs neighbours.
  public var interleavedRotary: Bool = false
  public var bosTokenId: Int?
  /// `pad_token_id`: Llama's embedding gives this row no gradient (Qwen2's does not).
  public var padTokenId: Int?
  public var eosTokenIds: [Int] = []

  public init(
    vocabularySize: Int, width: Int, intermediateWidth: Int, layers: Int, heads: Int, kvHeads: Int,
    headDim: Int? = nil, rmsNormEps: Float = 1e-5, ropeTheta: Double = 10_000, maxPositions: Int = 2048,
    tieWordEmbeddings: Bool = false, qkvBias: Bool = false, outputBias: Bool = false
  ) {
    self.vocabularySize = vocabularySize
    self.width = width
    self.intermediateWidth = intermediateWidth
    self.layers = layers
    self.heads = heads
    self.kvHeads = kvHeads
    self.headDim = headDim ?? width / heads
    self.rmsNormEps = rmsNormEps
    self.ropeTheta = ropeTheta
    self.maxPositions = maxPositions
    self.tieWordEmbeddings = tieWordEmbeddings
    self.qkvBias = qkvBias
    self.outputBias = outputBias
  }

  public init(_ json: ConfigJSON) throws {
    let type = try json.string("model_type", default: "llama")
    let width = try json.int("hidden_size")
    let heads = try json.int("num_attention_heads")
    var theta = try json.double("rope_theta", default: 10_000)
    let maxPositions = try json.int("max_position_embeddings", default: 2048)
    var scaling = RopeScaling.none
    if let rope = json.object("rope_parameters") ?? json.object("rope_scaling") {
      scaling = try RopeScaling(rope, in: json)
      theta = try rope.double("rope_theta", default: theta)
    }
    let attentionBias = try json.bool("attention_bias", default: false)
    self.init(
      vocabularySize: try json.int("vocab_size"), width: width, intermediateWidth: try json.int("intermediate_size"),
      layers: try json.int("num_hidden_layers"), heads: heads,
      kvHeads: try json.int("num_key_value_heads", default: heads),
      headDim: json.optionalInt("head_dim"), rmsNormEps: Float(try json.double("rms_norm_eps", default: 1e-6)),
      ropeTheta: theta, maxPositions: maxPositions,
      tieWordEmbeddings: try json.bool("tie_word_embeddings", default: false),
      qkvBias: type == "qwen2" ? true : attentionBias, outputBias: type == "qwen2" ? false : attentionBias)
    modelType = type
    ropeScaling = scaling
    mlpBias = try json.bool("mlp_bias", default: false)
    bosTokenId = json.optionalInt("bos_token_id")
    padTokenId = type == "qwen2" ? nil : json.optionalInt("pad_token_id")
    eosTokenIds = json.intList("eos_token_id")
    let act = try json.string("hidden_act", default: "silu")
    guard act == "silu" else {
      throw ModelError.invalidConfig(file: json.source, field: "hidden_act", reason: "is \"\(act)\"; Llama needs silu")
    }
    guard heads % kvHeads == 0 else {
      throw ModelError.invalidConfig(
        file: json.source, field: "num_key_value_heads", reason: "does not divide num_attention_heads \(heads)")
    }
  }

  public var json: ConfigJSON {
    var values: [String: Any] = [
      "model_type": modelType, "architectures": [modelType == "qwen2" ? "Qwen2ForCausalLM" : "LlamaForCausalLM"],
      "vocab_size": vocabularySize, "hidden_size": width, "intermediate_size": intermediateWidth,
      "num_hidden_layers": layers, "num_attention_heads": heads, "num_key_value_heads": kvHeads, "head_dim": headDim,
      "rms_norm_eps": Double(rmsNormEps), "rope_theta": ropeTheta, "max_position_embeddings": maxPositions,
      "tie_word_embeddings": tieWordEmbeddings, "hidden_act": "silu", "mlp_bias": mlpBias,
    ]
    if modelType != "qwen2" { values["attention_bias"] = qkvBias }
    if ropeScaling != .none {
      values["rope_parameters"] = ropeScaling.parameters.merging(["rope_theta": ropeTheta]) { a, _ in a }
    }
    if let bosTokenId { values["bos_token_id"] = bosTokenId }
    if let padTokenId { values["pad_token_id"] = padTokenId }
    if !eosTokenIds.isEmpty { values["eos_token_id"] = eosTokenIds.count == 1 ? eosTokenIds[0] : eosTokenIds }
    return ConfigJSON(values: values)
  }
}

/// Llama (Touvron et al. 2023) and its relatives: a decoder-only transformer with pre-RMSNorm
/// blocks, rotary positions, grouped-query attention and a SwiGLU MLP. Names follow
/// `LlamaForCausalLM` (`model.layers.0.self_attn.q_proj.weight`, `lm_head.weight`).
public final class LlamaModel: LanguageModel, @unchecked Sendable {
  struct Block {
    let inputNorm: RMSNorm
    let attention: MultiHeadAttention
    let postAttentionNorm: RMSNorm
    let mlp: SwiGLUFeedForward
  }

  public let config: LlamaConfiguration
  public let parameters: ParameterStore
  public var configJSON: ConfigJSON { config.json }
  public var modelType: String { config.modelType }
  public let basePrefix: String? = "model"
  public var ignorableCheckpointNames: [String] {
    (config.tieWordEmbeddings ? ["lm_head.weight"] : [])
      + (0..<config.layers).map { "model.layers.\($0).self_attn.rotary_emb.inv_freq" }
  }
  public var vocabularySize: Int { config.vocabularySize }
  public var maxPositions: Int? { config.maxPositions }
  public var layerCount: Int { config.layers }
  public let rotary: RotaryEmbedding
  /// Whether `lastLogits` runs one-token steps through `decodeStep` (LlamaDecodeStep.swift);
  /// off only to compare it with the general path (tests, `radlm bench decode --compare`), with
  /// `LlamaModel.$usesDecodeStep.withValue(false) { … }`: a task-local, so that switching it in one
  /// task (a test) does not change what others running at the same time exercise.
  @TaskLocal public static var usesDecodeStep = true
  /// The tied LM head in quantised form (set by `ModelQuantizer`).
  public let quantizedHead = QuantizedWeightSlot()

  let embedTokens: Embedding
  let blocks: [Block]
  let norm: RMSNorm
  let lmHead: Linear?

  public init(config: LlamaConfiguration, store: ParameterStore = ParameterStore(), seed: UInt64 = 0) {
    self.config = config
    self.parameters = store
    var random = SeededRandom(seed: seed)
    let root = store.scoped("model")
    let d = config.width
    embedTokens = Embedding(
      root.scoped("embed_tokens"), count: config.vocabularySize, width: d, paddingIndex: config.padTokenId,
      random: &random)
    blocks = (0..<config.layers).map { i in
      let layer = root.scoped("layers.\(i)")
      let attn = layer.scoped("self_attn")
      let qDim = config.heads * config.headDim
      let kvDim = config.kvHeads * config.headDim
      let q = Linear(attn.scoped("q_proj"), inFeatures: d, outFeatures: qDim, bias: config.qkvBias, random: &random)
      let k = Linear(attn.scoped("k_proj"), inFeatures: d, outFeatures: kvDim, bias: config.qkvBias, random: &random)
      let v = Linear(attn.scoped("v_proj"), inFeatures: d, outFeatures: kvDim, bias: config.qkvBias, random: &random)
      let o = Linear(attn.scoped("o_proj"), inFeatures: qDim, outFeatures: d, bias: config.outputBias, random: &random)
      return Block(
        inputNorm: RMSNorm(layer.scoped("input_layernorm"), width: d, eps: config.rmsNormEps),
        attention: MultiHeadAttention(
          projections: .separate(query: q, key: k, value: v), output: o, heads: config.heads,
          kvHeads: config.kvHeads, headDim: config.headDim),
        postAttentionNorm: RMSNorm(layer.scoped("post_attention_layernorm"), width: d, eps: config.rmsNormEps),
        mlp: SwiGLUFeedForward(
          layer.scoped("mlp"), width: d, hidden: config.intermediateWidth, bias: config.mlpBias, random: &random))
    }
    norm = RMSNorm(root.scoped("norm"), width: d, eps: config.rmsNormEps)
    lmHead =
      config.tieWordEmbeddings
      ? nil
      : Linear(store.scoped("lm_head"), inFeatures: d, outFeatures: config.vocabularySize, bias: false, random: &random)
    rotary = RotaryEmbedding(
      headDim: config.headDim, base: config.ropeTheta, interleaved: config.interleavedRotary,
      scaling: config.ropeScaling)
  }

  public convenience init(json: ConfigJSON, store: ParameterStore = ParameterStore(), seed: UInt64 = 0) throws {
    self.init(config: try LlamaConfiguration(json), store: store, seed: seed)
  }

  /// Final hidden states [batch, length, width] after the last RMSNorm.
  public func hiddenStates(_ batch: TokenBatch, cache: KVCache? = nil, probe: AttentionProbe? = nil) throws -> Tensor {
    let offset = cache?.offset ?? 0
    try batch.validate(vocabularySize: config.vocabularySize, maxPositions: nil, offset: offset)
    return try transform(embedTokens(batch.ids, shape: [batch.batch, batch.length]), batch, cache: cache, probe: probe)
  }

  /// The decoder blocks and final norm over input vectors [batch, length, width]; `batch` gives
  /// the shape, attention mask and positions (its ids are not read).
  func transform(_ embedded: Tensor, _ batch: TokenBatch, cache: KVCache?, probe: AttentionProbe?) throws -> Tensor {
    let offset = cache?.offset ?? 0
    let positions = batch.resolvedPositions(offset: offset)
    let angles = rotary.angles(positions: positions)
    var h = embedded
    let mask = AttentionMask.make(
      batch: batch.batch, queries: batch.length, keys: offset + batch.length, offset: offset, causal: true,
      keyMask: batch.attentionMask)
    for (i, block) in blocks.enumerated() {
      h =
        h
        + block.attention(
          block.inputNorm(h), mask: mask, rotary: (angles.cos, angles.sin, rotary.interleaved), cache: cache, layer: i,
          probe: probe)
      h = h + block.mlp(block.postAttentionNorm(h))
    }
    return norm(h)
  }

  public func logits(_ batch: TokenBatch, cache: KVCache?, probe: AttentionProbe?) throws -> Tensor {
    let hidden = try hiddenStates(batch, cache: cache, probe: probe)
    if let lmHead { return lmHead(hidden) }
    return hidden.matmul(embedTokens.weight.value, transposeOther: true)
  }

  public func lastLogits(_ batch: TokenBatch, cache: KVCache?) throws -> Tensor {
    if Self.usesDecodeStep, let logits = try decodeStep(batch, cache: cache) { return logits }
    let hidden = lastPosition(try hiddenStates(batch, cache: cache))
    if let lmHead { return lmHead(hidden) }
    if let matrix = quantizedHead.matrix(for: hidden) { return matrix.apply(hidden, bias: nil) }
    return hidden.matmul(embedTokens.weight.value, transposeOther: true)
  }
}
