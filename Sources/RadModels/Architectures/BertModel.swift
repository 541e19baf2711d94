import RadTensor

/// BERT's hyper-parameters (also MiniLM, BioBERT, PubMedBERT: any `model_type` "bert").
public struct BertConfiguration: Sendable {
  public var vocabularySize: Int
  public var width: Int
  public var layers: Int
  public var heads: Int
  public var intermediateWidth: Int
  public var maxPositions: Int
  public var typeVocabularySize: Int
  public var layerNormEps: Float
  public var activation: Activation
  public var padTokenId: Int = 0

  public init(
    vocabularySize: Int, width: Int, layers: Int, heads: Int, intermediateWidth: Int, maxPositions: Int = 512,
    typeVocabularySize: Int = 2, layerNormEps: Float = 1e-12, activation: Activation = .gelu
  ) {
    self.vocabularySize = vocabularySize
    self.width = width
    self.layers = layers
    self.heads = heads
    self.intermediateWidth = intermediateWidth
    self.maxPositions = maxPositions
    self.typeVocabularySize = typeVocabularySize
    self.layerNormEps = layerNormEps
    self.activation = activation
  }

  public init(_ json: ConfigJSON) throws {
    let positionType = try json.string("position_embedding_type", default: "absolute")
    guard positionType == "absolute" else {
      throw ModelError.invalidConfig(
        file: json.source, field: "position_embedding_type", reason: "\"\(positionType)\" is not supported")
    }
    self.init(
      vocabularySize: try json.int("vocab_size"), width: try json.int("hidden_size"),
      layers: try json.int("num_hidden_layers"), heads: try json.int("num_attention_heads"),
      intermediateWidth: try json.int("intermediate_size"),
      maxPositions: try json.int("max_position_embeddings", default: 512),
      typeVocabularySize: try json.int("type_vocab_size", default: 2),
      layerNormEps: Float(try json.double("layer_norm_eps", default: 1e-12)),
      activation: try Activation(
        name: try json.string("hidden_act", default: "gelu"), source: json.source, field: "hidden_act"))
    padTokenId = try json.int("pad_token_id", default: 0)
  }

  public var json: ConfigJSON {
    ConfigJSON(values: [
      "model_type": "bert", "architectures": ["BertModel"], "vocab_size": vocabularySize, "hidden_size": width,
      "num_hidden_layers": layers, "num_attention_heads": heads, "intermediate_size": intermediateWidth,
      "max_position_embeddings": maxPositions, "type_vocab_size": typeVocabularySize,
      "layer_norm_eps": Double(layerNormEps), "hidden_act": activation.rawValue, "pad_token_id": padTokenId,
    ])
  }
}

/// BERT (Devlin et al. 2019), an encoder-only transformer: word + position + token-type
/// embeddings, post-norm blocks of bidirectional self-attention and a GELU MLP; the pooler maps
/// the [CLS] state through dense + tanh. With `maskedLMHead` it also carries the masked-LM head
/// (`cls.predictions`, decoder tied to the word embeddings) and its names gain the `bert.` prefix
/// exactly as `BertForMaskedLM`'s do.
public final class BertModel: TransformerModel, @unchecked Sendable {
  struct Block {
    let attention: MultiHeadAttention
    let attentionNorm: LayerNorm
    let intermediate: Linear
    let output: Linear
    let outputNorm: LayerNorm
  }

  public let config: BertConfiguration
  public let parameters: ParameterStore
  public var configJSON: ConfigJSON {
    var json = config.json.values
    if maskedLMHead != nil { json["architectures"] = ["BertForMaskedLM"] }
    return ConfigJSON(values: json)
  }
  public let modelType = "bert"
  public let basePrefix: String?
  public var ignorableCheckpointNames: [String] {
    [
      "embeddings.position_ids", "bert.embeddings.position_ids", "cls.predictions.decoder.weight",
      "cls.predictions.decoder.bias",
    ]
  }

  let wordEmbeddings: Embedding
  let positionEmbeddings: Embedding
  let tokenTypeEmbeddings: Embedding
  let embeddingNorm: LayerNorm
  let blocks: [Block]
  let pooler: Linear?
  let maskedLMHead: (transform: Linear, norm: LayerNorm, bias: Parameter)?

  /// `pooler`: include `pooler.dense` (BertModel's default); `maskedLM`: build BertForMaskedLM.
  public init(
    config: BertConfiguration, store: ParameterStore = ParameterStore(), seed: UInt64 = 0,
    pooler withPooler: Bool = true, maskedLM: Bool = false
  ) {
    self.config = config
    self.parameters = store
    var random = SeededRandom(seed: seed)
    basePrefix = maskedLM ? "bert" : nil
    let root = maskedLM ? store.scoped("bert") : store.scoped("")
    let d = config.width
    let embeddings = root.scoped("embeddings")
    wordEmbeddings = Embedding(
      embeddings.scoped("word_embeddings"), count: config.vocabularySize, width: d, paddingIndex: config.padTokenId,
      random: &random)
    positionEmbeddings = Embedding(
      embeddings.scoped("position_embeddings"), count: config.maxPositions, width: d, random: &random)
    tokenTypeEmbeddings = Embedding(
      embeddings.scoped("token_type_embeddings"), count: config.typeVocabularySize, width: d, random: &random)
    embeddingNorm = LayerNorm(embeddings.scoped("LayerNorm"), width: d, eps: config.layerNormEps)
    blocks = (0..<config.layers).map { i in
      let layer = root.scoped("encoder.layer.\(i)")
      let attn = layer.scoped("attention")
      let q = Linear(attn.scoped("self.query"), inFeatures: d, outFeatures: d, random: &random)
      let k = Linear(attn.scoped("self.key"), inFeatures: d, outFeatures: d, random: &random)
      let v = Linear(attn.scoped("self.value"), inFeatures: d, outFeatures: d, random: &random)
      let o = Linear(attn.scoped("output.dense"), inFeatures: d, outFeatures: d, random: &random)
      return Block(
        attention: MultiHeadAttention(
          projections: .separate(query: q, key: k, value: v), output: o, heads: config.heads, kvHeads: config.heads,
          headDim: d / config.heads),
        attentionNorm: LayerNorm(attn.scoped("output.LayerNorm"), width: d, eps: config.layerNormEps),
        intermediate: Linear(
          layer.scoped("intermediate.dense"), inFeatures: d, outFeatures: config.intermediateWidth, random: &random),
        output: Linear(
          layer.scoped("output.dense"), inFeatures: config.intermediateWidth, outFeatures: d, random: &random),
        outputNorm: LayerNorm(layer.scoped("output.LayerNorm"), width: d, eps: config.layerNormEps))
    }
    pooler =
      withPooler && !maskedLM
      ? Linear(root.scoped("pooler.dense"), inFeatures: d, outFeatures: d, random: &random) : nil
    if maskedLM {
      let head = store.scoped("cls.predictions")
      maskedLMHead = (
        Linear(head.scoped("transform.dense"), inFeatures: d, outFeatures: d, random: &random),
        LayerNorm(head.scoped("transform.LayerNorm"), width: d, eps: config.layerNormEps),
        head.register("bias", Tensor.zeros([config.vocabularySize]))
      )
    } else {
      maskedLMHead = nil
    }
  }

  public convenience init(json: ConfigJSON, store: ParameterStore = ParameterStore(), seed: UInt64 = 0) throws {
    let architectures = (json.values["architectures"] as? [String]) ?? []
    self.init(
      config: try BertConfiguration(json), store: store, seed: seed, maskedLM: architectures.contains("BertForMaskedLM")
    )
  }

  /// Last hidden states [batch, length, width]; `probe` collects attention weights.
  public func hiddenStates(_ batch: TokenBatch, probe: AttentionProbe? = nil) throws -> Tensor {
    try hiddenStates(batch, throughLayer: config.layers, probe: probe)
  }

  /// tanh(dense(h[CLS])) [batch, width].
  public func pooled(_ hidden: Tensor) throws -> Tensor {
    guard let pooler else { throw ModelError.invalidInput("this BERT model has no pooler") }
    let cls = hidden.slice(axis: 1, 0..<1).reshaped([hidden.shape[0], hidden.shape[2]])
    return pooler(cls).tanh()
  }

  /// Masked-LM scores [batch, length, vocabulary].
  public func maskedLMLogits(_ batch: TokenBatch) throws -> Tensor {
    guard let head = maskedLMHead else { throw ModelError.invalidInput("this BERT model has no masked-LM head") }
    let h = try hiddenStates(batch)
    let transformed = head.norm(config.activation(head.transform(h)))
    return transformed.matmul(wordEmbeddings.weight.value, transposeOther: true) + head.bias.value
  }
}
