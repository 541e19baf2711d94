import RadTensor
import Testing

/// The fused SwiGLU gate `siluGated` against `gate.silu() * up`: same arithmetic, so values and
/// both gradients must be equal exactly (including a tail shorter than the 16-lane vectors), and
/// the gradients must match finite differences.
@Suite("Fused SwiGLU gate")
struct GatedActivationTests {
  static func sample(_ shape: [Int], seed: UInt64) -> Tensor {
    var random = SeededRandom(seed: seed)
    return Tensor.uniform(shape, low: -4, high: 4, using: &random)
  }

  @Test(arguments: [[3, 37], [2, 5, 16], [70_001]])
  func equalsComposedOperations(_ shape: [Int]) {
    let gate = Self.sample(shape, seed: 1)
    let up = Self.sample(shape, seed: 2)
    let projection = Self.sample(shape, seed: 3)
    let (fusedGate, fusedUp) = (gate.requiringGrad(), up.requiringGrad())
    let (composedGate, composedUp) = (gate.requiringGrad(), up.requiringGrad())
    let fused = fusedGate.siluGated(fusedUp)
    let composed = composedGate.silu() * composedUp
    #expect(fused.data == composed.data)
    // Without a graph silu(gate) is not kept; the values must not change.
    #expect(Autograd.inferenceMode { gate.siluGated(up) }.data == composed.data)
    (fused * projection).sum().backward()
    (composed * projection).sum().backward()
    #expect(fusedGate.grad?.data == composedGate.grad?.data)
    #expect(fusedUp.grad?.data == composedUp.grad?.data)
    #expect(fusedGate.grad != nil && fusedUp.grad != nil)
  }

  @Test func gradientsMatchFiniteDifferences() {
    var check = GradientCheck()
    check.check("siluGated", inputs: [Self.sample([2, 9], seed: 4), Self.sample([2, 9], seed: 5)]) {
      $0[0].siluGated($0[1])
    }
  }

  @Test func onlyTheGateNeedsAGradient() {
    let gate = Self.sample([4, 20], seed: 6).requiringGrad()
    let up = Self.sample([4, 20], seed: 7)
    gate.siluGated(up).sum().backward()
    let expected = Self.sample([4, 20], seed: 6).requiringGrad()
    (expected.silu() * up).sum().backward()
    #expect(gate.grad?.data == expected.grad?.data)
  }
}
