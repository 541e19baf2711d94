/// Dropout zeroes each value with probability p during training and scales the survivors by
/// 1/(1−p), so the expected activation is unchanged and inference needs no rescaling.
extension Tensor {
  public func dropout(_ probability: Float, training: Bool, using random: inout SeededRandom) -> Tensor {
    guard training, probability > 0 else { return self }
    precondition(probability < 1, "dropout probability must be < 1")
    let keep = 1 / (1 - probability)
    var mask = [Float](repeating: 0, count: count)
    for index in 0..<count where random.nextUniform() >= probability { mask[index] = keep }
    let values = Kernels.zip(data, mask) { $0 * $1 }
    return Tensor.result(shape: shape, data: values, inputs: [self]) { gradient, _ in
      [Kernels.zip(gradient, mask) { $0 * $1 }]
    }
  }
}
