import Foundation

/// Cross-entropy is the language-modelling loss: the mean negative log-probability the model gives
/// to each correct next token. Targets equal to `ignoreIndex` (−100, as in PyTorch) are padding or
/// prompt tokens and count neither in the sum nor in the mean.
extension Tensor {
  /// Mean cross-entropy of [N, classes] logits against N target ids.
  public func crossEntropy(targets: [Int], ignoreIndex: Int = -100) -> Tensor {
    let classes = shape.last ?? 1
    let rows = count / Swift.max(classes, 1)
    precondition(targets.count == rows, "cross-entropy: \(targets.count) targets for \(rows) rows")
    for target in targets where target != ignoreIndex {
      precondition(target >= 0 && target < classes, "target \(target) outside \(classes) classes")
    }
    let logProbabilities = Autograd.inferenceMode { detached().logSoftmax().data }
    var total: Double = 0
    var counted = 0
    for (row, target) in targets.enumerated() where target != ignoreIndex {
      total -= Double(logProbabilities[row * classes + target])
      counted += 1
    }
    // PyTorch returns NaN when every target is ignored (0/0); keep that behaviour visible.
    let loss = counted == 0 ? Float.nan : Float(total / Double(counted))
    return Tensor.result(shape: [], data: [loss], inputs: [self]) { gradient, _ in
      let scale = counted == 0 ? 0 : gradient[0] / Float(counted)
      var dx = Kernels.map(logProbabilities) { simdExp($0) * scale }
      for (row, target) in targets.enumerated() {
        if target == ignoreIndex {
          for column in 0..<classes { dx[row * classes + column] = 0 }
        } else {
          dx[row * classes + target] -= scale
        }
      }
      return [dx]
    }
  }
}
