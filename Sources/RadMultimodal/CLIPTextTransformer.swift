import RadTensor
import RadVision

/// CLIP's text tower: token and position embeddings, pre-norm transformer layers with a causal
/// mask (and a padding mask), a final LayerNorm, and the hidden state at the end-of-text token as
/// the text's vector. Weights and outputs follow Hugging Face's `CLIPTextModel`.
public final class CLIPTextTransformer: TextEncoder, @unchecked Sendable {
  public struct Config: Sendable, Equatable {
    public var vocabularySize: Int
    public var hiddenSize: Int
    public var layers: Int
    public var heads: Int
    public var maxPositions: Int
    public var layerNormEps: Float
    public var activation: TransformerActivation
    /// The end-of-text id whose position gives the pooled vector.
    public var endOfTextId: Int

    public init(
      vocabularySize: Int, hiddenSize: Int, layers: Int, heads: Int, maxPositions: Int, layerNormEps: Float,
      activation: TransformerActivation, endOfTextId: Int
    ) {
      self.vocabularySize = vocabularySize
      self.hiddenSize = hiddenSize
      self.layers = layers
      self.heads = heads
      self.maxPositions = maxPositions
      self.layerNormEps = layerNormEps
      self.activation = activation
      self.endOfTextId = endOfTextId
    }
  }

  public let config: Config
  public let parameters: ParameterStore
  let tokens: Parameter
  let positions: Parameter
  let layers: [PreNormTransformerLayer]
  let finalNorm: (weight: Parameter, bias: Parameter)

  public var featureWidth: Int { config.hiddenSize }

  public init(
    config: Config, prefix: String = "text_model", store: ParameterStore = ParameterStore(),
    tensors: (String) throws -> Tensor
  ) throws {
    self.config = config
    parameters = store
    let root = store.scoped(prefix)
    tokens = root.register(
      "embeddings.token_embedding.weight", try tensors(root.name("embeddings.token_embedding.weight")))
    positions = root.register(
      "embeddings.position_embedding.weight", try tensors(root.name("embeddings.position_embedding.weight")))
    let layerRoot = root.scoped("encoder.layers")
    layers = try (0..<config.layers).map { index in
      try PreNormTransformerLayer(
        layerRoot.scoped("\(index)"), names: .clip, heads: config.heads, eps: config.layerNormEps,
        activation: config.activation, tensors: tensors)
    }
    let norm = root.scoped("final_layer_norm")
    finalNorm = (
      norm.register("weight", try tensors(norm.name("weight"))), norm.register("bias", try tensors(norm.name("bias")))
    )
    guard tokens.value.shape == [config.vocabularySize, config.hiddenSize],
      positions.value.shape == [config.maxPositions, config.hiddenSize]
    else { throw VisionError.badWeights("CLIP text embeddings do not fit \(config)") }
  }

  /// Last hidden state [N, S, width] after the final LayerNorm.
  public func hiddenStates(ids: [[Int]], attentionMask: [[Int]]) -> Tensor {
    let batch = ids.count
    let length = ids.first?.count ?? 0
    precondition(length <= config.maxPositions, "text of \(length) tokens exceeds \(config.maxPositions) positions")
    let width = config.hiddenSize
    var x = tokens.value.embedding(ids.flatMap { $0 }, idsShape: [batch, length])
    x = x + positions.value.slice(axis: 0, 0..<length).reshaped([1, length, width])
    let mask =
      Tensor.causalMask(queries: length, keys: length).reshaped([1, 1, length, length])
      + Tensor.paddingMask(attentionMask: attentionMask)
    for layer in layers { x = layer(x, mask: mask) }
    return x.layerNorm(weight: finalNorm.weight.value, bias: finalNorm.bias.value, eps: config.layerNormEps)
  }

  /// The end-of-text position of each row (its first end-of-text token, else the last real token).
  public func poolingPositions(ids: [[Int]], attentionMask: [[Int]]) -> [Int] {
    zip(ids, attentionMask).map { row, mask in
      row.firstIndex(of: config.endOfTextId) ?? Swift.max(0, mask.reduce(0, +) - 1)
    }
  }

  public func encode(ids: [[Int]], attentionMask: [[Int]]) throws -> Tensor {
    let states = hiddenStates(ids: ids, attentionMask: attentionMask)
    let (batch, length, width) = (states.shape[0], states.shape[1], states.shape[2])
    let positions = poolingPositions(ids: ids, attentionMask: attentionMask)
    // Row b picks token positions[b]: a gather expressed as a selection over the flattened rows.
    let flat = states.reshaped([batch * length, width])
    let picked = (0..<batch).map {
      flat.slice(axis: 0, ($0 * length + positions[$0])..<($0 * length + positions[$0] + 1))
    }
    return Tensor.concatenate(picked, axis: 0)
  }
}
