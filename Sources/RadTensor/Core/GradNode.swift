/// A node of the autograd graph: reverse-mode automatic differentiation records, for each
/// operation on tensors that require gradients, which inputs it read and a closure that turns the
/// gradient of its output into gradients of those inputs. Calling `backward()` on a scalar loss
/// walks this tape in reverse topological order, accumulating gradients into the leaves.
public final class GradNode: @unchecked Sendable {
  /// Accumulated gradient, same element count as the tensor; `nil` until something flows in.
  public internal(set) var grad: [Float]?
  /// Shape of the tensor this node belongs to.
  public let shape: [Int]
  /// Input nodes in the operation's argument order; `nil` for inputs that need no gradient.
  let parents: [GradNode?]
  /// Maps the output gradient to one gradient per parent (`nil` where none is needed).
  let backwardFunction: (([Float], [Bool]) -> [[Float]?])?
  /// Leaves are tensors created by the user (parameters); they keep their gradient.
  public var isLeaf: Bool { backwardFunction == nil }

  init(shape: [Int], parents: [GradNode?], backward: (([Float], [Bool]) -> [[Float]?])?) {
    self.shape = shape
    self.parents = parents
    self.backwardFunction = backward
  }

  /// Adds `incoming` into the accumulated gradient.
  func accumulate(_ incoming: [Float]) {
    if grad == nil {
      grad = incoming
    } else {
      Kernels.addInPlace(&grad!, incoming)
    }
  }

  /// Clears the accumulated gradient (an optimiser's `zeroGrad`).
  public func zeroGrad() { grad = nil }
}
