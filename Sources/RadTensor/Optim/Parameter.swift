/// A trainable parameter: a named leaf tensor whose gradient the optimiser reads. Names are the
/// dotted Hugging Face paths (`encoder.layer.0.attention.self.query.weight`), so checkpoints map
/// one-to-one onto the files other tools write.
public final class Parameter: @unchecked Sendable {
  public let name: String
  /// Current value; a leaf of the autograd graph when `isTrainable`.
  public var value: Tensor
  /// Frozen parameters (a LoRA base, a quantised layer) take part in the forward pass only.
  public private(set) var isTrainable: Bool

  public init(name: String, value: Tensor, trainable: Bool = true) {
    self.name = name
    self.value = trainable ? value.detached().requiringGrad() : value.detached()
    self.isTrainable = trainable
  }

  /// Accumulated gradient values, if any flowed in.
  public var gradient: [Float]? { value.node?.grad }

  public func zeroGrad() { value.node?.zeroGrad() }

  /// Replaces the values in place, keeping the autograd leaf (used by optimisers and loaders).
  public func update(_ body: (inout [Float]) -> Void) {
    body(&value.data)
  }

  /// Turns gradient tracking on or off.
  public func setTrainable(_ trainable: Bool) {
    guard trainable != isTrainable else { return }
    isTrainable = trainable
    value = trainable ? value.detached().requiringGrad() : value.detached()
  }

  /// Scales the accumulated gradient (used by clipping).
  func scaleGradient(by factor: Float) {
    guard let node = value.node, let grad = node.grad else { return }
    node.grad = Kernels.map(grad) { $0 * factor }
  }
}

/// An ordered collection of named parameters: what a model exposes to optimisers, clipping and
/// checkpoint code. `scoped` builds the dotted prefixes as modules nest.
public final class ParameterStore: @unchecked Sendable {
  public private(set) var parameters: [Parameter] = []
  private var byName: [String: Parameter] = [:]

  public init() {}

  /// Registers a parameter under `name`; names must be unique.
  @discardableResult
  public func register(_ name: String, _ value: Tensor, trainable: Bool = true) -> Parameter {
    precondition(byName[name] == nil, "parameter \(name) registered twice")
    let parameter = Parameter(name: name, value: value, trainable: trainable)
    parameters.append(parameter)
    byName[name] = parameter
    return parameter
  }

  public subscript(name: String) -> Parameter? { byName[name] }

  /// Drops parameters (e.g. LoRA factors after they were merged into the base weights).
  public func remove(_ names: Set<String>) {
    parameters.removeAll { names.contains($0.name) }
    for name in names { byName[name] = nil }
  }

  public var names: [String] { parameters.map(\.name) }

  /// Parameters that receive gradients.
  public var trainable: [Parameter] { parameters.filter(\.isTrainable) }

  /// Total number of scalar parameters.
  public var scalarCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

  public func zeroGrad() { parameters.forEach { $0.zeroGrad() } }

  /// Objects that modules attach to their place in the tree (a linear layer's adapter slot), so
  /// that tools such as LoRA can find layers by dotted name after the model is built.
  public private(set) var attachments: [(name: String, object: AnyObject)] = []

  public func attach(_ name: String, _ object: AnyObject) { attachments.append((name, object)) }

  /// A view that prefixes names with `prefix.`.
  public func scoped(_ prefix: String) -> ParameterScope { ParameterScope(store: self, prefix: prefix) }
}

/// A dotted-name prefix inside a `ParameterStore` (a module's place in the model tree).
public struct ParameterScope: Sendable {
  public let store: ParameterStore
  public let prefix: String

  public func name(_ leaf: String) -> String { prefix.isEmpty ? leaf : "\(prefix).\(leaf)" }

  @discardableResult
  public func register(_ leaf: String, _ value: Tensor, trainable: Bool = true) -> Parameter {
    store.register(name(leaf), value, trainable: trainable)
  }

  public func scoped(_ child: String) -> ParameterScope { ParameterScope(store: store, prefix: name(child)) }
}
