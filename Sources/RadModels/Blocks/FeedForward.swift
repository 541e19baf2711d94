import RadTensor

/// The activation functions Hugging Face configs name in `hidden_act` / `activation_function`.
public enum Activation: String, Sendable {
  case gelu, geluNew = "gelu_new", geluPytorchTanh = "gelu_pytorch_tanh", relu, silu, swish, tanh

  public init(name: String, source: String, field: String) throws {
    guard let value = Activation(rawValue: name) else {
      throw ModelError.invalidConfig(file: source, field: field, reason: "names unsupported activation \"\(name)\"")
    }
    self = value
  }

  public func callAsFunction(_ x: Tensor) -> Tensor {
    switch self {
    case .gelu: return x.gelu()
    case .geluNew, .geluPytorchTanh: return x.geluTanh()
    case .relu: return x.relu()
    case .silu, .swish: return x.silu()
    case .tanh: return x.tanh()
    }
  }
}

/// The position-wise MLP of BERT, GPT-2 and BART: widen, apply a non-linearity, project back.
public struct GELUFeedForward: Sendable {
  public let up: Linear
  public let down: Linear
  public let activation: Activation

  public init(up: Linear, down: Linear, activation: Activation) {
    self.up = up
    self.down = down
    self.activation = activation
  }

  public func callAsFunction(_ x: Tensor) -> Tensor { down(activation(up(x))) }
}

/// Llama's gated MLP: down(silu(gate(x)) ⊙ up(x)).
public struct SwiGLUFeedForward: Sendable {
  public let gate: Linear
  public let up: Linear
  public let down: Linear

  public init(_ scope: ParameterScope, width: Int, hidden: Int, bias: Bool = false, random: inout SeededRandom) {
    gate = Linear(scope.scoped("gate_proj"), inFeatures: width, outFeatures: hidden, bias: bias, random: &random)
    up = Linear(scope.scoped("up_proj"), inFeatures: width, outFeatures: hidden, bias: bias, random: &random)
    down = Linear(scope.scoped("down_proj"), inFeatures: hidden, outFeatures: width, bias: bias, random: &random)
  }

  public func callAsFunction(_ x: Tensor) -> Tensor { down(gate(x).siluGated(up(x))) }
}
