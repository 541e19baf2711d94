import RadTensor

/// A trainable correction added to a frozen linear layer's output: y = W x + b + Δ(x). LoRA is
/// the usual one (Δ(x) = s · B A x with low-rank A and B); the layer only needs to know how to
/// ask for Δ.
public protocol LinearAdapter: AnyObject {
  /// The correction for input x [..., inFeatures] → [..., outFeatures].
  func delta(_ x: Tensor) -> Tensor
  /// The correction as low-rank factors s·B·A that the layer's own product can accumulate (see
  /// `Tensor.linear`), or nil when it is not that simple for this input (e.g. LoRA dropout is
  /// active, so the factors see a different input than the base weight).
  func lowRankUpdate(for x: Tensor) -> LowRankUpdate?
}

extension LinearAdapter {
  public func lowRankUpdate(for x: Tensor) -> LowRankUpdate? { nil }
}

/// A frozen weight matrix kept outside the layer's F32 parameter (e.g. in quantised blocks): it
/// computes x·Wᵀ for x [..., in] → [..., out], with a gradient for x but none for W.
public protocol FrozenLinearBase: AnyObject {
  func product(_ x: Tensor) -> Tensor
}

/// The place in a linear layer where an adapter plugs in. Each `Linear` registers its slot in
/// the model's `ParameterStore.attachments` under the layer's dotted name, so adapters can be
/// attached by name pattern after the model is built and switched off without removing them
/// (DPO's reference model is the base with adapters off).
public final class LinearAdapterSlot: @unchecked Sendable {
  public let inFeatures: Int
  public let outFeatures: Int
  /// The layer's weight, so an adapter can be merged into it.
  public let weight: Parameter
  /// Whether `weight` is stored [out, in] (nn.Linear) rather than [in, out] (GPT-2's Conv1D).
  public let weightIsOutIn: Bool
  public var adapter: (any LinearAdapter)?
  public var isEnabled = true
  /// When set, the frozen product x·Wᵀ comes from here instead of `weight` (QLoRA keeps W in
  /// quantised blocks and may release the F32 copy).
  public var frozenBase: (any FrozenLinearBase)?

  public init(inFeatures: Int, outFeatures: Int, weight: Parameter, weightIsOutIn: Bool) {
    self.inFeatures = inFeatures
    self.outFeatures = outFeatures
    self.weight = weight
    self.weightIsOutIn = weightIsOutIn
  }
}
