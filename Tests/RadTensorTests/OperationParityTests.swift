import RadTensor
import Testing

/// Forward values of each operation against PyTorch on the same inputs (fixture torch_ops.json).
@Suite("Operation forward parity")
struct OperationParityTests {

  struct Case: CustomTestStringConvertible, Sendable {
    let expected: String
    let compute: @Sendable (TorchFixture) throws -> Tensor
    var testDescription: String { expected }
    init(_ expected: String, _ compute: @escaping @Sendable (TorchFixture) throws -> Tensor) {
      self.expected = expected
      self.compute = compute
    }
  }

  static let cases: [Case] = [
    Case("add_broadcast") { try $0["a"] + $0["b"] },
    Case("sub_row") { try $0["a"] - $0["row"] },
    Case("mul_broadcast") { try $0["a"] * $0["b"] },
    Case("div_row") { f in
      let row = try f["row"]
      let denominator = Tensor(shape: row.shape, data: row.data.map { abs($0) + 0.5 })
      return try f["a"] / denominator
    },
    Case("exp") { try $0["a"].exp() },
    Case("log") { try $0["positive"].log() },
    Case("sqrt") { try $0["positive"].sqrt() },
    Case("pow") { try $0["positive"].pow(1.7) },
    Case("tanh") { try $0["a"].tanh() },
    Case("sigmoid") { try $0["a"].sigmoid() },
    Case("relu") { try $0["a"].relu() },
    Case("gelu") { try $0["a"].gelu() },
    Case("gelu_tanh") { try $0["a"].geluTanh() },
    Case("silu") { try $0["a"].silu() },
    Case("gelu_big") { try $0["big"].gelu() },
    Case("gelu_tanh_big") { try $0["big"].geluTanh() },
    Case("silu_big") { try $0["big"].silu() },
    Case("tanh_big") { try $0["big"].tanh() },
    Case("exp_big") { try ($0["big"] / 2).exp() },
    Case("sigmoid_big") { try $0["big"].sigmoid() },
    Case("sum_axis1") { try $0["a"].sum(axis: 1) },
    Case("sum_axes02") { try $0["a"].sum(axes: [0, 2]) },
    Case("mean_last") { try $0["a"].mean(axis: -1) },
    Case("max_axis2") { try $0["a"].max(axis: 2) },
    Case("argmax_axis1") { f in
      let a = try f["a"]
      return Tensor(shape: [2, 5], data: a.argmax(axis: 1).map(Float.init))
    },
    Case("permute") { try $0["a"].permuted([2, 0, 1]) },
    Case("transpose") { try $0["a"].transposed(0, 1) },
    Case("slice") { try $0["a"].slice(axis: 1, 1..<3) },
    Case("concat") { f in Tensor.concatenate([try f["a"], try f["a"] * 2], axis: 1) },
    Case("softmax") { try $0["wide"].softmax() },
    Case("softmax_axis0") { try $0["wide"].softmax(axis: 0) },
    Case("log_softmax") { try $0["wide"].logSoftmax() },
    Case("layer_norm") { try $0["wide"].layerNorm(weight: $0["gamma"], bias: $0["beta"], eps: 1e-5) },
    Case("rms_norm") { try $0["wide"].rmsNorm(weight: $0["gamma"], eps: 1e-6) },
    Case("matmul_batched") { try $0["a"].matmul($0["other"]) },
    Case("matmul_t") { try $0["a"].matmul($0["a"], transposeOther: true) },
    Case("softplus") { try $0["a"].softplus() },
    Case("softplus_big") { try $0["big"].softplus() },
    Case("softmax_big") { try $0["big"].softmax() },
    Case("log_softmax_big") { try $0["big"].logSoftmax() },
  ]

  @Test(arguments: cases)
  func forwardMatchesPyTorch(_ testCase: Case) throws {
    let fixture = try TorchFixture("torch_ops.json")
    expectClose(try testCase.compute(fixture), try fixture[testCase.expected], 1e-5, testCase.expected)
  }
}
