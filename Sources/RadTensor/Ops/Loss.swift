import Foundation

/// Cross-entropy is the language-modelling loss: the mean negative log-probability the model gives
/// to each correct next token. Targets equal to `ignoreIndex` (−100, as in PyTorch) are padding or
/// prompt tokens and count neither in the sum nor in the mean.
///
/// Log-softmax and the negative log-likelihood are fused: the forward pass keeps one number per
/// row (its log-sum-exp) instead of a [rows × classes] table of log-probabilities, and the
/// backward pass writes softmax − one-hot straight into the gradient. Over a 49k vocabulary
/// that saves two full-size arrays and three passes over them per step.
extension Tensor {
  /// Mean cross-entropy of [N, classes] logits against N target ids.
  public func crossEntropy(targets: [Int], ignoreIndex: Int = -100) -> Tensor {
    let classes = shape.last ?? 1
    let rows = count / Swift.max(classes, 1)
    precondition(targets.count == rows, "cross-entropy: \(targets.count) targets for \(rows) rows")
    for target in targets where target != ignoreIndex {
      precondition(target >= 0 && target < classes, "target \(target) outside \(classes) classes")
    }
    let logits = data
    // shift[row] = max + log Σ exp(x − max), so log p = x − shift (as `logSoftmax` computes it).
    var shifts = [Float](repeating: 0, count: rows)
    logits.withUnsafeBufferPointer { source in
      shifts.withUnsafeMutableBufferPointer { shiftBuffer in
        guard let src = source.baseAddress, let out = shiftBuffer.baseAddress else { return }
        let shiftPointer = SendablePointer(out)
        Parallel.forEachChunk(rows, minimumPerThread: Swift.max(1, 16_384 / Swift.max(classes, 1))) { range in
          for row in range where targets[row] != ignoreIndex {
            let x = src + row * classes
            let maximum = RowKernels.maximum(x, classes)
            let total = RowKernels.sumExpShifted(x, classes, shift: maximum)
            shiftPointer.pointer[row] = maximum + Foundation.log(total)
          }
        }
      }
    }
    let rowShifts = shifts
    var total: Double = 0
    var counted = 0
    for (row, target) in targets.enumerated() where target != ignoreIndex {
      total -= Double(logits[row * classes + target] - rowShifts[row])
      counted += 1
    }
    // PyTorch returns NaN when every target is ignored (0/0); keep that behaviour visible.
    let loss = counted == 0 ? Float.nan : Float(total / Double(counted))
    return Tensor.result(shape: [], data: [loss], inputs: [self]) { gradient, _ in
      let scale = counted == 0 ? 0 : gradient[0] / Float(counted)
      // d loss / d x = (softmax(x) − one-hot(target)) · scale; ignored rows get 0.
      let values = [Float](unsafeUninitializedCapacity: logits.count) { output, initialized in
        logits.withUnsafeBufferPointer { source in
          guard let src = source.baseAddress, let dst = output.baseAddress else { return }
          let out = SendablePointer(dst)
          Parallel.forEachChunk(rows, minimumPerThread: Swift.max(1, 16_384 / Swift.max(classes, 1))) { range in
            for row in range {
              let x = src + row * classes
              let dx = out.pointer + row * classes
              let target = targets[row]
              guard target != ignoreIndex else {
                dx.update(repeating: 0, count: classes)
                continue
              }
              let shift = rowShifts[row]
              RowKernels.combine(x, x, dx, classes) { x, _ in simdExp(x - shift) * scale }
              dx[target] -= scale
            }
          }
        }
        initialized = logits.count
      }
      return [values]
    }
  }
}
