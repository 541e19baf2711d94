import RadTensor

/// Where a pre-norm transformer layer's weights sit under its prefix, in the naming of the model
/// family it was trained as (Hugging Face ViT or CLIP).
public struct TransformerLayerNames: Sendable {
  public let norm1: String, query: String, key: String, value: String, attentionOut: String
  public let norm2: String, fc1: String, fc2: String

  /// `ViTLayer` as transformers 5 names its modules: layernorm_before, attention.{q,k,v,o}_proj,
  /// layernorm_after, mlp.fc1/fc2.
  public static let vit = TransformerLayerNames(
    norm1: "layernorm_before", query: "attention.q_proj", key: "attention.k_proj", value: "attention.v_proj",
    attentionOut: "attention.o_proj", norm2: "layernorm_after", fc1: "mlp.fc1", fc2: "mlp.fc2")
  /// `CLIPEncoderLayer`: layer_norm1, self_attn.{q,k,v,out}_proj, layer_norm2, mlp.fc1/fc2.
  public static let clip = TransformerLayerNames(
    norm1: "layer_norm1", query: "self_attn.q_proj", key: "self_attn.k_proj", value: "self_attn.v_proj",
    attentionOut: "self_attn.out_proj", norm2: "layer_norm2", fc1: "mlp.fc1", fc2: "mlp.fc2")
}

/// The MLP activation of a transformer layer.
public enum TransformerActivation: String, Sendable {
  /// GELU with the exact erf (ViT).
  case gelu
  /// x·σ(1.702x), CLIP's approximation.
  case quickGelu = "quick_gelu"

  func callAsFunction(_ x: Tensor) -> Tensor {
    switch self {
    case .gelu: return x.gelu()
    case .quickGelu: return x * (x * 1.702).sigmoid()
    }
  }
}

/// A pre-norm transformer encoder layer: x + Attention(LN(x)), then x + MLP(LN(x)), with
/// multi-head self-attention (optionally masked) and a two-layer MLP. The building block of ViT and
/// of both CLIP towers.
public struct PreNormTransformerLayer: Sendable {
  let norm1: (weight: Parameter, bias: Parameter)
  let norm2: (weight: Parameter, bias: Parameter)
  let query: (weight: Parameter, bias: Parameter)
  let key: (weight: Parameter, bias: Parameter)
  let value: (weight: Parameter, bias: Parameter)
  let attentionOut: (weight: Parameter, bias: Parameter)
  let fc1: (weight: Parameter, bias: Parameter)
  let fc2: (weight: Parameter, bias: Parameter)
  let heads: Int
  let eps: Float
  let activation: TransformerActivation

  /// Registers the layer's weights (read through `tensors` by full name) under `scope`.
  public init(
    _ scope: ParameterScope, names: TransformerLayerNames, heads: Int, eps: Float, activation: TransformerActivation,
    tensors: (String) throws -> Tensor
  ) throws {
    func pair(_ leaf: String) throws -> (Parameter, Parameter) {
      let child = scope.scoped(leaf)
      return (
        child.register("weight", try tensors(child.name("weight"))),
        child.register("bias", try tensors(child.name("bias")))
      )
    }
    norm1 = try pair(names.norm1)
    query = try pair(names.query)
    key = try pair(names.key)
    value = try pair(names.value)
    attentionOut = try pair(names.attentionOut)
    norm2 = try pair(names.norm2)
    fc1 = try pair(names.fc1)
    fc2 = try pair(names.fc2)
    self.heads = heads
    self.eps = eps
    self.activation = activation
  }

  static func linear(_ x: Tensor, _ layer: (weight: Parameter, bias: Parameter)) -> Tensor {
    x.linear(weight: layer.weight.value, bias: layer.bias.value)
  }

  /// `x` [B, S, D]; `mask` broadcastable to [B, heads, S, S], non-zero where attention is blocked.
  public func callAsFunction(_ x: Tensor, mask: Tensor? = nil) -> Tensor {
    let (batch, sequence, width) = (x.shape[0], x.shape[1], x.shape[2])
    let headWidth = width / heads
    let h = x.layerNorm(weight: norm1.weight.value, bias: norm1.bias.value, eps: eps)
    func split(_ t: Tensor) -> Tensor { t.reshaped([batch, sequence, heads, headWidth]).transposed(1, 2) }
    let q = split(Self.linear(h, query))
    let k = split(Self.linear(h, key))
    let v = split(Self.linear(h, value))
    var scores = q.matmul(k, transposeOther: true) * (1 / Float(headWidth).squareRoot())
    if let mask { scores = scores.maskedFill(mask, value: -.infinity) }
    let attended = scores.softmax().matmul(v).transposed(1, 2).reshaped([batch, sequence, width])
    let y = x + Self.linear(attended, attentionOut)
    let h2 = y.layerNorm(weight: norm2.weight.value, bias: norm2.bias.value, eps: eps)
    return y + Self.linear(activation(Self.linear(h2, fc1)), fc2)
  }
}
