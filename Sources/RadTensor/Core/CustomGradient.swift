extension Tensor {
  /// An operation whose values and gradient are computed outside RadTensor, for layers that keep
  /// their own storage (a quantised frozen weight in QLoRA): `data` is the result for `input`, and
  /// `backward` maps the output gradient to the gradient of `input`. Records a graph node only
  /// when `input` requires a gradient and recording is on, like every built-in operation.
  public static func differentiable(
    shape: [Int], data: [Float], input: Tensor, backward: @escaping (_ outputGradient: [Float]) -> [Float]
  ) -> Tensor {
    result(shape: shape, data: data, inputs: [input]) { gradient, needed in [needed[0] ? backward(gradient) : nil] }
  }
}
