import Foundation
import RadModels
import RadTensor
import RadTraining
import Testing

/// DPO losses and LoRA gradients on a fixture batch against trl's DPOTrainer itself
/// (tools/reference/training_fixtures.py runs `DPOTrainer.compute_loss` on its own collated batch):
/// policy = base + LoRA, reference = adapters off, computed through RadLM's DPO objective.
@Suite("Preference optimisation")
struct PreferenceTests {
  @Test(arguments: PreferenceLoss.allCases)
  func dpoLossAndGradientsMatchTRL(_ kind: PreferenceLoss) throws {
    let fixture = try TrainingFixtures.json("dpo.json")
    let beta = Float(fixture["beta"] as! Double)
    let prompts = fixture["prompt"] as! [[Int]]
    let chosen = fixture["chosen"] as! [[Int]]
    let rejected = fixture["rejected"] as! [[Int]]
    let expected = (fixture["losses"] as! [String: Any])[kind.rawValue] as! [String: Any]
    let pairs = prompts.indices.map { PreferencePair(prompt: prompts[$0], chosen: chosen[$0], rejected: rejected[$0]) }

    let model = try TrainingFixtures.languageModel("tiny_llama")
    let adapters = try LoRAAdapterSet(
      loading: TrainingFixtures.folder.appendingPathComponent("dpo_policy_adapter"), into: model.parameters)
    // TRL's reference log-probabilities (sums over completion tokens, adapters off).
    let sums = try adapters.withAdaptersDisabled {
      try DirectPreferenceObjective.logProbabilities(model: model, pairs: pairs, average: false, padId: 0)
    }
    let expectedReference = (fixture["reference_logps"] as! [Double]).map { Float($0) }
    for (a, b) in zip(sums.map(\.chosen) + sums.map(\.rejected), expectedReference) {
      #expect(abs(a - b) <= 1e-4 * max(1, abs(b)), "reference log-probability \(a) vs \(b)")
    }

    let references = try adapters.withAdaptersDisabled {
      try DirectPreferenceObjective.logProbabilities(model: model, pairs: pairs, average: kind == .ipo, padId: 0)
    }
    let objective = try DirectPreferenceObjective(
      policy: model, pairs: pairs, validationPairs: [], referenceLogProbabilities: references, loss: kind, beta: beta,
      batchSize: pairs.count, padId: 0, seed: 0)
    let loss = try objective.batchLoss(pairs, references: references)
    let expectedLoss = Float(expected["loss"] as! Double)
    #expect(abs(loss.item - expectedLoss) <= 1e-5 * max(1, abs(expectedLoss)), "\(loss.item) vs \(expectedLoss)")
    loss.backward()
    let grads = expected["grads"] as! [String: Any]
    #expect(grads.count == adapters.adapters.count * 2)
    for (name, value) in grads {
      guard let parameter = model.parameters[name], let gradient = parameter.gradient else {
        Issue.record("no gradient for \(name)")
        continue
      }
      let reference = TrainingFixtures.tensor(value)
      let scale = max(reference.data.map { abs($0) }.max() ?? 0, 1e-6)
      let worst = zip(gradient, reference.data).map { abs($0 - $1) }.max() ?? 0
      #expect(worst <= 1e-3 * scale, "\(name): max difference \(worst) at scale \(scale)")
    }
  }

  @Test func bradleyTerryLossPrefersHigherChosenRewards() {
    let chosen = Tensor(shape: [3], data: [2, 0.5, -1]).requiringGrad()
    let rejected = Tensor(shape: [3], data: [1, 0.5, 0]).requiringGrad()
    let loss = bradleyTerryLoss(chosenRewards: chosen, rejectedRewards: rejected)
    // −log σ(d) averaged, d = [1, 0, −1].
    let expected = ([1.0, 0.0, -1.0].map { log(1 + exp(-$0)) }.reduce(0, +)) / 3
    #expect(abs(Double(loss.item) - expected) < 1e-6)
    loss.backward()
    #expect(chosen.grad!.data.allSatisfy { $0 < 0 }, "raising a chosen reward lowers the loss")
    #expect(rejected.grad!.data.allSatisfy { $0 > 0 })
  }
}
