import RadTensor

/// GPT-2's hyper-parameters, read from its Hugging Face `config.json`.
public struct GPT2Configuration: Sendable {
  public var vocabularySize: Int
  public var maxPositions: Int
  public var width: Int
  public var layers: Int
  public var heads: Int
  public var innerWidth: Int
  public var layerNormEps: Float
  public var activation: Activation

  public init(
    vocabularySize: Int, maxPositions: Int, width: Int, layers: Int, heads: Int, innerWidth: Int? = nil,
    layerNormEps: Float = 1e-5, activation: Activation = .geluNew
  ) {
    self.vocabularySize = vocabularySize
    self.maxPositions = maxPositions
    self.width = width
    self.layers = layers
    self.heads = heads
    self.innerWidth = innerWidth ?? 4 * width
    self.layerNormEps = layerNormEps
    self.activation = activation
  }

  public init(_ json: ConfigJSON) throws {
    let width = try json.int("n_embd")
    self.init(
      vocabularySize: try json.int("vocab_size"), maxPositions: try json.int("n_positions"), width: width,
      layers: try json.int("n_layer"), heads: try json.int("n_head"),
      innerWidth: json.optionalInt("n_inner"),
      layerNormEps: Float(try json.double("layer_norm_epsilon", default: 1e-5)),
      activation: try Activation(
        name: try json.string("activation_function", default: "gelu_new"), source: json.source,
        field: "activation_function"))
    guard width % heads == 0 else {
      throw ModelError.invalidConfig(file: json.source, field: "n_head", reason: "does not divide n_embd \(width)")
    }
  }

  /// The equivalent `config.json` values.
  public var json: ConfigJSON {
    ConfigJSON(values: [
      "model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "vocab_size": vocabularySize,
      "n_positions": maxPositions, "n_embd": width, "n_layer": layers, "n_head": heads,
      "layer_norm_epsilon": Double(layerNormEps), "activation_function": activation.rawValue,
      "tie_word_embeddings": true,
    ])
  }
}

/// GPT-2 (Radford et al. 2019), a decoder-only transformer: learned token and position
/// embeddings, pre-norm blocks of causal self-attention and a GELU MLP, a final LayerNorm and an
/// LM head tied to the token embeddings. Parameter names are those of `GPT2LMHeadModel`
/// (`transformer.h.0.attn.c_attn.weight`, …), whose linear layers store [in, out] matrices.
public final class GPT2Model: LanguageModel, @unchecked Sendable {
  struct Block {
    let ln1: LayerNorm
    let attention: MultiHeadAttention
    let ln2: LayerNorm
    let mlp: GELUFeedForward
  }

  public let config: GPT2Configuration
  public let parameters: ParameterStore
  public let configJSON: ConfigJSON
  public let modelType = "gpt2"
  public let basePrefix: String? = "transformer"
  public var ignorableCheckpointNames: [String] {
    ["lm_head.weight"]
      + (0..<config.layers).flatMap { ["transformer.h.\($0).attn.bias", "transformer.h.\($0).attn.masked_bias"] }
  }
  public var vocabularySize: Int { config.vocabularySize }
  public var maxPositions: Int? { config.maxPositions }
  public var layerCount: Int { config.layers }

  let tokenEmbedding: Embedding
  let positionEmbedding: Embedding
  let blocks: [Block]
  let finalNorm: LayerNorm

  /// Builds the model with Hugging Face's initialisation (normal(0, 0.02), residual projections
  /// scaled by 1/√(2·layers)) drawn from `seed`, registering parameters in `store`.
  public init(config: GPT2Configuration, store: ParameterStore = ParameterStore(), seed: UInt64 = 0) {
    self.config = config
    self.parameters = store
    self.configJSON = config.json
    var random = SeededRandom(seed: seed)
    let root = store.scoped("transformer")
    tokenEmbedding = Embedding(root.scoped("wte"), count: config.vocabularySize, width: config.width, random: &random)
    positionEmbedding = Embedding(root.scoped("wpe"), count: config.maxPositions, width: config.width, random: &random)
    let d = config.width
    let residualStd = 0.02 / Float(2 * config.layers).squareRoot()
    blocks = (0..<config.layers).map { i in
      let block = root.scoped("h.\(i)")
      let ln1 = LayerNorm(block.scoped("ln_1"), width: d, eps: config.layerNormEps)
      let cAttn = Linear(
        block.scoped("attn.c_attn"), inFeatures: d, outFeatures: 3 * d, layout: .inOut, random: &random)
      let cProj = Linear(
        block.scoped("attn.c_proj"), inFeatures: d, outFeatures: d, layout: .inOut, std: residualStd, random: &random)
      let ln2 = LayerNorm(block.scoped("ln_2"), width: d, eps: config.layerNormEps)
      let fc = Linear(
        block.scoped("mlp.c_fc"), inFeatures: d, outFeatures: config.innerWidth, layout: .inOut, random: &random)
      let proj = Linear(
        block.scoped("mlp.c_proj"), inFeatures: config.innerWidth, outFeatures: d, layout: .inOut, std: residualStd,
        random: &random)
      return Block(
        ln1: ln1,
        attention: MultiHeadAttention(
          projections: .fused(cAttn), output: cProj, heads: config.heads, kvHeads: config.heads,
          headDim: d / config.heads),
        ln2: ln2, mlp: GELUFeedForward(up: fc, down: proj, activation: config.activation))
    }
    finalNorm = LayerNorm(root.scoped("ln_f"), width: d, eps: config.layerNormEps)
  }

  public convenience init(json: ConfigJSON, store: ParameterStore = ParameterStore(), seed: UInt64 = 0) throws {
    self.init(config: try GPT2Configuration(json), store: store, seed: seed)
  }

  /// The final hidden states [batch, length, width] (after `ln_f`).
  public func hiddenStates(_ batch: TokenBatch, cache: KVCache? = nil, probe: AttentionProbe? = nil) throws -> Tensor {
    let offset = cache?.offset ?? 0
    try batch.validate(vocabularySize: config.vocabularySize, maxPositions: config.maxPositions, offset: offset)
    let positions = batch.resolvedPositions(offset: offset)
    if let bad = positions.joined().first(where: { $0 < 0 || $0 >= config.maxPositions }) {
      throw ModelError.sequenceTooLong(length: bad + 1, maximum: config.maxPositions)
    }
    var h =
      tokenEmbedding(batch.ids, shape: [batch.batch, batch.length])
      + positionEmbedding(positions.flatMap { $0 }, shape: [batch.batch, batch.length])
    let keys = offset + batch.length
    let mask = AttentionMask.make(
      batch: batch.batch, queries: batch.length, keys: keys, offset: offset, causal: true, keyMask: batch.attentionMask)
    for (i, block) in blocks.enumerated() {
      h = h + block.attention(block.ln1(h), mask: mask, cache: cache, layer: i, probe: probe)
      h = h + block.mlp(block.ln2(h))
    }
    return finalNorm(h)
  }

  public func logits(_ batch: TokenBatch, cache: KVCache?, probe: AttentionProbe?) throws -> Tensor {
    try hiddenStates(batch, cache: cache, probe: probe).matmul(tokenEmbedding.weight.value, transposeOther: true)
  }

  public func lastLogits(_ batch: TokenBatch, cache: KVCache?) throws -> Tensor {
    lastPosition(try hiddenStates(batch, cache: cache)).matmul(tokenEmbedding.weight.value, transposeOther: true)
  }
}
