import Foundation
import RadModels
import RadTensor
import RadTraining
import Testing

/// The encoder and reward objectives learn their tasks on the bundled synthetic reports
/// (byte-level ids, tiny models, a few dozen steps).
@Suite("Encoder and reward objectives")
struct ObjectiveTests {
  static func reports() throws -> [(modality: String, findings: String, impression: String)] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("data/synthetic_reports.jsonl")
    var reader = JSONLinesReader()
    return try reader.read(url).prefix(160).map { row in
      (
        try JSONLinesReader.string(row.object, "modality", file: url.path, line: row.line),
        try JSONLinesReader.string(row.object, "findings", file: url.path, line: row.line),
        try JSONLinesReader.string(row.object, "impression", file: url.path, line: row.line)
      )
    }
  }

  /// Bytes shifted past BERT's special ids: 0 [PAD], 1 [CLS], 2 [SEP], 3 [MASK].
  static func bertIds(_ text: String, limit: Int = 48) -> [Int] {
    [1] + text.utf8.prefix(limit).map { Int($0) + 4 } + [2]
  }

  static func tinyBert(maskedLM: Bool) -> BertModel {
    BertModel(
      config: BertConfiguration(
        vocabularySize: 260, width: 32, layers: 2, heads: 4, intermediateWidth: 64, maxPositions: 64),
      seed: 3, maskedLM: maskedLM)
  }

  static func configuration(steps: Int, rate: Float) -> TrainingConfiguration {
    var configuration = TrainingConfiguration()
    configuration.steps = steps
    configuration.learningRate = rate
    configuration.warmupSteps = 2
    return configuration
  }

  static func run(_ objective: TrainingObjective, _ configuration: TrainingConfiguration) throws -> TrainingState {
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("radlm-objective-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: output) }
    return try Trainer(objective: objective, configuration: configuration, output: output).run()
  }

  @Test func classificationLearnsTheModality() throws {
    let data = try Self.reports()
    // Word-level ids (a stand-in for a WordPiece vocabulary): 0 [PAD], 1 [CLS], 2 [SEP], words from 4.
    var vocabulary: [Substring: Int] = [:]
    func wordIds(_ text: String) -> [Int] {
      [1]
        + text.split(separator: " ").prefix(24).map { word in
          if let id = vocabulary[word] { return id }
          let id = min(4 + vocabulary.count, 259)
          vocabulary[word] = id
          return id
        } + [2]
    }
    let examples = data.map { (ids: wordIds($0.findings), label: $0.modality == "PET/CT" ? 1 : 0) }
    let objective = try SequenceClassificationObjective(
      model: Self.tinyBert(maskedLM: false), labelCount: 2, examples: Array(examples.prefix(128)),
      validation: Array(examples.suffix(32)), batchSize: 8, padId: 0, seed: 1)
    #expect(objective.parameters["classifier.weight"]?.value.shape == [2, 32])
    let before = try objective.accuracyAndLoss()
    _ = try Self.run(objective, Self.configuration(steps: 80, rate: 3e-3))
    let after = try objective.accuracyAndLoss()
    #expect(after.accuracy >= 0.95, "validation accuracy \(before.accuracy) → \(after.accuracy)")
    #expect(after.loss < before.loss)
  }

  @Test func maskedLanguageModelingLossFalls() throws {
    let data = try Self.reports()
    let sequences = data.map { Self.bertIds($0.findings) }
    let masker = MaskedLanguageModelingMasker(maskId: 3, vocabularySize: 260, specialIds: [0, 1, 2, 3])
    let objective = try MaskedLanguageModelingObjective(
      model: Self.tinyBert(maskedLM: true), masker: masker, sequences: Array(sequences.prefix(140)),
      validation: Array(sequences.suffix(20)), batchSize: 8, padId: 0, seed: 2)
    let before = try Autograd.inferenceMode { try objective.validationLoss()! }
    let state = try Self.run(objective, Self.configuration(steps: 40, rate: 3e-3))
    let after = state.validationHistory.last!.loss
    #expect(after < before - 1, "masked-LM validation loss \(before) → \(after)")
  }

  @Test func rewardModelPrefersTheRealImpression() throws {
    let data = try Self.reports()
    // Chosen: the real impression; rejected: the same bytes reversed (fluent vs garbled).
    let pairs = data.map { report -> PreferencePair in
      let bytes = Array(report.impression.utf8.prefix(24)).map(Int.init)
      return PreferencePair(
        prompt: Array(report.findings.utf8.prefix(24)).map(Int.init), chosen: bytes, rejected: bytes.reversed())
    }
    let model = GPT2Model(
      config: GPT2Configuration(vocabularySize: 256, maxPositions: 64, width: 32, layers: 2, heads: 4), seed: 4)
    let objective = try RewardModelObjective(
      model: model, width: 32, pairs: Array(pairs.prefix(128)), validationPairs: Array(pairs.suffix(32)), batchSize: 8,
      padId: 0, seed: 3)
    #expect(model.parameters["score.weight"]?.value.shape == [1, 32])
    _ = try Self.run(objective, Self.configuration(steps: 40, rate: 3e-3))
    let (accuracy, _) = try objective.accuracyAndLoss()
    #expect(accuracy >= 0.9, "validation preference accuracy \(accuracy)")
  }
}

/// Ten masked-LM steps of a tiny BertForMaskedLM from the same weights and the same masked batches
/// as PyTorch (the fixture stores each step's masked inputs and labels, since the RNGs differ).
@Suite("Masked-LM parity with PyTorch")
struct MaskedLanguageModelingParityTests {
  @Test func tenStepsMatchPyTorch() throws {
    let fixture = try TrainingFixtures.json("mlm_training.json")
    let steps = (fixture["steps"] as! [[[String: [Int]]]]).map { rows in
      rows.map { (inputs: $0["inputs"]!, labels: $0["labels"]!) }
    }
    let loaded = try ModelLoader.load(directory: TrainingFixtures.folder.appendingPathComponent("tiny_bert_mlm"))
    let bert = try #require(loaded as? BertModel)
    #expect(bert.parameters.names.contains("cls.predictions.transform.dense.weight"))
    // Rows of different lengths: padding and the attention mask are part of what is checked.
    #expect(Set(steps.flatMap { $0.map(\.inputs.count) }).count > 1)
    // The stored masks go through the objective's own loss (collation, padding, the MLM head).
    let objective = try MaskedLanguageModelingObjective(
      model: bert, masker: MaskedLanguageModelingMasker(maskId: 3, vocabularySize: 64, specialIds: [0, 1, 2, 3]),
      sequences: [[1, 2]], validation: [], batchSize: 4, padId: 0, seed: 0)
    try ReplayedBatches(parameters: objective.parameters) { try objective.loss(steps[$0]) }
      .expectLosses((fixture["losses"] as! [Double]).map { Float($0) })
  }
}
