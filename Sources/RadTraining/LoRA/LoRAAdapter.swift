import Foundation
import RadModels
import RadTensor

/// One LoRA update on one linear layer: Δ(x) = s · B(A(dropout(x))). A starts as PEFT does
/// (Kaiming-uniform, bound 1/√in) and B at zero, so training starts from the unchanged base model.
public final class LoRAAdapter: LinearAdapter, @unchecked Sendable {
  public let name: String
  public let a: Parameter
  public let b: Parameter
  public let scaling: Float
  public let dropout: Float
  let dropoutSource: DropoutSource

  init(name: String, a: Parameter, b: Parameter, scaling: Float, dropout: Float, dropoutSource: DropoutSource) {
    self.name = name
    self.a = a
    self.b = b
    self.scaling = scaling
    self.dropout = dropout
    self.dropoutSource = dropoutSource
  }

  /// Dropout draws a fresh mask for each training forward pass; otherwise the adapter's input
  /// is the layer's input.
  var dropsInputs: Bool { dropout > 0 && dropoutSource.training && Autograd.isEnabled }

  public func lowRankUpdate(for x: Tensor) -> LowRankUpdate? {
    dropsInputs ? nil : LowRankUpdate(a: a.value, b: b.value, scale: scaling)
  }

  public func delta(_ x: Tensor) -> Tensor {
    var input = x
    if dropsInputs {
      input = dropoutSource.withRandom { random in x.dropout(dropout, training: true, using: &random) }
    }
    return input.matmul(a.value, transposeOther: true).matmul(b.value, transposeOther: true) * scaling
  }

  /// The weight update s·B·A as an [out, in] matrix.
  public var weightDelta: Tensor {
    Autograd.inferenceMode { b.value.matmul(a.value) * scaling }
  }
}

/// The random stream LoRA dropout draws from. Objectives reseed it from the trainer's checkpointed
/// generator every step, so runs with dropout still resume exactly.
public final class DropoutSource: @unchecked Sendable {
  private var random = SeededRandom(seed: 0)
  private let lock = NSLock()
  public var training = true

  public func reseed(_ seed: UInt64) { lock.withLock { random = SeededRandom(seed: seed) } }

  func withRandom<Result>(_ body: (inout SeededRandom) -> Result) -> Result {
    lock.withLock { body(&random) }
  }
}

/// The LoRA adapters of one model: attaching them freezes the base weights and registers
/// `<layer>.lora_A.weight` / `<layer>.lora_B.weight` parameters in the model's store.
public final class LoRAAdapterSet: @unchecked Sendable {
  public let configuration: LoRAConfiguration
  public let adapters: [LoRAAdapter]
  public let dropoutSource = DropoutSource()
  let slots: [String: LinearAdapterSlot]

  /// Attaches fresh adapters to every linear layer of `model` that `configuration` targets.
  public init(attachingTo store: ParameterStore, configuration: LoRAConfiguration, seed: UInt64) throws {
    self.configuration = configuration
    var random = SeededRandom(seed: seed)
    var slots: [String: LinearAdapterSlot] = [:]
    var adapters: [LoRAAdapter] = []
    let layers = store.attachments.compactMap { entry in (entry.object as? LinearAdapterSlot).map { (entry.name, $0) } }
    for parameter in store.parameters { parameter.setTrainable(false) }
    for (name, slot) in layers where configuration.targets(name) {
      let bound = 1 / Float(slot.inFeatures).squareRoot()
      let a = store.register(
        "\(name).lora_A.weight",
        Tensor.uniform([configuration.rank, slot.inFeatures], low: -bound, high: bound, using: &random))
      let b = store.register("\(name).lora_B.weight", Tensor.zeros([slot.outFeatures, configuration.rank]))
      let adapter = LoRAAdapter(
        name: name, a: a, b: b, scaling: configuration.scaling, dropout: configuration.dropout,
        dropoutSource: dropoutSource)
      slot.adapter = adapter
      slot.isEnabled = true
      slots[name] = slot
      adapters.append(adapter)
    }
    guard !adapters.isEmpty else {
      throw LoRAError.noTargets(patterns: configuration.targetModules, available: layers.map(\.0))
    }
    self.adapters = adapters
    self.slots = slots
  }

  /// Number of trainable adapter values.
  public var trainableCount: Int { adapters.reduce(0) { $0 + $1.a.value.count + $1.b.value.count } }

  /// Switches every adapter on or off (off = the base model, DPO's reference).
  public func setEnabled(_ enabled: Bool) { slots.values.forEach { $0.isEnabled = enabled } }

  /// Runs `body` with adapters off.
  public func withAdaptersDisabled<Result>(_ body: () throws -> Result) rethrows -> Result {
    setEnabled(false)
    defer { setEnabled(true) }
    return try body()
  }
}
