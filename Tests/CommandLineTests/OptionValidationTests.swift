import Foundation
import Testing

/// Every subcommand, read from `radlm --experimental-dump-help`, is run with each of its options
/// set to out-of-range values (0, -1, a huge number, NaN, a non-number; missing files for path
/// options) in check mode (`RADLM_CHECK_ARGUMENTS=1`: parse and validate only). A bad value must
/// end with status 64 and one line naming the option, never with a signal; the values an option
/// documents as meaningful (`--seed 0`, `--layer -1`) must be accepted.
@Suite("radlm option validation")
struct OptionValidationTests {
  /// One leaf command of the tree and its value-taking options.
  struct Command {
    let path: [String]
    let options: [Option]
  }

  struct Option {
    /// `--name`, or `<name>` for a positional argument.
    let name: String
    /// For a positional argument, its place among the command's positionals (the base
    /// arguments list positionals first, in order).
    var position = 0
    let abstract: String
    let choices: [String]?
    var isPositional: Bool { name.hasPrefix("<") }
  }

  /// Values every numeric or path option must refuse unless `accepted` lists them.
  static let badValues = ["abc", "0", "-1", "4611686018427387904", "nan"]

  /// Options that take free text or name an output to create: any value is valid.
  static let freeText: Set<String> = [
    "--prompt", "--system", "--stop", "--text", "--target", "--special-token", "--text-field", "--out", "--output",
    "--ids-output", "--train-output", "--work", "--reference-logps", "--name", "--exact-out", "--model-name", "<query>",
    "<question>",
  ]

  /// Exceptions to `freeText` keyed "command --option": here the option names a file to read.
  static let readsFile: Set<String> = ["eval perplexity --text"]

  /// Options keyed "command --option" that name a file the command creates: any value is valid.
  static let writesFile: Set<String> = ["rag index --db"]

  /// Values of `badValues` an option documents as meaningful, keyed "--option" or, for one
  /// command only, "command --option".
  static let accepted: [String: Set<String>] = [
    "--seed": ["0", "4611686018427387904"], "train pretrain --steps": ["0"], "--bootstrap-seed": ["0"],
    "--temperature": ["0"], "--top-k": ["0"],
    "--min-p": ["0"], "--warmup": ["0"], "--weight-decay": ["0"], "--max-grad-norm": ["0"],
    "--validation-fraction": ["0"], "--evaluate-every": ["0"], "--checkpoint-every": ["0"], "--lora-dropout": ["0"],
    "--min-frequency": ["0"], "--warmups": ["0"], "--min-time": ["0"], "--prefill-tokens": ["0"],
    "--array-limit": ["0"], "--word-order": ["0"], "--smooth-value": ["0"], "--head": ["0"],
    "inspect attention --layer": ["0", "-1"], "impression --shots": ["0"], "rag index --overlap": ["0"],
    "serve --port": ["0"], "rag ask --min-score": ["0", "-1"], "image convert --frame": ["0"],
    "--caption-steps": ["0"], "--instruction-steps": ["0"],
  ]

  /// Valid arguments per command (check mode reads no model, so repository files stand in).
  static func baseArguments(_ files: Files) -> [String: [String]] {
    let model = ["--model", files.model]
    let train = ["--model", files.model, "--data", files.data, "--out", files.output]
    let pairs = ["--pairs", files.pairs]
    return [
      "bench matmul": [], "bench ops": [], "bench train": [], "bench decode": model,
      "chat": model, "classify": model + ["--data", files.data], "convert": model, "embed": model,
      "eval rouge": pairs, "eval bleu": pairs, "eval chrf": pairs, "eval coco": pairs, "eval labels": pairs,
      "eval classification": ["--truth", files.text, "--pred", files.text], "eval report": pairs,
      "eval bertscore": pairs, "eval perplexity": model + ["--text", files.text], "fetch": ["smollm2"],
      "generate": model + ["--prompt", "Findings:", "--chat"], "inspect tensors": [files.weights],
      "inspect metadata": [files.weights], "inspect attention": model + ["--text", "Findings"],
      "inspect embeddings": model + ["--words", files.text], "logits": model + ["--prompt", "Findings"],
      "lora merge": model + ["--adapter", files.model, "--out", files.output],
      "tokenize": ["--tokenizer", files.tokenizer],
      "tokenizer train": ["--input", files.text, "--vocab-size", "300", "--output", files.output],
      "tokenizer convert": ["--tokenizer", files.tokenizer, "--output", files.output],
      "tokenizer bench": ["--tokenizer", files.tokenizer, "--corpus", files.text],
      "train pretrain": train, "train mlm": train, "train sft": train, "train lora": train, "train dpo": train,
      "train reward": train, "train classify": train,
      "bench retrieval": ["--vectors", files.text, "--queries", files.text, "--dimension", "4"],
      "bench dicom": [files.dicom], "check run": [files.text], "check eval": ["--reports", files.reports],
      "data iu-stats": ["--reports", files.reports], "deid run": [files.text],
      "data synth-cxr": ["--n", "2", "--out", files.output],
      "vlm ask": ["How many nodules?", "--model", files.model, "--image", files.png],
      "vlm train": ["--data", files.reports, "--out", files.output],
      "vlm eval": ["--model", files.model, "--data", files.reports],
      "deid eval": ["--reports", files.reports],
      "sections": [files.text], "eval mesh": ["--reports", files.reports],
      "eval retrieval": ["--qrels", files.qrels, "--run", files.qrels],
      "extract": model + ["--schema", files.schema, "--input", files.text],
      "image info": [files.png], "image convert": [files.dicom, files.output + ".png"],
      "impression": model + ["--input", files.data],
      "review export": [
        "--predictions", files.data, "--reference", files.data, "--out", files.output,
      ],
      "review import": [files.reviewSheet], "rag index": [files.text, "--db", files.output + ".sqlite"],
      "rag search": ["Findings", "--db", files.text], "rag ask": ["Findings", "--db", files.text] + model,
      "rag stats": ["--db", files.text], "serve": model, "vision bench": [], "pipeline": [],
      "vision classify": [files.png], "vision medmnist": ["--task", "breastmnist", "--data", files.text],
      "clip train": ["--pairs", files.data, "--out", files.output],
      "clip pairs": ["--cxr-metadata", files.text, "--out", files.output],
      "clip zero-shot": [files.png, "--model", files.model, "--labels", "normal,pneumonia"],
      "clip retrieve": ["--model", files.model, "--pairs", files.data],
    ]
  }

  /// Existing inputs for the base arguments.
  struct Files {
    let root = CommandRunner.repositoryRoot
    var model: String { root.appendingPathComponent("Tests/RadModelsTests/Fixtures/llama").path }
    var weights: String { root.appendingPathComponent("Tests/RadModelsTests/Fixtures/llama/model.safetensors").path }
    var tokenizer: String {
      root.appendingPathComponent("Tests/RadTokenizersTests/Fixtures/smollm2_tokenizer.json").path
    }
    var data: String { root.appendingPathComponent("data/synthetic_reports.jsonl").path }
    var text: String { root.appendingPathComponent("Package.swift").path }
    var reports: String { root.appendingPathComponent("Tests/RadReportsTests/Fixtures/iu/folder").path }
    var dicom: String { root.appendingPathComponent("Tests/RadImagingTests/Fixtures/pet/pet_explicit_start.dcm").path }
    var png: String { root.appendingPathComponent("Tests/RadImagingTests/Fixtures/png/grey16_adam7.png").path }
    var qrels: String { root.appendingPathComponent("data/retrieval/roco_caption_halves/qrels.txt").path }
    var schema: String { root.appendingPathComponent("data/schemas/chest_xray_findings.json").path }
    var reviewSheet: String { root.appendingPathComponent("Tests/RadClinicalTests/Fixtures/review/rater_a.csv").path }
    let pairs: String
    let output: String
  }

  /// The arguments for `command` with `option` set to `value`: the option's own occurrence in
  /// the base is replaced, and options it excludes or needs are swapped in.
  static func arguments(_ command: String, base: [String], option: Option, value: String, files: Files) -> [String] {
    var arguments = base
    func remove(_ name: String) {
      if let index = arguments.firstIndex(of: name) { arguments.removeSubrange(index...index + 1) }
    }
    if option.isPositional {
      // The positional is the base's first argument that is not an option's value.
      if command == "convert" {
        remove("--model")
        return arguments + [value]
      }
      if option.position < arguments.count { arguments[option.position] = value } else { arguments.append(value) }
      return arguments
    }
    remove(option.name)
    switch option.name {
    case "--refs", "--hyps", "--reports":
      remove("--pairs")
      if option.name == "--refs" { arguments += ["--hyps", files.text] }
      if option.name == "--hyps" { arguments += ["--refs", files.text] }
    case "--init" where command.hasPrefix("train"):
      remove("--model")
      arguments += ["--tokenizer", files.tokenizer]
    case "--prompt-file",
      "--batch-size" where command == "generate":
      remove("--prompt")
      if option.name == "--batch-size" { arguments += ["--prompt-file", files.text] }
    default: break
    }
    return arguments + ["\(option.name)=\(value)"]
  }

  /// The leaf commands of `radlm --experimental-dump-help`.
  static func commands() throws -> [Command] {
    let help = try CommandRunner.run(["--experimental-dump-help"])
    let root = try #require(try JSONSerialization.jsonObject(with: Data(help.stdout.utf8)) as? [String: Any])
    var found: [Command] = []
    func walk(_ command: [String: Any], path: [String]) {
      let subcommands = (command["subcommands"] as? [[String: Any]] ?? []).filter {
        $0["commandName"] as? String != "help"
      }
      if subcommands.isEmpty {
        var positionals = 0
        let options = (command["arguments"] as? [[String: Any]] ?? []).compactMap { argument -> Option? in
          let kind = argument["kind"] as? String
          guard kind == "option" || kind == "positional" else { return nil }
          let preferred = argument["preferredName"] as? [String: Any]
          let name =
            kind == "positional"
            ? "<\(argument["valueName"] as? String ?? "")>" : "--\(preferred?["name"] as? String ?? "")"
          var option = Option(
            name: name, abstract: argument["abstract"] as? String ?? "", choices: argument["allValues"] as? [String])
          if kind == "positional" {
            option.position = positionals
            positionals += 1
          }
          return option
        }
        found.append(Command(path: path, options: options))
      }
      for sub in subcommands { walk(sub, path: path + [sub["commandName"] as? String ?? ""]) }
    }
    walk(try #require(root["command"] as? [String: Any]), path: [])
    return found
  }

  /// Runs radlm in check mode.
  static func check(_ arguments: [String]) throws -> (reason: Process.TerminationReason, status: Int32, stderr: String)
  {
    let process = Process()
    process.executableURL = try CommandRunner.executable
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["RADLM_CHECK_ARGUMENTS"] = "1"
    environment["RADLM_HUGE_PAGES"] = "0"
    process.environment = environment
    let err = Pipe()
    process.standardError = err
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationReason, process.terminationStatus, String(decoding: stderr, as: UTF8.self))
  }

  @Test func everyOptionRefusesOutOfRangeValuesWithOneLineNamingIt() throws {
    let folder = CommandRunner.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let pairs = folder.appendingPathComponent("pairs.jsonl")
    try Data(#"{"reference":"No effusion.","hypothesis":"No pleural effusion."}"#.utf8).write(to: pairs)
    let files = Files(pairs: pairs.path, output: folder.appendingPathComponent("out").path)
    let bases = Self.baseArguments(files)
    let commands = try Self.commands()
    #expect(commands.count >= 30)

    struct Case: Sendable {
      let label: String
      let arguments: [String]
      let option: String
      let value: String
      let mustAccept: Bool
      let freeText: Bool
    }
    var cases: [Case] = []
    // Options shared through one option group are tested once, on the first command with them.
    var seen: Set<String> = []
    for command in commands {
      let name = command.path.joined(separator: " ")
      guard let base = bases[name] else {
        Issue.record("no base arguments for `radlm \(name)`: add it to OptionValidationTests.baseArguments")
        continue
      }
      cases.append(
        Case(label: name, arguments: command.path + base, option: "", value: "", mustAccept: true, freeText: false))
      for option in command.options
      where seen.insert("\(option.name) \(option.abstract)").inserted || option.isPositional {
        let key = "\(name) \(option.name)"
        let isFreeText =
          (Self.freeText.contains(option.name) && !Self.readsFile.contains(key)) || Self.writesFile.contains(key)
        let values = option.choices != nil ? ["abc"] : isFreeText ? ["abc", "-1"] : Self.badValues
        for value in values where !(option.isPositional && value.hasPrefix("-")) {
          let accepted = Self.accepted[key] ?? Self.accepted[option.name] ?? []
          cases.append(
            Case(
              label: "\(key)=\(value)",
              arguments: command.path
                + Self.arguments(name, base: base, option: option, value: value, files: files),
              option: option.name, value: value, mustAccept: isFreeText || accepted.contains(value),
              freeText: isFreeText))
        }
      }
    }

    // A few processes at a time: each is a short parse of the command line.
    let results = ResultBox(count: cases.count)
    let argumentLists = cases.map(\.arguments)
    DispatchQueue.concurrentPerform(iterations: 4) { worker in
      for index in stride(from: worker, to: argumentLists.count, by: 4) {
        results.set(index, Result { try Self.check(argumentLists[index]) })
      }
    }
    var failures: [String] = []
    for (index, item) in cases.enumerated() {
      let outcome = try results.get(index).get()
      let stderr = outcome.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
      if outcome.reason != .exit {
        failures.append("\(item.label): killed by signal \(outcome.status)")
      } else if item.mustAccept {
        if outcome.status != 0 { failures.append("\(item.label) must be accepted: \(stderr)") }
      } else if outcome.status != 64 || stderr.contains("\n") || !stderr.hasPrefix("Error: ") {
        failures.append("\(item.label): status \(outcome.status), not one line: \(stderr)")
      } else if !(item.option.hasPrefix("<") ? stderr.contains(item.value) : stderr.contains(item.option)) {
        // Named: the option (or, for a positional, the value), and the value or the rule broken.
        failures.append("\(item.label): does not name \(item.option): \(stderr)")
      } else if !(stderr.contains(item.value) || stderr.contains(" must ")) {
        failures.append("\(item.label): says neither the value nor the rule: \(stderr)")
      }
    }
    #expect(failures.isEmpty, "\(failures.count) of \(cases.count) command lines:\n\(failures.joined(separator: "\n"))")
  }

  /// Results written by the worker threads (each index once).
  final class ResultBox: @unchecked Sendable {  // Each slot is written by one worker, read after all join.
    private var slots: [Result<(reason: Process.TerminationReason, status: Int32, stderr: String), Error>?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: Result<(reason: Process.TerminationReason, status: Int32, stderr: String), Error>) {
      lock.withLock { slots[index] = value }
    }
    func get(_ index: Int) throws -> Result<(reason: Process.TerminationReason, status: Int32, stderr: String), Error> {
      try #require(lock.withLock { slots[index] })
    }
  }
}
