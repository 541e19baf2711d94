import Foundation

/// Cross-entropy is the language-modelling loss: the mean negative log-probability the model gives
/// to each correct next token. Targets equal to `ignoreIndex` (−100, as in PyTorch) are padding or
/// prompt tokens and count neither in the sum nor in the mean.
///
/// Log-softmax and the negative log-likelihood are fused: the forward pass keeps one number per
/// row (its log-sum-exp) instead of a [rows × classes] table of log-probabilities, and when a
/// graph is recorded it writes softmax − one-hot straight into the gradient while each row is in
/// cache. Over a 49k vocabulary that saves full-size arrays and passes over them every step.
extension Tensor {
  /// Mean cross-entropy of [N, classes] logits against N target ids.
  public func crossEntropy(targets: [Int], ignoreIndex: Int = -100) -> Tensor {
    let classes = shape.last ?? 1
    let rows = count / Swift.max(classes, 1)
    precondition(targets.count == rows, "cross-entropy: \(targets.count) targets for \(rows) rows")
    for target in targets where target != ignoreIndex {
      precondition(target >= 0 && target < classes, "target \(target) outside \(classes) classes")
    }
    let counted = targets.reduce(0) { $0 + ($1 == ignoreIndex ? 0 : 1) }
    // With a graph to record, the gradient for a seed of 1, (softmax − one-hot) / counted, is
    // written while each row is still in cache from its log-sum-exp, instead of a backward pass
    // reading the logits from memory again; the logits themselves are then not kept.
    let recordsGraph = node != nil && Autograd.isEnabled
    let inverseCount: Float = counted == 0 ? 0 : 1 / Float(counted)
    var rowGradients: [Float] = []
    // shift[row] = max + log Σ exp(x − max), so log p = x − shift (as `logSoftmax` computes it).
    var shifts = [Float](repeating: 0, count: rows)
    data.withUnsafeBufferPointer { source in
      shifts.withUnsafeMutableBufferPointer { shiftBuffer in
        guard let src = source.baseAddress, let out = shiftBuffer.baseAddress else { return }
        let shiftPointer = SendablePointer(out)
        let chunk = Swift.max(1, 16_384 / Swift.max(classes, 1))
        guard recordsGraph else {
          Parallel.forEachChunk(rows, minimumPerThread: chunk) { range in
            for row in range where targets[row] != ignoreIndex {
              let x = src + row * classes
              let maximum = RowKernels.maximum(x, classes)
              let total = RowKernels.sumExpShifted(x, classes, shift: maximum)
              shiftPointer.pointer[row] = maximum + Foundation.log(total)
            }
          }
          return
        }
        rowGradients = [Float](unsafeUninitializedCapacity: count) { output, initialized in
          initialized = count
          guard let dst = output.baseAddress else { return }
          let gradientPointer = SendablePointer(dst)
          Parallel.forEachChunk(rows, minimumPerThread: chunk) { range in
            for row in range {
              let x = src + row * classes
              let dx = gradientPointer.pointer + row * classes
              let target = targets[row]
              guard target != ignoreIndex else {
                dx.update(repeating: 0, count: classes)
                continue
              }
              let maximum = RowKernels.maximum(x, classes)
              let total = RowKernels.expShifted(x, dx, classes, shift: maximum)
              shiftPointer.pointer[row] = maximum + Foundation.log(total)
              RowKernels.scale(dx, classes, by: inverseCount / total)
              dx[target] -= inverseCount
            }
          }
        }
      }
    }
    let rowShifts = shifts
    var total: Double = 0
    for (row, target) in targets.enumerated() where target != ignoreIndex {
      total -= Double(data[row * classes + target] - rowShifts[row])
    }
    // PyTorch returns NaN when every target is ignored (0/0); keep that behaviour visible.
    let loss = counted == 0 ? Float.nan : Float(total / Double(counted))
    let gradientForUnitSeed = rowGradients
    return Tensor.result(shape: [], data: [loss], inputs: [self]) { gradient, _ in
      // A loss scaled after this op (gradient accumulation, weighted objectives) scales it.
      [gradient[0] == 1 ? gradientForUnitSeed : Kernels.map(gradientForUnitSeed) { $0 * gradient[0] }]
    }
  }
}
