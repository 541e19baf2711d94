import Foundation
import RadTensor

/// The shape of a vision transformer and which family's weights it reads.
public struct VisionTransformerConfig: Sendable, Equatable {
  /// Hugging Face `ViTModel` (class token, learned positions, final LayerNorm, tanh pooler) or
  /// `CLIPVisionModel` (class embedding, LayerNorm before the encoder, LayerNorm on the pooled token).
  public enum Family: String, Sendable { case vit, clip }
  public var family: Family
  public var imageSize: Int
  public var patchSize: Int
  public var channels: Int
  public var hiddenSize: Int
  public var layers: Int
  public var heads: Int
  public var layerNormEps: Float
  public var activation: TransformerActivation
  /// ViT only: whether the tanh pooler (`pooler.dense`) is present.
  public var hasPooler: Bool

  public init(
    family: Family, imageSize: Int, patchSize: Int, channels: Int = 3, hiddenSize: Int, layers: Int, heads: Int,
    layerNormEps: Float, activation: TransformerActivation, hasPooler: Bool = true
  ) {
    self.family = family
    self.imageSize = imageSize
    self.patchSize = patchSize
    self.channels = channels
    self.hiddenSize = hiddenSize
    self.layers = layers
    self.heads = heads
    self.layerNormEps = layerNormEps
    self.activation = activation
    self.hasPooler = hasPooler
  }

  /// Patches per image plus the class token.
  public var sequenceLength: Int { (imageSize / patchSize) * (imageSize / patchSize) + 1 }
}

/// A vision transformer (ViT): the image is cut into patches by a strided convolution, a class
/// token is prepended, learned position embeddings are added, and pre-norm transformer layers mix
/// the tokens; the class token's final state represents the image. Weights and outputs follow
/// Hugging Face's `ViTModel` or `CLIPVisionModel`.
public final class VisionTransformer: ImageEncoder, @unchecked Sendable {
  /// The encoder's outputs: every token's last hidden state and the pooled image vector.
  public struct Output {
    /// [B, 1 + patches, width] (CLIP: before `post_layernorm`, as Hugging Face returns it).
    public let lastHiddenState: Tensor
    /// [B, width]: ViT's tanh pooler (or the LayerNormed class token without one); CLIP's post-LayerNormed class token.
    public let pooled: Tensor
  }

  public let config: VisionTransformerConfig
  public let parameters: ParameterStore
  let classToken: Parameter
  let positions: Parameter
  let patch: Conv2DLayer
  let preNorm: (weight: Parameter, bias: Parameter)?
  let layers: [PreNormTransformerLayer]
  let finalNorm: (weight: Parameter, bias: Parameter)
  let pooler: (weight: Parameter, bias: Parameter)?

  public var featureWidth: Int { config.hiddenSize }

  /// Builds the model from tensors named as in the Hugging Face checkpoint, with `prefix` the
  /// module path in front of them (`vision_model` inside a `CLIPModel`, "" for `ViTModel`).
  /// Parameters go into `store` (a new one by default; a contrastive model passes its own).
  public init(
    config: VisionTransformerConfig, prefix: String = "", store: ParameterStore = ParameterStore(),
    tensors: (String) throws -> Tensor
  ) throws {
    self.config = config
    parameters = store
    let root = store.scoped(prefix)
    func pair(_ name: String) throws -> (Parameter, Parameter) {
      let scope = root.scoped(name)
      return (
        scope.register("weight", try tensors(scope.name("weight"))),
        scope.register("bias", try tensors(scope.name("bias")))
      )
    }
    let width = config.hiddenSize
    switch config.family {
    case .vit:
      classToken = root.register("embeddings.cls_token", try tensors(root.name("embeddings.cls_token")))
      positions = root.register(
        "embeddings.position_embeddings", try tensors(root.name("embeddings.position_embeddings")))
      let projection = root.scoped("embeddings.patch_embeddings.projection")
      patch = Conv2DLayer(
        projection, weight: try tensors(projection.name("weight")), bias: try tensors(projection.name("bias")),
        stride: config.patchSize, padding: .fixed(0))
      preNorm = nil
      finalNorm = try pair("layernorm")
      pooler = config.hasPooler ? try pair("pooler.dense") : nil
    case .clip:
      classToken = root.register("embeddings.class_embedding", try tensors(root.name("embeddings.class_embedding")))
      positions = root.register(
        "embeddings.position_embedding.weight", try tensors(root.name("embeddings.position_embedding.weight")))
      let projection = root.scoped("embeddings.patch_embedding")
      patch = Conv2DLayer(
        projection, weight: try tensors(projection.name("weight")), stride: config.patchSize, padding: .fixed(0))
      preNorm = try pair("pre_layrnorm")
      finalNorm = try pair("post_layernorm")
      pooler = nil
    }
    guard classToken.value.count == width, positions.value.count == config.sequenceLength * width else {
      throw VisionError.badWeights("class token or position embeddings do not fit \(config)")
    }
    let layerRoot = root.scoped(config.family == .vit ? "layers" : "encoder.layers")
    layers = try (0..<config.layers).map { index in
      try PreNormTransformerLayer(
        layerRoot.scoped("\(index)"), names: config.family == .vit ? .vit : .clip, heads: config.heads,
        eps: config.layerNormEps, activation: config.activation, tensors: tensors)
    }
  }

  /// Runs the encoder on images [B, C, H, W] of `config.imageSize`.
  public func forward(_ images: Tensor) -> Output {
    let batch = images.shape[0]
    let width = config.hiddenSize
    let patches = patch(images)  // [B, width, h, w]
    let tokens = patches.reshaped([batch, width, patches.shape[2] * patches.shape[3]]).transposed(1, 2)
    let cls = (classToken.value.reshaped([1, 1, width]) + Tensor.zeros([batch, 1, width]))
    var x = Tensor.concatenate([cls, tokens], axis: 1) + positions.value.reshaped([1, config.sequenceLength, width])
    if let preNorm { x = x.layerNorm(weight: preNorm.weight.value, bias: preNorm.bias.value, eps: config.layerNormEps) }
    for layer in layers { x = layer(x) }
    let eps = config.layerNormEps
    switch config.family {
    case .vit:
      let normed = x.layerNorm(weight: finalNorm.weight.value, bias: finalNorm.bias.value, eps: eps)
      let first = normed.slice(axis: 1, 0..<1).reshaped([batch, width])
      let pooled = pooler.map { first.linear(weight: $0.weight.value, bias: $0.bias.value).tanh() } ?? first
      return Output(lastHiddenState: normed, pooled: pooled)
    case .clip:
      let first = x.slice(axis: 1, 0..<1).reshaped([batch, width])
      let pooled = first.layerNorm(weight: finalNorm.weight.value, bias: finalNorm.bias.value, eps: eps)
      return Output(lastHiddenState: x, pooled: pooled)
    }
  }

  public func encode(_ images: Tensor, training: Bool = false) -> Tensor { forward(images).pooled }
}
