import Foundation
import Testing

/// `radlm train` end to end through the real executable: JSON progress, outputs, resume and a
/// run killed with SIGKILL.
@Suite("radlm train", .serialized)
struct TrainCommandTests {
  /// A tiny GPT-2 config and a tokenizer trained on the bundled reports.
  static func setUp(_ folder: URL) throws -> (config: String, tokenizer: String, data: String) {
    let data = CommandRunner.repositoryRoot.appendingPathComponent("data/synthetic_reports.jsonl").path
    let text = folder.appendingPathComponent("reports.txt")
    let lines = try String(contentsOfFile: data, encoding: .utf8).split(separator: "\n").prefix(200)
    let findings = try lines.map { line -> String in
      let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
      return object["findings"] as! String
    }
    try findings.joined(separator: "\n\n").write(to: text, atomically: true, encoding: .utf8)
    let tokenizer = folder.appendingPathComponent("tokenizer.json").path
    let trained = try CommandRunner.run([
      "tokenizer", "train", "--input", text.path, "--vocab-size", "300", "--special-token", "<|endoftext|>", "--output",
      tokenizer,
    ])
    #expect(trained.status == 0, "\(trained.stderr)")
    let config = folder.appendingPathComponent("config.json")
    try #"{"model_type":"gpt2","vocab_size":300,"n_positions":64,"n_embd":32,"n_layer":2,"n_head":4}"#.write(
      to: config, atomically: true, encoding: .utf8)
    return (config.path, tokenizer, data)
  }

  static func pretrainArguments(_ setup: (config: String, tokenizer: String, data: String), out: URL, steps: Int)
    -> [String]
  {
    [
      "train", "pretrain", "--init", setup.config, "--tokenizer", setup.tokenizer, "--data", setup.data, "--text-field",
      "findings", "--out", out.path, "--steps", "\(steps)", "--batch-size", "4", "--block-size", "32", "--lr", "3e-3",
      "--checkpoint-every", "1", "--json", "--quiet",
    ]
  }

  @Test func pretrainPrintsOneJSONObjectPerStepAndSavesEverything() throws {
    let folder = CommandRunner.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let setup = try Self.setUp(folder)
    let out = folder.appendingPathComponent("run")
    let result = try CommandRunner.run(Self.pretrainArguments(setup, out: out, steps: 4))
    #expect(result.status == 0, "\(result.stderr)")
    let steps = result.stdout.split(separator: "\n").compactMap {
      try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
    }
    #expect(steps.map { $0["step"] as? Int } == [1, 2, 3, 4])
    #expect(steps.allSatisfy { ($0["loss"] as? Double).map { $0.isFinite && $0 > 0 } ?? false })
    for file in [
      "metrics.jsonl", "loss_curve.svg", "model/config.json", "model/model.safetensors", "model/tokenizer.json",
    ] {
      #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), "\(file) written")
    }

    // Resume to step 6 continues from the checkpoint at step 4.
    var arguments = Self.pretrainArguments(setup, out: out, steps: 6)
    arguments += ["--resume", out.path]
    let resumed = try CommandRunner.run(arguments)
    #expect(resumed.status == 0, "\(resumed.stderr)")
    let resumedSteps = resumed.stdout.split(separator: "\n").compactMap {
      (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["step"] as? Int
    }
    #expect(resumedSteps == [5, 6])
  }

  @Test func aRunKilledWithSIGKILLResumes() throws {
    let folder = CommandRunner.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let setup = try Self.setUp(folder)
    let out = folder.appendingPathComponent("run")
    let (process, stdout, _) = try CommandRunner.launch(Self.pretrainArguments(setup, out: out, steps: 400))
    // Wait for a few steps (each step writes a checkpoint), then kill without warning.
    let reader = stdout.fileHandleForReading
    var seen = 0
    while seen < 3 {
      let chunk = reader.availableData
      if chunk.isEmpty { break }
      seen += chunk.split(separator: 0x0A).count
    }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    #expect(process.terminationReason == .uncaughtSignal)
    var arguments = Self.pretrainArguments(setup, out: out, steps: 8)
    arguments += ["--resume", out.path]
    let resumed = try CommandRunner.run(arguments)
    #expect(resumed.status == 0, "resume after SIGKILL: \(resumed.stderr)")
    let steps = resumed.stdout.split(separator: "\n").compactMap {
      (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["step"] as? Int
    }
    #expect(steps.last == 8)
    #expect((steps.first ?? 0) >= 2, "continued from a saved checkpoint, not from scratch")
  }

  @Test func malformedDataNamesFileAndLine() throws {
    let folder = CommandRunner.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let setup = try Self.setUp(folder)
    let bad = folder.appendingPathComponent("bad.jsonl")
    try "{\"findings\": \"ok\"}\n{broken\n".write(to: bad, atomically: true, encoding: .utf8)
    let result = try CommandRunner.run([
      "train", "pretrain", "--init", setup.config, "--tokenizer", setup.tokenizer, "--data", bad.path, "--text-field",
      "findings", "--out", folder.appendingPathComponent("run").path, "--steps", "1",
    ])
    #expect(result.status != 0)
    #expect(result.stderr.contains("\(bad.path):2"), "\(result.stderr)")
  }

  /// A `--config` file holding only some settings: the rest keep their defaults, flags override
  /// it, and a setting out of range stops the run before it starts, naming the file.
  @Test func partialConfigFileFillsInDefaults() throws {
    let folder = CommandRunner.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let setup = try Self.setUp(folder)
    let config = folder.appendingPathComponent("partial.json")
    try #"{"steps": 3, "warmupSteps": 1}"#.write(to: config, atomically: true, encoding: .utf8)
    var arguments = Self.pretrainArguments(setup, out: folder.appendingPathComponent("run"), steps: 0)
    let stepsIndex = try #require(arguments.firstIndex(of: "--steps"))
    arguments.removeSubrange(stepsIndex...stepsIndex + 1)
    let result = try CommandRunner.run(arguments + ["--config", config.path])
    #expect(result.status == 0, "\(result.stderr)")
    let steps = result.stdout.split(separator: "\n").compactMap {
      (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["step"] as? Int
    }
    #expect(steps == [1, 2, 3])

    try #"{"steps": -2}"#.write(to: config, atomically: true, encoding: .utf8)
    let refused = try CommandRunner.run(arguments + ["--config", config.path])
    #expect(refused.status == 64)
    #expect(refused.stderr.contains("--config") && refused.stderr.contains("steps"), "\(refused.stderr)")
  }

  /// `--block-size 1` (no token to predict from) is refused by validation, not trapped in packing.
  @Test func blockSizeOneIsRefused() throws {
    let folder = CommandRunner.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let setup = try Self.setUp(folder)
    var arguments = Self.pretrainArguments(setup, out: folder.appendingPathComponent("run"), steps: 1)
    let index = try #require(arguments.firstIndex(of: "--block-size"))
    arguments[index + 1] = "1"
    let result = try CommandRunner.run(arguments)
    #expect(result.status == 64)
    #expect(result.stderr.contains("--block-size"), "\(result.stderr)")
  }

  /// `train lora --dtype q4`: LoRA over a base kept in Q4_1 blocks (every projection of the tiny
  /// GPT-2 has rows of whole 32-weight blocks), ending with a PEFT adapter folder.
  @Test func loraOverAQuantisedBaseTrainsAndSavesTheAdapter() throws {
    let folder = CommandRunner.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let setup = try Self.setUp(folder)
    let pairs = folder.appendingPathComponent("pairs.jsonl")
    let lines = try String(contentsOfFile: setup.data, encoding: .utf8).split(separator: "\n").prefix(40)
    let rows = try lines.map { line -> String in
      let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
      let pair = [
        "prompt": String((object["findings"] as! String).prefix(60)), "completion": object["impression"] as! String,
      ]
      return String(decoding: try JSONSerialization.data(withJSONObject: pair), as: UTF8.self)
    }
    try rows.joined(separator: "\n").write(to: pairs, atomically: true, encoding: .utf8)
    let out = folder.appendingPathComponent("run")
    let result = try CommandRunner.run([
      "train", "lora", "--init", setup.config, "--tokenizer", setup.tokenizer, "--data", pairs.path, "--out", out.path,
      "--steps", "3", "--batch-size", "2", "--block-size", "48", "--dtype", "q4", "--target", "c_attn", "--target",
      "c_fc",
      "--json", "--quiet",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.contains("base (q4): 8 matrices in blocks"), "\(result.stderr)")
    let losses = result.stdout.split(separator: "\n").compactMap {
      (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["loss"] as? Double
    }
    #expect(losses.count == 3 && losses.allSatisfy(\.isFinite))
    for file in ["adapter/adapter_config.json", "adapter/adapter_model.safetensors"] {
      #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), "\(file) written")
    }
  }

  /// `train classify` saves transformers' `BertForSequenceClassification` layout (config with
  /// architectures/id2label/label2id, `bert.*` + `classifier.*` tensors, tokenizer.json), and the
  /// folder reloaded by `radlm classify` labels texts exactly as the trained model did in the
  /// training process (`--predict`): same labels, same logits.
  @Test func classifySavesATransformersFolderThatReloadsWithTheSamePredictions() throws {
    let folder = CommandRunner.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let bert = CommandRunner.repositoryRoot.appendingPathComponent("Tests/RadEvalTests/Fixtures/bertscore/tiny_random")
    let reports = try String(
      contentsOfFile: CommandRunner.repositoryRoot.appendingPathComponent("data/synthetic_reports.jsonl").path,
      encoding: .utf8)
    let rows = try reports.split(separator: "\n").prefix(40).map { line -> String in
      let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
      let impression = object["impression"] as! String
      let row = ["text": impression, "label": impression.hasPrefix("No ") ? "normal" : "finding"]
      return String(decoding: try JSONSerialization.data(withJSONObject: row), as: UTF8.self)
    }
    let data = folder.appendingPathComponent("labels.jsonl")
    try rows.joined(separator: "\n").write(to: data, atomically: true, encoding: .utf8)
    let out = folder.appendingPathComponent("run")
    let trained = try CommandRunner.run([
      "train", "classify", "--model", bert.path, "--data", data.path, "--out", out.path, "--steps", "4", "--batch-size",
      "4",
      "--block-size", "32", "--lr", "1e-3", "--predict", data.path, "--json", "--quiet",
    ])
    #expect(trained.status == 0, "\(trained.stderr)")
    let model = out.appendingPathComponent("model")

    // transformers' layout.
    let config = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: model.appendingPathComponent("config.json")))
        as? [String: Any])
    #expect(config["architectures"] as? [String] == ["BertForSequenceClassification"])
    #expect(config["id2label"] as? [String: String] == ["0": "finding", "1": "normal"])
    #expect(config["label2id"] as? [String: Int] == ["finding": 0, "normal": 1])
    let weights = try Data(contentsOf: model.appendingPathComponent("model.safetensors"))
    let headerLength = weights.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
    let header = try #require(
      try JSONSerialization.jsonObject(with: weights.subdata(in: 8..<(8 + headerLength))) as? [String: Any])
    let names = Set(header.keys).subtracting(["__metadata__"])
    #expect(
      names.isSuperset(of: [
        "classifier.weight", "classifier.bias", "bert.embeddings.word_embeddings.weight", "bert.pooler.dense.weight",
      ]))
    #expect(names.allSatisfy { $0.hasPrefix("bert.") || $0.hasPrefix("classifier.") }, "\(names.sorted())")
    #expect(FileManager.default.fileExists(atPath: model.appendingPathComponent("tokenizer.json").path))

    // The reloaded folder predicts what the trained model predicted in-process.
    let inProcess = try String(contentsOf: out.appendingPathComponent("predictions.jsonl"), encoding: .utf8)
      .split(separator: "\n").map(String.init)
    #expect(inProcess.count == rows.count)
    let labels = inProcess.compactMap {
      (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["label"] as? String
    }
    #expect(labels.count == rows.count && Set(labels).isSubset(of: ["finding", "normal"]))
    let reloaded = try CommandRunner.run(["classify", "--model", model.path, "--data", data.path, "--max-length", "32"])
    #expect(reloaded.status == 0, "\(reloaded.stderr)")
    #expect(reloaded.stdout.split(separator: "\n").map(String.init) == inProcess)

    // The untrained model labels differently: the comparison above sees the trained weights.
    let untrained = try CommandRunner.run([
      "train", "classify", "--model", bert.path, "--data", data.path, "--out",
      folder.appendingPathComponent("untrained").path,
      "--steps", "0", "--block-size", "32", "--predict", data.path, "--quiet",
    ])
    #expect(untrained.status == 0, "\(untrained.stderr)")
    let untrainedLines = try String(
      contentsOf: folder.appendingPathComponent("untrained/predictions.jsonl"), encoding: .utf8
    ).split(separator: "\n").map(String.init)
    #expect(untrainedLines.count == rows.count && untrainedLines != inProcess)
  }
}
