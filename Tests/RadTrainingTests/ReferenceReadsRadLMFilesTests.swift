import Foundation
import RadModelFiles
import RadModels
import RadTensor
import RadTraining
import Testing

/// Files RadLM writes, read back by the reference libraries: LoRA adapters by peft and a BERT
/// classifier by transformers' `BertForSequenceClassification`. The folders under Fixtures/ are
/// written by the helpers below (deterministic seeds; `RADLM_WRITE_FIXTURES=1 swift test --filter
/// ReferenceReadsRadLMFiles` rewrites them), then tools/reference/training_fixtures.py loads them
/// with peft/transformers and stores their logits in radlm_written.json. Each test checks that
/// RadLM still writes the committed files byte for byte (so the fixture is about RadLM's writer)
/// and that RadLM's logits for them equal the reference library's.
@Suite("Reference libraries read RadLM's files")
struct ReferenceReadsRadLMFilesTests {
  static var regenerate: Bool { ProcessInfo.processInfo.environment["RADLM_WRITE_FIXTURES"] == "1" }

  /// Writes with `write` into a temporary folder and compares `files` with the committed folder.
  static func expectWritesCommittedFiles(_ committed: String, files: [String], write: (URL) throws -> Void) throws {
    let folder = TrainingFixtures.folder.appendingPathComponent(committed)
    if regenerate { try write(folder) }
    let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("radlm-written-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: temporary) }
    try write(temporary)
    for file in files {
      let written = try Data(contentsOf: temporary.appendingPathComponent(file))
      let stored = try Data(contentsOf: folder.appendingPathComponent(file))
      #expect(
        written == stored,
        "\(committed)/\(file): RadLM now writes different bytes (\(written.count) vs \(stored.count))")
    }
  }

  /// A LoRA adapter on the tiny model with non-zero B factors (a fresh adapter's B is zero, which
  /// would make any loader look right).
  static func adapter(on model: any LanguageModel, modelName: String, targets: [String], seed: UInt64) throws
    -> LoRAAdapterSet
  {
    var configuration = LoRAConfiguration(rank: 4, alpha: 8, targetModules: targets)
    configuration.baseModel = "../\(modelName)"
    let adapters = try LoRAAdapterSet(attachingTo: model.parameters, configuration: configuration, seed: seed)
    var random = SeededRandom(seed: seed + 1)
    for adapter in adapters.adapters { adapter.b.update { $0 = $0.map { _ in (random.nextUniform() - 0.5) * 0.4 } } }
    return adapters
  }

  @Test(arguments: [
    ("llama", "tiny_llama", ["q_proj", "k_proj", "o_proj", "up_proj"]),
    ("gpt2", "tiny_gpt2", ["c_attn", "c_proj"]),
  ])
  func radlmAdapterGivesPEFTLogits(_ key: String, _ modelName: String, _ targets: [String]) throws {
    let folderName = "radlm_\(key)_adapter"
    try Self.expectWritesCommittedFiles(folderName, files: ["adapter_config.json", "adapter_model.safetensors"]) {
      folder in
      let model = try TrainingFixtures.languageModel(modelName)
      try Self.adapter(on: model, modelName: modelName, targets: targets, seed: 31).save(to: folder)
    }
    let fixture = try TrainingFixtures.json("radlm_written.json")[key] as! [String: Any]
    let ids = fixture["ids"] as! [[Int]]
    let model = try TrainingFixtures.languageModel(modelName)
    let base = try Autograd.inferenceMode { try model.logits(TokenBatch(rows: ids)) }
    _ = try LoRAAdapterSet(loading: TrainingFixtures.folder.appendingPathComponent(folderName), into: model.parameters)
    let adapted = try Autograd.inferenceMode { try model.logits(TokenBatch(rows: ids)) }
    let peft = TrainingFixtures.tensor(fixture["logits"])
    #expect(TrainingFixtures.maxDifference(adapted, peft) <= 1e-4)
    #expect(TrainingFixtures.maxDifference(base, peft) > 1e-2, "the adapter changes the logits")
  }

  static func bertClassifier() -> BertSequenceClassifier {
    let encoder = BertModel(
      config: BertConfiguration(
        vocabularySize: 64, width: 32, layers: 2, heads: 4, intermediateWidth: 48, maxPositions: 32),
      seed: 41)
    return BertSequenceClassifier(encoder: encoder, labels: ["normal", "abnormal", "indeterminate"], seed: 42)
  }

  @Test func radlmClassifierGivesTransformersLogitsInBothLayouts() throws {
    let folder = TrainingFixtures.folder.appendingPathComponent("radlm_bert_classifier")
    try Self.expectWritesCommittedFiles("radlm_bert_classifier", files: ["config.json", "model.safetensors"]) {
      folder in
      try Self.bertClassifier().save(to: folder)
    }
    let stored = try SafetensorsFile(url: folder.appendingPathComponent("model.safetensors"))
    #expect(stored.tensorNames.allSatisfy { $0.hasPrefix("bert.") || $0.hasPrefix("classifier.") })
    #expect(stored.tensorNames.contains("bert.pooler.dense.weight") && stored.tensorNames.contains("classifier.bias"))

    let fixture = try TrainingFixtures.json("radlm_written.json")["bert_classifier"] as! [String: Any]
    let ids = fixture["ids"] as! [[Int]]
    let mask = fixture["attention_mask"] as! [[Int]]
    let batch = TokenBatch(ids: ids.flatMap { $0 }, batch: ids.count, length: ids[0].count, attentionMask: mask)
    let expected = TrainingFixtures.tensor(fixture["logits"])

    let loaded = try BertSequenceClassifier.load(directory: folder)
    #expect(loaded.labels == ["normal", "abnormal", "indeterminate"])
    #expect(loaded.labels == (fixture["labels"] as! [String]))
    let logits = try Autograd.inferenceMode { try loaded.logits(batch) }
    #expect(TrainingFixtures.maxDifference(logits, expected) <= 1e-4)

    // The older RadLM layout: unprefixed encoder names beside classifier.*, labels in labels.json.
    let old = FileManager.default.temporaryDirectory.appendingPathComponent("radlm-old-classifier-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: old) }
    try WeightLoader.save(loaded.encoder, to: old)
    try JSONSerialization.data(withJSONObject: loaded.labels).write(to: old.appendingPathComponent("labels.json"))
    #expect(
      try SafetensorsFile(url: old.appendingPathComponent("model.safetensors")).tensorNames.contains(
        "pooler.dense.weight"))
    #expect(BertSequenceClassifier.isClassifierFolder(old))
    let reloaded = try BertSequenceClassifier.load(directory: old)
    #expect(reloaded.labels == loaded.labels)
    #expect(TrainingFixtures.maxDifference(try Autograd.inferenceMode { try reloaded.logits(batch) }, logits) == 0)
  }
}
