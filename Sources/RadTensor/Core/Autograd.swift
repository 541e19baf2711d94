/// Reverse-mode automatic differentiation. Operations record a `GradNode` only when one of their
/// inputs requires a gradient and recording is on, so inference (`Autograd.inferenceMode`) and
/// tensors without gradients build no graph at all.
public enum Autograd {
  @TaskLocal static var isRecording: Bool = true

  /// Runs `body` without recording any operation (PyTorch's `torch.inference_mode`).
  public static func inferenceMode<Result>(_ body: () throws -> Result) rethrows -> Result {
    try $isRecording.withValue(false) { try body() }
  }

  /// Async form of `inferenceMode`.
  public static func inferenceMode<Result>(_ body: () async throws -> Result) async rethrows -> Result {
    try await $isRecording.withValue(false) { try await body() }
  }

  /// Whether operations currently record a graph.
  public static var isEnabled: Bool { isRecording }
}

extension Tensor {
  /// Whether gradients flow into this tensor.
  public var requiresGrad: Bool { node != nil }

  /// The accumulated gradient after `backward()`, shaped like this tensor.
  public var grad: Tensor? {
    guard let values = node?.grad else { return nil }
    return Tensor(shape: shape, data: values)
  }

  /// A leaf tensor with the same values that accumulates gradients (a trainable parameter or an
  /// input whose gradient the caller wants).
  public func requiringGrad() -> Tensor {
    Tensor(shape: shape, data: data, node: GradNode(shape: shape, parents: [], backward: nil))
  }

  /// The same values cut off from the graph.
  public func detached() -> Tensor { Tensor(shape: shape, data: data) }

  /// Builds the result of an operation, attaching a graph node when any input requires a gradient.
  /// `backward` receives the output gradient and which inputs need one, and returns one gradient
  /// (or `nil`) per input.
  static func result(
    shape: [Int], data: [Float], inputs: [Tensor],
    backward: @escaping (_ gradient: [Float], _ needed: [Bool]) -> [[Float]?]
  ) -> Tensor {
    var anyNeeds = false
    for input in inputs where input.node != nil {
      anyNeeds = true
      break
    }
    guard anyNeeds, Autograd.isRecording else {
      return Tensor(shape: shape, data: data, node: nil)
    }
    let node = GradNode(shape: shape, parents: inputs.map { $0.node }, backward: backward)
    return Tensor(shape: shape, data: data, node: node)
  }

  /// Back-propagates from this tensor. With no `gradient` the tensor must hold one value (a loss)
  /// and the seed is 1. Gradients accumulate in leaves across calls until `zeroGrad`, which is
  /// how gradient accumulation over micro-batches works.
  public func backward(gradient: Tensor? = nil) {
    guard let root = node else { return }
    let seed: [Float]
    if let gradient {
      precondition(gradient.shape == shape, "seed gradient shape \(gradient.shape) != \(shape)")
      seed = gradient.data
    } else {
      precondition(count == 1, "backward() without a gradient needs a scalar, shape is \(shape)")
      seed = [1]
    }
    // Topological order by iterative depth-first search.
    var order: [GradNode] = []
    var visited = Set<ObjectIdentifier>()
    var stack: [(GradNode, Bool)] = [(root, false)]
    while let (current, expanded) = stack.popLast() {
      if expanded {
        order.append(current)
        continue
      }
      if !visited.insert(ObjectIdentifier(current)).inserted { continue }
      stack.append((current, true))
      for parent in current.parents {
        if let parent, !visited.contains(ObjectIdentifier(parent)) { stack.append((parent, false)) }
      }
    }
    root.accumulate(seed)
    for current in order.reversed() {
      guard let function = current.backwardFunction, let outputGradient = current.grad else { continue }
      let needed = current.parents.map { $0 != nil }
      let inputGradients = function(outputGradient, needed)
      for (parent, gradient) in Swift.zip(current.parents, inputGradients) {
        if let parent, let gradient { parent.accumulate(gradient) }
      }
      // Interior gradients are not kept (PyTorch's retain_graph=False for .grad of non-leaves).
      current.grad = nil
    }
  }
}
