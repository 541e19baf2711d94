import Foundation
import RadModels
import RadTensor
import RadTraining
import Testing

enum TrainingFixtures {
  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

  static func json(_ name: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(name))) as! [String: Any]
  }

  static func tensor(_ value: Any?) -> Tensor {
    let dictionary = value as! [String: Any]
    return Tensor(shape: dictionary["shape"] as! [Int], data: (dictionary["data"] as! [Double]).map { Float($0) })
  }

  static func languageModel(_ name: String) throws -> any LanguageModel {
    try ModelLoader.load(directory: folder.appendingPathComponent(name)) as! any LanguageModel
  }

  static func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
    #expect(a.shape == b.shape)
    return zip(a.data, b.data).map { abs($0 - $1) }.max() ?? 0
  }
}

/// LoRA adapters against PEFT: a PEFT adapter loads in RadLM with the same logits, merging gives
/// the same logits, and an adapter RadLM saves reloads to the same model.
@Suite("LoRA and PEFT files")
struct LoRATests {
  @Test(arguments: [("llama", "tiny_llama"), ("gpt2", "tiny_gpt2")])
  func peftAdapterGivesPEFTLogits(_ key: String, _ modelName: String) throws {
    let fixture = try TrainingFixtures.json("peft_lora.json")[key] as! [String: Any]
    let ids = (fixture["ids"] as! [[Int]])[0]
    let model = try TrainingFixtures.languageModel(modelName)
    let base = try Autograd.inferenceMode { try model.logits(TokenBatch(ids)) }
    #expect(TrainingFixtures.maxDifference(base, TrainingFixtures.tensor(fixture["base_logits"])) <= 1e-4)

    let adapters = try LoRAAdapterSet(
      loading: TrainingFixtures.folder.appendingPathComponent("\(modelName)_peft_adapter"), into: model.parameters)
    let adapted = try Autograd.inferenceMode { try model.logits(TokenBatch(ids)) }
    let expected = TrainingFixtures.tensor(fixture["adapted_logits"])
    #expect(TrainingFixtures.maxDifference(adapted, expected) <= 1e-4)
    #expect(TrainingFixtures.maxDifference(adapted, base) > 1e-2, "the adapter changes the logits")

    // Adapters off = the base model (DPO's reference).
    let disabled = try adapters.withAdaptersDisabled {
      try Autograd.inferenceMode { try model.logits(TokenBatch(ids)) }
    }
    #expect(TrainingFixtures.maxDifference(disabled, base) <= 1e-6)

    // Only the adapter trains.
    #expect(model.parameters.trainable.allSatisfy { $0.name.contains(".lora_") })

    // Round trip through RadLM's own writer.
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("radlm-lora-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    try adapters.save(to: folder)
    let reloadedModel = try TrainingFixtures.languageModel(modelName)
    _ = try LoRAAdapterSet(loading: folder, into: reloadedModel.parameters)
    let reloaded = try Autograd.inferenceMode { try reloadedModel.logits(TokenBatch(ids)) }
    #expect(TrainingFixtures.maxDifference(reloaded, adapted) == 0)

    adapters.merge(removingFrom: model.parameters)
    let merged = try Autograd.inferenceMode { try model.logits(TokenBatch(ids)) }
    #expect(TrainingFixtures.maxDifference(merged, TrainingFixtures.tensor(fixture["merged_logits"])) <= 1e-4)
    #expect(!model.parameters.names.contains { $0.contains("lora_") })
  }

  @Test func unknownTargetsAndMismatchedFilesAreTypedErrors() throws {
    let model = try TrainingFixtures.languageModel("tiny_llama")
    #expect(throws: LoRAError.self) {
      try LoRAAdapterSet(
        attachingTo: model.parameters, configuration: LoRAConfiguration(targetModules: ["nonexistent"]), seed: 0)
    }
    // A GPT-2 adapter does not fit the Llama model: its tensors match no layer.
    let other = try TrainingFixtures.languageModel("tiny_llama")
    #expect(throws: LoRAError.self) {
      try LoRAAdapterSet(
        loading: TrainingFixtures.folder.appendingPathComponent("tiny_gpt2_peft_adapter"), into: other.parameters)
    }
  }
}

/// A training objective that replays fixed batches from a fixture: step i's loss is `loss(i)`. Parity
/// tests use it to feed the same batches PyTorch saw (its RNG draws cannot be reproduced).
final class ReplayedBatches: TrainingObjective {
  let parameters: ParameterStore
  let loss: (Int) throws -> (Tensor, Int)
  var index = 0
  init(parameters: ParameterStore, loss: @escaping (Int) throws -> (Tensor, Int)) {
    self.parameters = parameters
    self.loss = loss
  }
  func nextLoss(random: inout SeededRandom) throws -> (loss: Tensor, tokens: Int) {
    defer { index += 1 }
    return try loss(index)
  }
  func validationLoss() throws -> Float? { nil }
  var dataPosition: DataOrder.Position { .init(epoch: 0, index: index) }
  func restoreDataPosition(_ position: DataOrder.Position) { index = position.index }

  /// Runs `steps` optimiser steps with the fixtures' settings (AdamW lr 1e-3, weight decay 0.01,
  /// constant schedule, clipping at 1.0) and checks each loss against `expected` (1e-4 relative).
  func expectLosses(_ expected: [Float], sourceLocation: SourceLocation = #_sourceLocation) throws {
    var configuration = TrainingConfiguration()
    configuration.steps = expected.count
    configuration.learningRate = 1e-3
    configuration.schedule = "constant"
    configuration.weightDecay = 0.01
    configuration.maxGradientNorm = 1.0
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("radlm-parity-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: output) }
    let state = try Trainer(objective: self, configuration: configuration, output: output).run()
    #expect(state.lossHistory.count == expected.count, sourceLocation: sourceLocation)
    for (step, (loss, reference)) in zip(state.lossHistory, expected).enumerated() {
      #expect(
        abs(loss - reference) <= 1e-4 * abs(reference), "step \(step + 1): \(loss) vs \(reference)",
        sourceLocation: sourceLocation)
    }
  }
}

/// Ten causal-LM steps of the tiny GPT-2 from the same weights and batches as PyTorch.
@Suite("Training parity with PyTorch")
struct CausalTrainingParityTests {
  @Test func tenStepsMatchPyTorch() throws {
    let fixture = try TrainingFixtures.json("clm_training.json")
    let batches = fixture["batches"] as! [[[Int]]]
    let model = try TrainingFixtures.languageModel("tiny_gpt2")
    try ReplayedBatches(parameters: model.parameters) { step in
      let rows = batches[step]
      return (try model.languageModelingLoss(TokenBatch(rows: rows)), rows.count * (rows[0].count - 1))
    }.expectLosses((fixture["losses"] as! [Double]).map { Float($0) })
  }
}
