import Foundation
import RadModels
import RadTensor
import Testing

/// GPT-2 against transformers' GPT2LMHeadModel on a tiny random configuration.
@Suite("GPT-2 parity with transformers")
struct GPT2ParityTests {
  func loadModel(_ fixture: ModelFixture) throws -> GPT2Model {
    let model = try GPT2Model(json: try fixture.config)
    try WeightLoader.load(try fixture.weights, into: model)
    return model
  }

  func batch(_ fixture: ModelFixture) -> TokenBatch {
    TokenBatch(rows: fixture.rows("input_ids"), attentionMask: fixture.rows("attention_mask"))
  }

  @Test func hiddenStatesAndLogitsMatch() throws {
    let fixture = try ModelFixture("gpt2")
    let model = try loadModel(fixture)
    try Autograd.inferenceMode {
      let hidden = try model.hiddenStates(batch(fixture))
      #expect(maxAbsDifference(hidden, try fixture.tensor("hidden")) <= 1e-4)
      let logits = try model.logits(batch(fixture))
      #expect(logits.shape == [2, 7, 64])
      #expect(maxAbsDifference(logits, try fixture.tensor("logits")) <= 1e-4)
    }
  }

  @Test func lossAndGradientsMatch() throws {
    let fixture = try ModelFixture("gpt2")
    let model = try loadModel(fixture)
    let labels = fixture.rows("labels").flatMap { $0 }
    let loss = try model.languageModelingLoss(batch(fixture), labels: labels)
    #expect(abs(loss.item - fixture.number("loss")) <= 1e-5)
    loss.backward()
    try expectGradientsMatch(model, fixture)
  }

  @Test func registryBuildsFromConfigAndRejectsUnknownTypes() throws {
    let fixture = try ModelFixture("gpt2")
    let model = try ModelLoader.load(directory: fixture.directory)
    #expect(model.modelType == "gpt2")
    #expect(throws: ModelError.unknownModelType("mamba", known: ModelRegistry.knownTypes)) {
      try ModelRegistry.build(ConfigJSON(values: ["model_type": "mamba"]))
    }
  }

  @Test func trainsEndToEndFromRandomInitialisation() throws {
    // A few AdamW steps on one sequence must lower the loss (autograd reaches every parameter).
    let config = GPT2Configuration(vocabularySize: 32, maxPositions: 16, width: 16, layers: 2, heads: 2)
    let model = GPT2Model(config: config, seed: 7)
    let batch = TokenBatch([1, 5, 9, 13, 17, 21, 25, 29, 2, 6])
    let optimizer = AdamW(parameters: model.parameters.trainable, learningRate: 1e-2)
    let first = try model.languageModelingLoss(batch)
    var last = first.item
    for _ in 0..<20 {
      model.parameters.zeroGrad()
      let loss = try model.languageModelingLoss(batch)
      loss.backward()
      optimizer.step()
      last = loss.item
    }
    #expect(last < first.item * 0.5, "loss went from \(first.item) to \(last)")
    #expect(model.parameters.trainable.allSatisfy { $0.gradient != nil })
  }
}
