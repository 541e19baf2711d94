import Foundation
import RadModels
import RadTensor
import RadTraining
import Testing

/// A tiny GPT-2 trained on bytes of the bundled synthetic reports: no tokenizer or real model
/// needed, so these run as unit tests.
enum TinySetup {
  static func corpusBlocks(blockSize: Int = 32, limit: Int = 60) throws -> [[Int]] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("data/synthetic_reports.jsonl")
    var reader = JSONLinesReader()
    let rows = try reader.read(url).prefix(limit)
    let documents = try rows.map { row in
      Array(try JSONLinesReader.string(row.object, "findings", file: url.path, line: row.line).utf8).map(Int.init)
    }
    return try TokenBlocks.pack(documents, blockSize: blockSize, separator: 10)
  }

  static func model(seed: UInt64 = 1) -> GPT2Model {
    GPT2Model(
      config: GPT2Configuration(vocabularySize: 256, maxPositions: 64, width: 32, layers: 2, heads: 4), seed: seed)
  }

  static func objective(_ model: GPT2Model, blocks: [[Int]]) throws -> CausalLanguageModelingObjective {
    try CausalLanguageModelingObjective(
      model: model, blocks: Array(blocks.dropLast(4)), validationBlocks: Array(blocks.suffix(4)), batchSize: 4, seed: 9)
  }

  static func configuration(steps: Int) -> TrainingConfiguration {
    var configuration = TrainingConfiguration()
    configuration.steps = steps
    configuration.learningRate = 3e-3
    configuration.warmupSteps = 2
    configuration.checkpointEvery = 3
    configuration.seed = 5
    return configuration
  }

  static func temporaryFolder() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("radlm-test-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}

@Suite("Trainer")
struct TrainerTests {
  @Test func lossFallsOnTheSyntheticReports() throws {
    let blocks = try TinySetup.corpusBlocks()
    let model = TinySetup.model()
    let objective = try TinySetup.objective(model, blocks: blocks)
    let before = try objective.validationLoss()!
    var configuration = TinySetup.configuration(steps: 30)
    configuration.checkpointEvery = 0
    let output = TinySetup.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: output) }
    var steps: [StepReport] = []
    var evaluations: [Float] = []
    try Trainer(objective: objective, configuration: configuration, output: output).run { event in
      if case .step(let report) = event { steps.append(report) }
      if case .evaluation(_, let loss, _) = event { evaluations.append(loss) }
    }
    #expect(steps.map(\.step) == Array(1...30))
    #expect(evaluations.count == 1)
    // log(256) ≈ 5.55 at random init; 30 steps on byte-level text must cut it substantially.
    #expect(evaluations[0] < before - 1.5, "validation loss \(before) → \(evaluations[0])")
  }

  @Test func resumeContinuesBitExactly() throws {
    let blocks = try TinySetup.corpusBlocks()
    let straightOutput = TinySetup.temporaryFolder()
    let splitOutput = TinySetup.temporaryFolder()
    defer {
      try? FileManager.default.removeItem(at: straightOutput)
      try? FileManager.default.removeItem(at: splitOutput)
    }
    let straightModel = TinySetup.model()
    let straight = try Trainer(
      objective: try TinySetup.objective(straightModel, blocks: blocks),
      configuration: TinySetup.configuration(steps: 6),
      output: straightOutput
    ).run()

    let firstModel = TinySetup.model()
    try Trainer(
      objective: try TinySetup.objective(firstModel, blocks: blocks), configuration: TinySetup.configuration(steps: 3),
      output: splitOutput
    ).run()
    // A fresh process would build the model from a different seed: resume must overwrite it all.
    let resumedModel = TinySetup.model(seed: 77)
    let trainer = Trainer(
      objective: try TinySetup.objective(resumedModel, blocks: blocks),
      configuration: TinySetup.configuration(steps: 6),
      output: splitOutput)
    try trainer.resume()
    #expect(trainer.state.step == 3)
    let resumed = try trainer.run()
    #expect(resumed.lossHistory == straight.lossHistory)
    for (a, b) in zip(straightModel.parameters.parameters, resumedModel.parameters.parameters) {
      #expect(a.name == b.name)
      #expect(a.value.data == b.value.data, "\(a.name) differs after resume")
    }
  }

  @Test func anInterruptedCheckpointWriteFallsBackToThePreviousOne() throws {
    let blocks = try TinySetup.corpusBlocks()
    let output = TinySetup.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: output) }
    try Trainer(
      objective: try TinySetup.objective(TinySetup.model(), blocks: blocks),
      configuration: TinySetup.configuration(steps: 3),
      output: output
    ).run()
    // What a SIGKILL during the next write leaves: a half-written temporary folder.
    let partial = output.appendingPathComponent("checkpoints/.step-00000006.tmp-424242")
    try FileManager.default.createDirectory(at: partial, withIntermediateDirectories: true)
    try Data([1, 2, 3]).write(to: partial.appendingPathComponent("model.safetensors"))
    let trainer = Trainer(
      objective: try TinySetup.objective(TinySetup.model(seed: 3), blocks: blocks),
      configuration: TinySetup.configuration(steps: 6), output: output)
    try trainer.resume()
    #expect(trainer.state.step == 3)
    try trainer.run()
    #expect(trainer.state.step == 6)
    #expect(!FileManager.default.fileExists(atPath: partial.path), "abandoned temporary folder is cleaned up")
  }

  @Test func interruptSavesACheckpointAndStops() throws {
    let blocks = try TinySetup.corpusBlocks()
    let output = TinySetup.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: output) }
    let trainer = Trainer(
      objective: try TinySetup.objective(TinySetup.model(), blocks: blocks),
      configuration: TinySetup.configuration(steps: 10),
      output: output)
    var stopped: String?
    try trainer.run { event in
      if case .step(let report) = event, report.step == 2 { trainer.interrupt.set() }
      if case .stopped(_, let reason) = event { stopped = reason }
    }
    #expect(stopped == "interrupted")
    #expect(trainer.state.step == 2)
    #expect(try CheckpointStore(output: output).latest().lastPathComponent == "step-00000002")
  }

  final class ExplodingObjective: TrainingObjective {
    let parameters = ParameterStore()
    var calls = 0
    init() { parameters.register("w", Tensor(shape: [2], data: [1, 2])) }
    func nextLoss(random: inout SeededRandom) throws -> (loss: Tensor, tokens: Int) {
      calls += 1
      let w = parameters["w"]!.value
      return (calls >= 3 ? (w * Float.nan).sum() : (w * w).sum(), 2)
    }
    func validationLoss() throws -> Float? { nil }
    var dataPosition: DataOrder.Position { .init(epoch: 0, index: calls) }
    func restoreDataPosition(_ position: DataOrder.Position) {}
  }

  @Test func aNonFiniteLossStopsTheRunAndKeepsTheLastGoodCheckpoint() throws {
    let output = TinySetup.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: output) }
    var configuration = TinySetup.configuration(steps: 10)
    configuration.checkpointEvery = 1
    let objective = ExplodingObjective()
    let trainer = Trainer(objective: objective, configuration: configuration, output: output)
    var reason = ""
    try trainer.run { event in
      if case .stopped(_, let why) = event { reason = why }
    }
    #expect(reason.contains("nan"))
    #expect(trainer.state.step == 2)
    #expect(try CheckpointStore(output: output).latest().lastPathComponent == "step-00000002")
  }
}

@Suite("Training data")
struct TrainingDataTests {
  @Test func malformedLinesAreReportedWithTheirLineNumber() throws {
    let folder = TinySetup.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("data.jsonl")
    try "{\"text\": \"a\"}\n\n{not json}\n[1]\n{\"text\": \"b\"}\n".write(to: file, atomically: true, encoding: .utf8)
    var strict = JSONLinesReader()
    #expect(throws: TrainingDataError.malformedLine(file: file.path, line: 3, reason: "invalid JSON")) {
      try strict.read(file)
    }
    var lenient = JSONLinesReader(skipBadLines: true)
    let rows = try lenient.read(file)
    #expect(rows.map(\.line) == [1, 5])
    #expect(lenient.skipped.count == 2)
    #expect(lenient.skipped.last == .malformedLine(file: file.path, line: 4, reason: "expected a JSON object"))
  }

  @Test func dataOrderIsSeededAndResumable() {
    var first = DataOrder(count: 10, seed: 4)
    let sequence = (0..<25).map { _ in first.next() }
    #expect(Set(sequence.prefix(10)) == Set(0..<10), "each epoch is a permutation")
    #expect(sequence.prefix(10) != sequence[10..<20], "epochs are reshuffled")
    var resumed = DataOrder(count: 10, seed: 4)
    for _ in 0..<13 { _ = resumed.next() }
    let saved = resumed.position
    var restored = DataOrder(count: 10, seed: 4)
    restored.restore(saved)
    #expect((0..<12).map { _ in restored.next() } == Array(sequence[13..<25]))
  }

  @Test func validationSplitIsDisjointAndDeterministic() {
    let (train, validation) = validationSplit(count: 100, fraction: 0.1, seed: 1)
    #expect(validation.count == 10)
    #expect(Set(train).isDisjoint(with: validation))
    #expect(train.count + validation.count == 100)
    #expect(validationSplit(count: 100, fraction: 0.1, seed: 1).validation == validation)
  }

  @Test func maskingFollowsTheEightyTenTenRule() {
    var random = SeededRandom(seed: 3)
    let masker = MaskedLanguageModelingMasker(maskId: 103, vocabularySize: 1000, specialIds: [101, 102])
    let ids = [101] + (0..<20_000).map { 200 + $0 % 700 } + [102]
    let (inputs, labels) = masker.mask(ids, random: &random)
    #expect(labels.first == -100 && labels.last == -100)
    let chosen = labels.indices.filter { labels[$0] != -100 }
    let fraction = Double(chosen.count) / Double(ids.count)
    #expect(abs(fraction - 0.15) < 0.01)
    let masked = chosen.filter { inputs[$0] == 103 }.count
    let kept = chosen.filter { inputs[$0] == ids[$0] }.count
    #expect(abs(Double(masked) / Double(chosen.count) - 0.8) < 0.02)
    #expect(abs(Double(kept) / Double(chosen.count) - 0.1) < 0.02)
  }
}
