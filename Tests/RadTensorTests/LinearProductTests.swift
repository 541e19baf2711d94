import RadTensor
import Testing

/// The fused `Tensor.linear` (bias and LoRA's low-rank term accumulated by the GEMMs) against the
/// same layer composed from matmul, add and scale: values and every gradient must agree, in both
/// weight layouts, and the gradients must match finite differences; a frozen weight (no
/// gradient) must not stop the gradients of x and the factors.
@Suite("Fused linear layer")
struct LinearProductTests {
  struct Case: CustomTestStringConvertible, Sendable {
    let name: String
    let xShape: [Int]
    let inFeatures: Int, outFeatures: Int
    let outIn: Bool
    let bias: Bool
    let rank: Int
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(
      name: "nn.Linear, bias, rank 3", xShape: [2, 5, 7], inFeatures: 7, outFeatures: 6, outIn: true, bias: true,
      rank: 3),
    Case(
      name: "Conv1D layout, bias, rank 2", xShape: [4, 5], inFeatures: 5, outFeatures: 9, outIn: false, bias: true,
      rank: 2),
    Case(name: "no bias, rank 4", xShape: [3, 6], inFeatures: 6, outFeatures: 4, outIn: true, bias: false, rank: 4),
    Case(name: "bias only", xShape: [2, 3, 4], inFeatures: 4, outFeatures: 5, outIn: true, bias: true, rank: 0),
    Case(
      name: "plain product, one row", xShape: [1, 8], inFeatures: 8, outFeatures: 3, outIn: false, bias: false, rank: 0),
  ]

  /// Large enough that the rank-8 products are cut into single-threaded pieces (`ThinProduct`);
  /// too large for finite differences.
  static let splitCase = Case(
    name: "rank 8, thin products split", xShape: [300, 200], inFeatures: 200, outFeatures: 900, outIn: true, bias: true,
    rank: 8)

  static func sample(_ shape: [Int], seed: UInt64) -> Tensor {
    var random = SeededRandom(seed: seed)
    return Tensor.uniform(shape, low: -1, high: 1, using: &random)
  }

  /// x, W, then bias, A, B as the case has them.
  static func inputs(_ c: Case) -> [Tensor] {
    var tensors = [
      sample(c.xShape, seed: 1),
      sample(c.outIn ? [c.outFeatures, c.inFeatures] : [c.inFeatures, c.outFeatures], seed: 2),
    ]
    if c.bias { tensors.append(sample([c.outFeatures], seed: 3)) }
    if c.rank > 0 { tensors += [sample([c.rank, c.inFeatures], seed: 4), sample([c.outFeatures, c.rank], seed: 5)] }
    return tensors
  }

  static let scale: Float = 1.75

  static func fused(_ c: Case, _ t: [Tensor]) -> Tensor {
    let bias = c.bias ? t[2] : nil
    let factors = c.rank > 0 ? LowRankUpdate(a: t[t.count - 2], b: t[t.count - 1], scale: scale) : nil
    return t[0].linear(weight: t[1], weightIsOutIn: c.outIn, bias: bias, lowRank: factors)
  }

  static func composed(_ c: Case, _ t: [Tensor]) -> Tensor {
    var y = t[0].reshaped([-1, c.inFeatures]).matmul(t[1], transposeOther: c.outIn)
    if c.bias { y = y + t[2] }
    if c.rank > 0 {
      y =
        y + t[0].reshaped([-1, c.inFeatures]).matmul(t[t.count - 2], transposeOther: true)
        .matmul(t[t.count - 1], transposeOther: true) * scale
    }
    return y.reshaped(Array(c.xShape.dropLast()) + [c.outFeatures])
  }

  static func expectClose(_ a: [Float], _ b: [Float], _ what: String) {
    #expect(a.count == b.count, "\(what): \(a.count) vs \(b.count) values")
    for (index, (x, y)) in zip(a, b).enumerated() {
      // Sums of up to 900 products: float32 rounding differs by order of summation.
      #expect(abs(x - y) <= 2e-4 * Swift.max(1, abs(y)), "\(what)[\(index)]: fused \(x) vs composed \(y)")
    }
  }

  @Test(arguments: cases + [splitCase])
  func matchesComposedLayer(_ c: Case) {
    let projection = Self.sample(Array(c.xShape.dropLast()) + [c.outFeatures], seed: 6)
    let fusedInputs = Self.inputs(c).map { $0.requiringGrad() }
    let composedInputs = Self.inputs(c).map { $0.requiringGrad() }
    let fusedOutput = Self.fused(c, fusedInputs)
    let composedOutput = Self.composed(c, composedInputs)
    #expect(fusedOutput.shape == composedOutput.shape)
    Self.expectClose(fusedOutput.data, composedOutput.data, "\(c.name) output")
    (fusedOutput * projection).sum().backward()
    (composedOutput * projection).sum().backward()
    for (index, (fused, composed)) in zip(fusedInputs, composedInputs).enumerated() {
      guard let fusedGradient = fused.grad, let composedGradient = composed.grad else {
        Issue.record("\(c.name): input \(index) received no gradient")
        continue
      }
      Self.expectClose(fusedGradient.data, composedGradient.data, "\(c.name) gradient \(index)")
    }
  }

  @Test(arguments: cases)
  func gradientsMatchFiniteDifferences(_ c: Case) {
    var check = GradientCheck()
    check.check(c.name, inputs: Self.inputs(c)) { Self.fused(c, $0) }
  }

  /// LoRA's case: the base weight is frozen, so it gets no gradient while x, A and B do, and the
  /// product needs no graph at all when nothing requires a gradient.
  @Test func frozenWeightGetsNoGradient() {
    let c = Self.cases[0]
    var t = Self.inputs(c)
    for index in t.indices where index != 1 { t[index] = t[index].requiringGrad() }
    let y = Self.fused(c, t)
    (y * Self.sample(y.shape, seed: 7)).sum().backward()
    #expect(t[1].grad == nil)
    #expect(t[0].grad != nil && t[2].grad != nil && t[3].grad != nil && t[4].grad != nil)
    #expect(Self.fused(c, Self.inputs(c)).requiresGrad == false)
  }

  @Test func emptyInputGivesBiasRows() {
    let bias = Tensor(shape: [2], data: [0.5, -1])
    let x = Tensor(shape: [3, 0], data: [])
    let y = x.linear(weight: Tensor(shape: [2, 0], data: []), bias: bias)
    #expect(y.shape == [3, 2])
    #expect(y.data == [0.5, -1, 0.5, -1, 0.5, -1])
  }

  /// The cross-entropy gradient is written in the forward pass for a seed of 1 and scaled for
  /// any other seed: both must match finite differences of the mean loss.
  @Test(arguments: [Float(1), Float(-2.5)])
  func crossEntropyGradientForSeed(_ seed: Float) {
    let logits = Self.sample([4, 7], seed: 8)
    let targets = [3, -100, 0, 6]
    let leaf = logits.requiringGrad()
    let loss = leaf.crossEntropy(targets: targets)
    loss.backward(gradient: Tensor(shape: [], data: [seed]))
    guard let analytic = leaf.grad else {
      Issue.record("cross-entropy gave no gradient")
      return
    }
    let epsilon: Float = 1e-2
    for element in 0..<logits.count {
      var plus = logits
      var minus = logits
      plus.data[element] += epsilon
      minus.data[element] -= epsilon
      let numeric =
        seed * (plus.crossEntropy(targets: targets).item - minus.crossEntropy(targets: targets).item) / (2 * epsilon)
      #expect(abs(numeric - analytic.data[element]) <= 2e-3 * Swift.max(1, abs(numeric)), "d/dlogits[\(element)]")
    }
    // Row 1's target is ignored: no gradient at all.
    #expect(analytic.data[7..<14].allSatisfy { $0 == 0 })
  }
}
