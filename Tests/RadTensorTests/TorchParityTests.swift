import Foundation
import RadTensor
import Testing

/// Forward values and gradients against PyTorch on the same weights and inputs
/// (fixtures from tools/reference/tensor_fixtures.py): forward ≤ 1e-5 relative, gradients ≤ 1e-4.
@Suite("PyTorch parity")
struct TorchParityTests {
  @Test func mlpForwardAndBackward() throws {
    let fixture = try TorchFixture("torch_mlp.json")
    let store = ParameterStore()
    for name in ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"] { store.register(name, try fixture[name]) }
    let x = try fixture["x"].requiringGrad()
    let targets = fixture.root["targets"] as! [Int]
    func linear(_ input: Tensor, _ prefix: String) -> Tensor {
      input.matmul(store["\(prefix).weight"]!.value, transposeOther: true) + store["\(prefix).bias"]!.value
    }
    let hidden = linear(x, "fc1").gelu()
    let logits = linear(hidden, "fc2")
    let loss = logits.crossEntropy(targets: targets)
    expectClose(hidden, try fixture["hidden"], 1e-5, "hidden")
    expectClose(logits, try fixture["logits"], 1e-5, "logits")
    expectClose(loss, try fixture["loss"], 1e-5, "loss")
    loss.backward()
    expectClose(x.grad!, try fixture["grad.x"], 1e-4, "x.grad!")
    for name in store.names {
      let gradient = Tensor(shape: store[name]!.value.shape, data: store[name]!.gradient!)
      expectClose(gradient, try fixture["grad.\(name)"], 1e-4, "\(name)")
    }
  }

  @Test func causalSelfAttentionBlock() throws {
    let fixture = try TorchFixture("torch_attention.json")
    let heads = fixture.root["heads"] as! Int
    let attentionMask = fixture.root["attention_mask"] as! [[Int]]
    let store = ParameterStore()
    for name in ["ln.weight", "ln.bias", "c_attn.weight", "c_attn.bias", "c_proj.weight", "c_proj.bias"] {
      store.register(name, try fixture[name])
    }
    func p(_ name: String) -> Tensor { store[name]!.value }
    let x = try fixture["x"].requiringGrad()
    let (batch, sequence, width) = (x.shape[0], x.shape[1], x.shape[2])
    let headWidth = width / heads

    let h = x.layerNorm(weight: p("ln.weight"), bias: p("ln.bias"), eps: 1e-5)
    let qkv = h.matmul(p("c_attn.weight"), transposeOther: true) + p("c_attn.bias")
    let parts = qkv.split(axis: -1, sizes: [width, width, width]).map {
      $0.reshaped([batch, sequence, heads, headWidth]).transposed(1, 2)
    }
    let scores = parts[0].matmul(parts[1], transposeOther: true) / Float(headWidth).squareRoot()
    let mask = Tensor.causalMask(queries: sequence, keys: sequence) + Tensor.paddingMask(attentionMask: attentionMask)
    let weights = scores.maskedFill(mask, value: -.infinity).softmax()
    let y = weights.matmul(parts[2]).transposed(1, 2).reshaped([batch, sequence, width])
    let out = x + y.matmul(p("c_proj.weight"), transposeOther: true) + p("c_proj.bias")
    let loss = (out * (try fixture["projection"])).sum()

    expectClose(weights, try fixture["attention_weights"], 1e-5, "weights")
    expectClose(out, try fixture["out"], 1e-5, "out")
    expectClose(loss, try fixture["loss"], 1e-5, "loss")
    loss.backward()
    expectClose(x.grad!, try fixture["grad.x"], 1e-4, "x.grad!")
    for name in store.names {
      let gradient = Tensor(shape: p(name).shape, data: store[name]!.gradient!)
      expectClose(gradient, try fixture["grad.\(name)"], 1e-4, "\(name)")
    }
  }

  @Test func rmsNormSwiGLU() throws {
    let fixture = try TorchFixture("torch_swiglu.json")
    let store = ParameterStore()
    for name in ["norm.weight", "gate.weight", "up.weight", "down.weight"] { store.register(name, try fixture[name]) }
    func p(_ name: String) -> Tensor { store[name]!.value }
    let x = try fixture["x"].requiringGrad()
    let normed = x.rmsNorm(weight: p("norm.weight"), eps: 1e-6)
    let gate = normed.matmul(p("gate.weight"), transposeOther: true).silu()
    let up = normed.matmul(p("up.weight"), transposeOther: true)
    let out = (gate * up).matmul(p("down.weight"), transposeOther: true)
    let loss = (out * (try fixture["projection"])).sum()
    expectClose(normed, try fixture["normed"], 1e-5, "normed")
    expectClose(out, try fixture["out"], 1e-5, "out")
    loss.backward()
    expectClose(x.grad!, try fixture["grad.x"], 1e-4, "x.grad!")
    for name in store.names {
      let gradient = Tensor(shape: p(name).shape, data: store[name]!.gradient!)
      expectClose(gradient, try fixture["grad.\(name)"], 1e-4, "\(name)")
    }
  }

  /// 10 optimiser steps; the loss before each step must follow PyTorch's within 1e-4 relative.
  @Test(arguments: ["adamw", "sgd"])
  func optimizerTrajectory(_ kind: String) throws {
    let fixture = try TorchFixture("torch_optimizers.json")
    let reference = fixture.root[kind] as! [String: Any]
    let expectedLosses = reference["losses"] as! [Double]
    let targets = fixture.root["targets"] as! [Int]
    let x = try fixture["x"]
    let store = ParameterStore()
    for name in ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"] { store.register(name, try fixture[name]) }
    func p(_ name: String) -> Tensor { store[name]!.value }
    let schedule = LearningRateSchedule.cosine(warmupSteps: 2, totalSteps: 10)
    let optimizer: any Optimizer =
      kind == "adamw"
      ? AdamW(parameters: store.trainable, learningRate: 1e-2, weightDecay: 0.01)
      : SGD(parameters: store.trainable, learningRate: 0.1, momentum: 0.9, weightDecay: 1e-3)
    for step in 0..<10 {
      optimizer.zeroGrad()
      let hidden = (x.matmul(p("fc1.weight"), transposeOther: true) + p("fc1.bias")).gelu()
      let loss = (hidden.matmul(p("fc2.weight"), transposeOther: true) + p("fc2.bias")).crossEntropy(targets: targets)
      loss.backward()
      if kind == "adamw" {
        let norm = clipGradientNorm(store.trainable, maxNorm: 1.0)
        let expectedNorm = Float((reference["grad_norms"] as! [Double])[step])
        #expect(abs(norm - expectedNorm) <= 1e-4 * expectedNorm, "step \(step) gradient norm")
        optimizer.learningRate = schedule.learningRate(base: 1e-2, at: step)
        let expectedRate = Float((reference["learning_rates"] as! [Double])[step])
        #expect(abs(optimizer.learningRate - expectedRate) <= 1e-7, "step \(step) learning rate")
      }
      optimizer.step()
      let expected = Float(expectedLosses[step])
      #expect(abs(loss.item - expected) <= 1e-4 * abs(expected), "step \(step): \(loss.item) vs \(expected)")
    }
    let final = try TorchFixture.decodeTensors(reference["final"], file: "torch_optimizers.json")
    for name in store.names {
      expectClose(p(name), final[name]!, 1e-4, "final \(name)")
    }
  }

  /// Two half-batch backward passes accumulate the same gradient as one full batch.
  @Test func gradientAccumulationEqualsFullBatch() throws {
    let fixture = try TorchFixture("torch_optimizers.json")
    let x = try fixture["x"]
    let weight = try fixture["fc2.weight"]
    let full = ParameterStore()
    full.register("w", try fixture["fc1.weight"])
    let halves = ParameterStore()
    halves.register("w", try fixture["fc1.weight"])
    let targets = [0, 3, 1, 2, 4, 1]
    func loss(_ store: ParameterStore, _ rows: Range<Int>) -> Tensor {
      let input = x.slice(axis: 0, rows)
      let logits = input.matmul(store["w"]!.value, transposeOther: true).tanh().matmul(weight, transposeOther: true)
      return logits.crossEntropy(targets: Array(targets[rows]))
    }
    loss(full, 0..<6).backward()
    (loss(halves, 0..<3) * 0.5).backward()
    (loss(halves, 3..<6) * 0.5).backward()
    let a = Tensor(shape: [16, 8], data: full["w"]!.gradient!)
    let b = Tensor(shape: [16, 8], data: halves["w"]!.gradient!)
    expectClose(b, a, 1e-5, "b")
  }
}
