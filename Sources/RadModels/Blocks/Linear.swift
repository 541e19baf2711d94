import RadTensor

/// A linear (fully connected) layer y = x·Wᵀ + b: the projection inside every attention and MLP
/// block. Hugging Face stores `nn.Linear` weights as [out, in]; GPT-2's `Conv1D` stores them as
/// [in, out]. The layout is a transpose flag on the one GEMM, so neither layout is copied.
public struct Linear: @unchecked Sendable {
  /// How the weight matrix is stored.
  public enum Layout: Sendable { case outIn, inOut }
  public let weight: Parameter
  public let bias: Parameter?
  public let layout: Layout
  public let inFeatures: Int
  public let outFeatures: Int
  /// Where a low-rank adapter (LoRA) plugs in; empty unless one is attached.
  public let adapterSlot: LinearAdapterSlot
  /// A block-quantised copy of the weight for decoding, when the model was quantised.
  public let quantizedSlot: QuantizedWeightSlot

  /// Registers `weight` (normal with `std`) and optional zero `bias` under `scope`.
  public init(
    _ scope: ParameterScope, inFeatures: Int, outFeatures: Int, bias: Bool = true, layout: Layout = .outIn,
    std: Float = 0.02, random: inout SeededRandom
  ) {
    let shape = layout == .outIn ? [outFeatures, inFeatures] : [inFeatures, outFeatures]
    weight = scope.register("weight", WeightInitialization.normal(shape, std: std, using: &random))
    self.bias = bias ? scope.register("bias", Tensor.zeros([outFeatures])) : nil
    self.layout = layout
    self.inFeatures = inFeatures
    self.outFeatures = outFeatures
    adapterSlot = LinearAdapterSlot(
      inFeatures: inFeatures, outFeatures: outFeatures, weight: weight, weightIsOutIn: layout == .outIn)
    scope.store.attach(scope.prefix, adapterSlot)
    quantizedSlot = QuantizedWeightSlot()
    scope.store.attach(scope.prefix, quantizedSlot)
  }

  /// Applies the layer to [..., inFeatures].
  public func callAsFunction(_ x: Tensor) -> Tensor {
    if let matrix = quantizedSlot.matrix(for: x), adapterSlot.adapter == nil || !adapterSlot.isEnabled {
      return matrix.apply(x, bias: bias?.value)
    }
    let adapter = adapterSlot.isEnabled ? adapterSlot.adapter : nil
    if let frozenBase = adapterSlot.frozenBase {
      var y = frozenBase.product(x)
      if let bias { y = y + bias.value }
      if let adapter { y = y + adapter.delta(x) }
      return y
    }
    // One fused op: the bias and a low-rank adapter are accumulated by the GEMMs themselves.
    let lowRank = adapter?.lowRankUpdate(for: x)
    let y = x.linear(weight: weight.value, weightIsOutIn: layout == .outIn, bias: bias?.value, lowRank: lowRank)
    if let adapter, lowRank == nil { return y + adapter.delta(x) }
    return y
  }

  /// The weight as an [out, in] matrix (copied only for the Conv1D layout).
  public var outInWeight: Tensor {
    layout == .outIn ? weight.value.detached() : weight.value.detached().transposed(0, 1)
  }
}

/// A token-embedding table [vocabulary, width] looked up by id (`nn.Embedding`).
/// With a `paddingIndex` (PyTorch's `padding_idx`) the padding row receives no gradient.
public struct Embedding: @unchecked Sendable {
  public let weight: Parameter
  public let paddingIndex: Int?
  public var count: Int { weight.value.shape[0] }
  public var width: Int { weight.value.shape[1] }

  public init(
    _ scope: ParameterScope, count: Int, width: Int, paddingIndex: Int? = nil, std: Float = 0.02,
    random: inout SeededRandom
  ) {
    var initial = WeightInitialization.normal([count, width], std: std, using: &random)
    if let paddingIndex, paddingIndex >= 0, paddingIndex < count {
      for column in 0..<width { initial.data[paddingIndex * width + column] = 0 }
    }
    weight = scope.register("weight", initial)
    self.paddingIndex = paddingIndex.flatMap { $0 >= 0 && $0 < count ? $0 : nil }
  }

  /// Rows for `ids`, shaped `shape + [width]`.
  public func callAsFunction(_ ids: [Int], shape: [Int]) -> Tensor {
    let rows = weight.value.embedding(ids, idsShape: shape)
    guard let paddingIndex, weight.value.requiresGrad, Autograd.isEnabled, ids.contains(paddingIndex) else {
      return rows
    }
    // Same values, but padding rows come from a detached table so no gradient reaches them.
    let keep = Tensor(shape: shape + [1], data: ids.map { $0 == paddingIndex ? 0 : 1 })
    let frozen = weight.value.detached().embedding(ids, idsShape: shape) * (1 - keep)
    return rows * keep + frozen
  }
}

/// Layer normalisation with learned gain `weight` and shift `bias` (BERT, GPT-2, BART).
public struct LayerNorm: @unchecked Sendable {
  public let weight: Parameter
  public let bias: Parameter?
  public let eps: Float

  public init(_ scope: ParameterScope, width: Int, eps: Float, bias: Bool = true) {
    weight = scope.register("weight", Tensor.ones([width]))
    self.bias = bias ? scope.register("bias", Tensor.zeros([width])) : nil
    self.eps = eps
  }

  public func callAsFunction(_ x: Tensor) -> Tensor {
    x.layerNorm(weight: weight.value, bias: bias?.value, eps: eps)
  }
}

/// Root-mean-square normalisation with a learned gain (Llama, Qwen2).
public struct RMSNorm: @unchecked Sendable {
  public let weight: Parameter
  public let eps: Float

  public init(_ scope: ParameterScope, width: Int, eps: Float) {
    weight = scope.register("weight", Tensor.ones([width]))
    self.eps = eps
  }

  public func callAsFunction(_ x: Tensor) -> Tensor { x.rmsNorm(weight: weight.value, eps: eps) }
}
