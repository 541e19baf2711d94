import Foundation
import RadTensor
import Testing

@Suite("Autograd tape")
struct AutogradTests {
  @Test func inferenceModeRecordsNothing() {
    let weight = Tensor(shape: [2, 2], data: [1, 2, 3, 4]).requiringGrad()
    let output = Autograd.inferenceMode { (weight * 2).sum() }
    #expect(!output.requiresGrad)
    #expect(output.node == nil)
    #expect(output.item == 20)
    let recorded = (weight * 2).sum()
    #expect(recorded.requiresGrad)
  }

  @Test func tensorsWithoutGradientsBuildNoGraph() {
    let a = Tensor(shape: [3], data: [1, 2, 3])
    let b = (a.exp() * a).softmax()
    #expect(b.node == nil)
  }

  @Test func gradientsAccumulateAcrossBackwardCallsUntilZeroed() {
    let store = ParameterStore()
    let parameter = store.register("w", Tensor(shape: [3], data: [1, 2, 3]))
    (parameter.value * parameter.value).sum().backward()
    #expect(parameter.gradient == [2, 4, 6])
    (parameter.value * 3).sum().backward()
    #expect(parameter.gradient == [5, 7, 9])
    store.zeroGrad()
    #expect(parameter.gradient == nil)
  }

  @Test func sharedSubexpressionGetsBothContributions() {
    let x = Tensor(shape: [2], data: [0.5, -1]).requiringGrad()
    let y = x.tanh()
    // d/dx (y·y + y) = (2y + 1)(1 − y²)
    (y * y + y).sum().backward()
    for (index, value) in x.data.enumerated() {
      let t: Float = Foundation.tanh(value)
      let expected: Float = (2 * t + 1) * (1 - t * t)
      #expect(abs(x.grad!.data[index] - expected) < 1e-6)
    }
  }

  @Test func frozenParametersReceiveNoGradient() {
    let store = ParameterStore()
    let frozen = store.register("base.weight", Tensor(shape: [2], data: [1, 1]), trainable: false)
    let adapter = store.register("adapter.weight", Tensor(shape: [2], data: [2, 3]))
    (frozen.value * adapter.value).sum().backward()
    #expect(frozen.gradient == nil)
    #expect(adapter.gradient == [1, 1])
    #expect(store.trainable.map(\.name) == ["adapter.weight"])
  }

  @Test func hierarchicalNames() {
    let store = ParameterStore()
    let attention = store.scoped("encoder").scoped("layer.0").scoped("attention.self")
    attention.register("query.weight", .zeros([4, 4]))
    attention.register("query.bias", .zeros([4]))
    #expect(
      store.names == ["encoder.layer.0.attention.self.query.weight", "encoder.layer.0.attention.self.query.bias"])
    #expect(store.scalarCount == 20)
    #expect(store["encoder.layer.0.attention.self.query.bias"]?.value.shape == [4])
  }

  @Test func largeTensorsTakeTheParallelPathWithTheSameResult() {
    var random = SeededRandom(seed: 99)
    let big = Tensor.normal([300, 1000], using: &random)
    let parallel = big.gelu().softmax().layerNorm(weight: nil, bias: nil)
    let saved = Parallel.threadCount
    Parallel.threadCount = 1
    defer { Parallel.threadCount = saved }
    let serial = big.gelu().softmax().layerNorm(weight: nil, bias: nil)
    #expect(parallel.data == serial.data)
  }
}

@Suite("Seeded random streams")
struct SeededRandomTests {
  @Test func sameSeedSameStreamAndStateRestores() {
    var first = SeededRandom(seed: 42)
    var second = SeededRandom(seed: 42)
    let a = (0..<100).map { _ in first.next() }
    let b = (0..<100).map { _ in second.next() }
    #expect(a == b)
    var third = SeededRandom(seed: 43)
    #expect((0..<100).map { _ in third.next() } != a)
    var restored = SeededRandom(state: first.state)
    #expect((0..<10).map { _ in restored.next() } == (0..<10).map { _ in first.next() })
  }

  @Test func distributionsHaveTheRightMoments() {
    var random = SeededRandom(seed: 7)
    let uniform = Tensor.uniform([100_000], low: -1, high: 3, using: &random)
    #expect(uniform.data.allSatisfy { $0 >= -1 && $0 < 3 })
    #expect(abs(uniform.mean().item - 1) < 0.02)
    let normal = Tensor.normal([100_000], mean: 2, std: 0.5, using: &random)
    let mean = normal.mean().item
    let variance = ((normal - mean) * (normal - mean)).mean().item
    #expect(abs(mean - 2) < 0.01)
    #expect(abs(variance.squareRoot() - 0.5) < 0.01)
  }
}

@Suite("Learning-rate schedules")
struct ScheduleTests {
  @Test(arguments: [
    ("constant_warmup3", LearningRateSchedule.constant(warmupSteps: 3)),
    ("linear_warmup4_total20", .linear(warmupSteps: 4, totalSteps: 20)),
    ("cosine_warmup5_total20", .cosine(warmupSteps: 5, totalSteps: 20)),
    ("cosine_warmup0_total20_cycles1.5", .cosine(warmupSteps: 0, totalSteps: 20, cycles: 1.5)),
  ])
  func matchesTransformers(_ name: String, _ schedule: LearningRateSchedule) throws {
    let fixture = try TorchFixture.raw("transformers_schedules.json")
    let expected = fixture[name] as! [Double]
    for (step, value) in expected.enumerated() {
      #expect(abs(Double(schedule.factor(at: step)) - value) < 1e-6, "\(name) step \(step)")
    }
  }
}
