import Foundation
import RadModels
import RadTokenizers
import RadTraining
import Testing

/// Training settings from a `--config` file and the values data preparation and objectives
/// refuse with typed errors instead of trapping.
@Suite("Training settings")
struct TrainingSettingsTests {
  static func decode(_ json: String) throws -> TrainingConfiguration {
    try JSONDecoder().decode(TrainingConfiguration.self, from: Data(json.utf8))
  }

  @Test func aPartialFileKeepsTheDefaultsOfMissingKeys() throws {
    let configuration = try Self.decode(#"{"steps": 7, "schedule": "linear"}"#)
    var expected = TrainingConfiguration()
    expected.steps = 7
    expected.schedule = "linear"
    #expect(configuration == expected)
    #expect(try Self.decode("{}") == TrainingConfiguration())
  }

  @Test func aFullConfigurationRoundTrips() throws {
    var configuration = TrainingConfiguration()
    configuration.steps = 11
    configuration.learningRate = 1e-3
    configuration.beta2 = 0.95
    configuration.gradientAccumulation = 4
    configuration.seed = 99
    configuration.checkpointEvery = 5
    let data = try JSONEncoder().encode(configuration)
    #expect(try JSONDecoder().decode(TrainingConfiguration.self, from: data) == configuration)
  }

  @Test func anUnknownKeyIsAnErrorNamingIt() throws {
    do {
      _ = try Self.decode(#"{"learning_rate": 0.1}"#)
      Issue.record("a misspelt key was accepted")
    } catch let DecodingError.dataCorrupted(context) {
      #expect(context.debugDescription.contains("learning_rate"))
    }
  }

  @Test(arguments: [
    (#"{"steps": -1}"#, "steps"), (#"{"learningRate": -1}"#, "learningRate"), (#"{"beta2": 1}"#, "beta2"),
    (#"{"schedule": "step"}"#, "schedule"), (#"{"gradientAccumulation": 0}"#, "gradientAccumulation"),
    (#"{"warmupSteps": -3}"#, "warmupSteps"), (#"{"eps": 0}"#, "eps"),
  ])
  func outOfRangeSettingsAreNamed(json: String, field: String) throws {
    let problem = try #require(try Self.decode(json).problem())
    #expect(problem.field == field)
    #expect(problem.description.contains(field))
    #expect(TrainingConfiguration().problem() == nil)
  }

  @Test func blocksShorterThanTwoTokensAreATypedError() throws {
    #expect(throws: TrainingDataError.invalidSetting(name: "block size", value: "1", rule: "at least 2")) {
      try TokenBlocks.pack([[1, 2, 3]], blockSize: 1, separator: nil)
    }
    #expect(try TokenBlocks.pack([[1, 2, 3, 4, 5]], blockSize: 2, separator: nil) == [[1, 2], [3, 4]])
  }

  @Test func objectivesRefuseNoExamplesAndEmptyBatches() throws {
    let model = TinySetup.model()
    let blocks = [[1, 2, 3, 4]]
    #expect(throws: TrainingDataError.noExamples(what: "training examples")) {
      try CausalLanguageModelingObjective(model: model, blocks: [], validationBlocks: blocks, batchSize: 2, seed: 0)
    }
    #expect(throws: TrainingDataError.invalidSetting(name: "batch size", value: "0", rule: "at least 1")) {
      try CausalLanguageModelingObjective(model: model, blocks: blocks, validationBlocks: [], batchSize: 0, seed: 0)
    }
    let pair = PreferencePair(prompt: [1], chosen: [2], rejected: [3])
    #expect(throws: TrainingDataError.noExamples(what: "preference pairs")) {
      try DirectPreferenceObjective(
        policy: model, pairs: [], validationPairs: [pair], referenceLogProbabilities: [(0, 0)], loss: .sigmoid,
        beta: 0.1,
        batchSize: 1, padId: 0, seed: 0)
    }
  }
}

/// Supervised examples cut by the block size before their first learned token are left out and
/// counted (they would train on nothing: a batch of only such examples has a 0/0 loss).
@Suite("Supervised examples and the block size")
struct SupervisedTruncationTests {
  @Test func examplesWithNoCompletionTokenLeftAreLeftOutAndCounted() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    let tokenizer = try TokenizerJSON.load(
      path: root.appendingPathComponent("RadTokenizersTests/Fixtures/smollm2_tokenizer.json").path)
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("radlm-sft-\(UUID().uuidString).jsonl")
    defer { try? FileManager.default.removeItem(at: file) }
    try Data(
      """
      {"prompt": "Findings: no effusion.", "completion": " Normal."}
      {"prompt": "Findings: a long description of the chest radiograph and its many findings.", "completion": " Normal."}
      """.utf8
    ).write(to: file)
    var sets = TrainingDataSets(skipBadLines: false)
    let kept = try sets.supervised(
      files: [file.path], tokenizer: tokenizer, format: { ChatFormat(template: .plain) }, endOfText: nil, maxLength: 8)
    #expect(kept.count == 1 && sets.cutBeforeCompletion == 1)
    #expect(kept[0].labels.contains { $0 != -100 })
    var none = TrainingDataSets(skipBadLines: false)
    #expect(throws: TrainingDataError.empty(file: file.path)) {
      try none.supervised(
        files: [file.path], tokenizer: tokenizer, format: { ChatFormat(template: .plain) }, endOfText: nil, maxLength: 4
      )
    }
  }
}

/// Chat lines for supervised fine-tuning are rendered with the model's own format, default system
/// prompt included, to the ids transformers' apply_chat_template gives
/// (tools/reference/chat_template_family_fixtures.py).
@Suite("Supervised chat examples")
struct SupervisedChatTests {
  @Test func smolLM2ChatLinesGiveTransformersIds() throws {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("RadTokenizersTests/Fixtures")
    let tokenizer = try TokenizerJSON.load(path: fixtures.appendingPathComponent("smollm2_tokenizer.json").path)
    let json = try #require(
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: fixtures.appendingPathComponent("chat_template_families.json")))
        as? [String: Any])
    let templates = try #require(json["templates"] as? [[String: Any]])
    let smol = try #require(templates.first { $0["name"] as? String == "smollm2" })
    let cases = try #require(smol["cases"] as? [[String: Any]])
    // A conversation without a system message, rendered without the generation prompt.
    let item = try #require(
      cases.first {
        ($0["messages"] as? [[String: String]])?.first?["role"] == "user" && ($0["messages"] as? [Any])?.count == 3
          && $0["add_generation_prompt"] as? Bool == false
      })
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("radlm-chat-\(UUID().uuidString).jsonl")
    defer { try? FileManager.default.removeItem(at: file) }
    try JSONSerialization.data(withJSONObject: ["messages": item["messages"] as Any]).write(to: file)
    let stored = StoredChatTemplate(source: smol["source"] as? String, origin: "smollm2")
    var sets = TrainingDataSets(skipBadLines: false)
    let examples = try sets.supervised(
      files: [file.path], tokenizer: tokenizer, format: { try stored.format() }, endOfText: nil, maxLength: 512)
    let example = try #require(examples.first)
    #expect(example.ids == item["input_ids"] as? [Int])
    let learned = example.labels.filter { $0 != -100 }
    #expect(try tokenizer.decode(learned).contains("Deauville 4."))
  }
}
