import RadTensor
import Testing

/// Central finite differences against autograd: for a random projection r, the loss Σ r⊙f(x)
/// must change by ⟨∇, δ⟩ when x moves by δ. Inputs are small so float32 differences stay
/// accurate; the tolerance reflects float32 rounding of the difference quotient.
struct GradientCheck {
  var random = SeededRandom(seed: 1234)

  mutating func check(
    _ name: String, inputs: [Tensor], epsilon: Float = 1e-2, tolerance: Float = 3e-3,
    _ function: ([Tensor]) -> Tensor
  ) {
    let leaves = inputs.map { $0.requiringGrad() }
    let output = function(leaves)
    let projection = Tensor.normal(output.shape, using: &random)
    (output * projection).sum().backward()
    for (index, leaf) in leaves.enumerated() {
      guard let analytic = leaf.grad else {
        Issue.record("\(name): input \(index) received no gradient")
        continue
      }
      for element in 0..<leaf.count {
        var plus = inputs
        var minus = inputs
        plus[index].data[element] += epsilon
        minus[index].data[element] -= epsilon
        let lossPlus = Double((function(plus) * projection).sum().item)
        let lossMinus = Double((function(minus) * projection).sum().item)
        let numeric = Float((lossPlus - lossMinus) / Double(2 * epsilon))
        let difference = abs(numeric - analytic.data[element])
        let scale = Swift.max(1, abs(numeric), abs(analytic.data[element]))
        #expect(
          difference <= tolerance * scale,
          "\(name): d/dinput\(index)[\(element)] numeric \(numeric) vs autograd \(analytic.data[element])")
      }
    }
  }
}
