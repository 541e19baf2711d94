import RadTensor
import Testing

/// Every differentiable operation's backward against finite differences.
@Suite("Finite-difference gradients")
struct GradientTests {
  static func sample(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
    var random = SeededRandom(seed: seed)
    return Tensor.uniform(shape, low: low, high: high, using: &random)
  }

  struct Case: CustomTestStringConvertible, Sendable {
    let name: String
    let inputs: [Tensor]
    let function: @Sendable ([Tensor]) -> Tensor
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(name: "add broadcast", inputs: [sample([2, 3, 4], seed: 1), sample([3, 1], seed: 2)]) { $0[0] + $0[1] },
    Case(name: "add row", inputs: [sample([2, 3, 4], seed: 1), sample([4], seed: 2)]) { $0[0] + $0[1] },
    Case(name: "sub broadcast", inputs: [sample([2, 1, 4], seed: 3), sample([3, 4], seed: 4)]) { $0[0] - $0[1] },
    Case(name: "mul broadcast", inputs: [sample([2, 3, 4], seed: 5), sample([2, 1, 4], seed: 6)]) { $0[0] * $0[1] },
    Case(name: "div broadcast", inputs: [sample([3, 4], seed: 7), sample([4], seed: 8, low: 0.5, high: 2)]) {
      $0[0] / $0[1]
    },
    Case(name: "scalar ops", inputs: [sample([5], seed: 9)]) { (2 * $0[0] + 1) / 3 - 0.5 },
    Case(name: "neg", inputs: [sample([6], seed: 10)]) { -$0[0] },
    Case(name: "exp", inputs: [sample([6], seed: 11)]) { $0[0].exp() },
    Case(name: "log", inputs: [sample([6], seed: 12, low: 0.5, high: 2)]) { $0[0].log() },
    Case(name: "sqrt", inputs: [sample([6], seed: 13, low: 0.5, high: 2)]) { $0[0].sqrt() },
    Case(name: "pow", inputs: [sample([6], seed: 14, low: 0.5, high: 2)]) { $0[0].pow(2.5) },
    Case(name: "tanh", inputs: [sample([20], seed: 15, low: -3, high: 3)]) { $0[0].tanh() },
    Case(name: "sigmoid", inputs: [sample([20], seed: 16, low: -3, high: 3)]) { $0[0].sigmoid() },
    Case(name: "relu", inputs: [Tensor(shape: [6], data: [-1, -0.5, 0.3, 0.7, 1.2, -2])]) { $0[0].relu() },
    Case(name: "gelu erf", inputs: [sample([20], seed: 17, low: -3, high: 3)]) { $0[0].gelu() },
    Case(name: "gelu tanh", inputs: [sample([20], seed: 18, low: -3, high: 3)]) { $0[0].geluTanh() },
    Case(name: "silu", inputs: [sample([20], seed: 19, low: -3, high: 3)]) { $0[0].silu() },
    Case(name: "sum axis 1", inputs: [sample([2, 3, 4], seed: 20)]) { $0[0].sum(axis: 1) },
    Case(name: "sum last keepdims", inputs: [sample([2, 3, 4], seed: 21)]) { $0[0].sum(axis: -1, keepDims: true) },
    Case(name: "sum axes", inputs: [sample([2, 3, 4], seed: 22)]) { $0[0].sum(axes: [0, 2]) },
    Case(name: "mean", inputs: [sample([2, 3, 4], seed: 23)]) { $0[0].mean(axis: 0) },
    Case(name: "mean all", inputs: [sample([2, 3], seed: 24)]) { $0[0].mean() },
    Case(name: "max", inputs: [sample([3, 5], seed: 25)]) { $0[0].max(axis: 1) },
    Case(name: "reshape", inputs: [sample([2, 6], seed: 26)]) { $0[0].reshaped([3, -1]) * 2 },
    Case(name: "transpose", inputs: [sample([2, 3, 4], seed: 27)]) { $0[0].transposed(0, 2) },
    Case(name: "permute", inputs: [sample([2, 3, 4, 5], seed: 28)]) { $0[0].permuted([0, 2, 1, 3]) },
    Case(name: "slice", inputs: [sample([3, 5], seed: 29)]) { $0[0].slice(axis: 1, 1..<4) },
    Case(name: "concatenate", inputs: [sample([2, 3], seed: 30), sample([2, 2], seed: 31)]) {
      Tensor.concatenate([$0[0], $0[1]], axis: 1)
    },
    Case(name: "split", inputs: [sample([4, 3], seed: 32)]) {
      let parts = $0[0].split(axis: 0, sizes: [1, 3])
      return parts[0] * 2 + parts[1].sum(axis: 0, keepDims: true)
    },
    Case(name: "matmul", inputs: [sample([3, 4], seed: 33), sample([4, 5], seed: 34)]) { $0[0].matmul($0[1]) },
    Case(name: "matmul transposed other", inputs: [sample([2, 3, 4], seed: 35), sample([5, 4], seed: 36)]) {
      $0[0].matmul($0[1], transposeOther: true)
    },
    Case(name: "matmul transposed self", inputs: [sample([4, 3], seed: 37), sample([4, 5], seed: 38)]) {
      $0[0].matmul($0[1], transposeSelf: true)
    },
    Case(name: "matmul both transposed", inputs: [sample([4, 3], seed: 39), sample([5, 4], seed: 40)]) {
      $0[0].matmul($0[1], transposeSelf: true, transposeOther: true)
    },
    Case(name: "batched matmul", inputs: [sample([2, 3, 4], seed: 41), sample([2, 4, 2], seed: 42)]) {
      $0[0].matmul($0[1])
    },
    Case(name: "batched matmul transposed", inputs: [sample([2, 2, 3, 4], seed: 43), sample([2, 2, 5, 4], seed: 44)]) {
      $0[0].matmul($0[1], transposeOther: true)
    },
    Case(
      name: "batched self transposed, shared other", inputs: [sample([2, 4, 3], seed: 45), sample([4, 2], seed: 46)]
    ) {
      $0[0].matmul($0[1], transposeSelf: true)
    },
    Case(name: "row vector matmul (gemv)", inputs: [sample([1, 6], seed: 47), sample([7, 6], seed: 48)]) {
      $0[0].matmul($0[1], transposeOther: true)
    },
    Case(name: "softmax", inputs: [sample([3, 7], seed: 49, low: -3, high: 3)]) { $0[0].softmax() },
    Case(name: "softmax axis 0", inputs: [sample([4, 3], seed: 50, low: -3, high: 3)]) { $0[0].softmax(axis: 0) },
    Case(name: "log softmax", inputs: [sample([3, 19], seed: 51, low: -3, high: 3)]) { $0[0].logSoftmax() },
    Case(name: "layer norm", inputs: [sample([3, 18], seed: 52), sample([18], seed: 53), sample([18], seed: 54)]) {
      $0[0].layerNorm(weight: $0[1], bias: $0[2], eps: 1e-5)
    },
    Case(name: "layer norm without affine", inputs: [sample([2, 5], seed: 55)]) {
      $0[0].layerNorm(weight: nil, bias: nil)
    },
    Case(name: "rms norm", inputs: [sample([3, 18], seed: 56), sample([18], seed: 57)]) {
      $0[0].rmsNorm(weight: $0[1], eps: 1e-6)
    },
    Case(name: "embedding", inputs: [sample([5, 3], seed: 58)]) { $0[0].embedding([4, 0, 4, 2], idsShape: [2, 2]) },
    Case(name: "masked fill", inputs: [sample([2, 3, 3], seed: 59)]) {
      $0[0].maskedFill(Tensor.causalMask(queries: 3, keys: 3), value: -5)
    },
    Case(name: "cross entropy with ignore", inputs: [sample([4, 6], seed: 60, low: -2, high: 2)]) {
      $0[0].crossEntropy(targets: [1, -100, 5, 0])
    },
    Case(name: "rotary rotate-half", inputs: [sample([2, 2, 3, 4], seed: 62)]) {
      $0[0].rotaryEmbedding(cos: sample([3, 2], seed: 63), sin: sample([3, 2], seed: 64))
    },
    Case(name: "rotary interleaved per batch", inputs: [sample([2, 1, 3, 4], seed: 65)]) {
      $0[0].rotaryEmbedding(cos: sample([2, 3, 2], seed: 66), sin: sample([2, 3, 2], seed: 67), interleaved: true)
    },
  ]

  @Test(arguments: cases)
  func gradientMatchesFiniteDifferences(_ testCase: Case) {
    var checker = GradientCheck()
    checker.check(testCase.name, inputs: testCase.inputs, testCase.function)
  }

  @Test func dropoutGradientUsesTheSameMask() {
    var random = SeededRandom(seed: 7)
    let x = GradientTests.sample([1000], seed: 61).requiringGrad()
    let y = x.dropout(0.25, training: true, using: &random)
    y.sum().backward()
    let gradient = x.grad!.data
    for (value, (input, output)) in zip(gradient, zip(x.data, y.data)) {
      if output == 0 {
        #expect(value == 0)
      } else {
        #expect(abs(value - 1 / 0.75) < 1e-6)
        #expect(abs(output - input / 0.75) < 1e-6)
      }
    }
    let dropped = y.data.filter { $0 == 0 }.count
    #expect(dropped > 180 && dropped < 320, "about a quarter dropped, got \(dropped)")
    var again = SeededRandom(seed: 7)
    #expect(x.dropout(0.25, training: true, using: &again).data == y.data, "seeded dropout reproduces")
    #expect(x.dropout(0.25, training: false, using: &again).data == x.data)
  }
}

@Suite("Finite-difference gradients: selection")
struct SelectionGradientTests {
  @Test func selectLastAxisAndSoftplus() {
    var checker = GradientCheck()
    checker.check("selectLastAxis", inputs: [GradientTests.sample([3, 4], seed: 70)]) {
      $0[0].selectLastAxis([2, -100, 0])
    }
    checker.check("softplus", inputs: [GradientTests.sample([20], seed: 71, low: -4, high: 4)]) { $0[0].softplus() }
  }
}
