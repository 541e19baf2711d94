import ArgumentParser
import Foundation
import RadModelFiles
import RadModels
import RadTensor
import RadTokenizers
import RadTraining

/// `radlm train …`: pretraining, supervised fine-tuning (full or LoRA) and preference alignment.
struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train", abstract: "Train or fine-tune a model.",
    subcommands: [
      Pretrain.self, MaskedLM.self, SupervisedFineTune.self, LoRAFineTune.self, PreferenceOptimization.self,
      Reward.self,
      Classify.self,
    ])

  static func languageModel(_ model: any TransformerModel) throws -> any LanguageModel {
    guard let lm = model as? any LanguageModel else {
      throw ValidationError("model_type \(model.modelType) is not a causal language model")
    }
    return lm
  }
}

extension TrainCommand {
  struct Pretrain: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Causal-LM pretraining on text (JSONL fields or plain-text paragraphs) packed into blocks.")
    @OptionGroup var source: ModelSourceOptions
    @OptionGroup var options: TrainingRunOptions
    @Option(help: "JSONL field(s) holding the text; several fields are rendered as 'FIELD: value' lines.")
    var textField: [String] = ["text"]

    func run() throws {
      let (loaded, tokenizer, name) = try source.load(seed: options.seed)
      let model = try TrainCommand.languageModel(loaded)
      var sets = TrainingDataSets(skipBadLines: options.skipBadLines)
      let documents = try sets.documents(files: options.data, fields: textField)
      TrainingRunner.reportSkipped(sets.reader)
      let (trainDocs, validationDocs) = TrainingRunner.split(
        documents, fraction: options.validationFraction, seed: options.seed)
      let separator = tokenizer.endOfTextId
      let encode = { (texts: [String]) in tokenizer.encodeIdsBatch(texts).map { $0.map(Int.init) } }
      let blocks = try TokenBlocks.pack(encode(trainDocs), blockSize: options.blockSize, separator: separator)
      let validationBlocks = try TokenBlocks.pack(
        encode(validationDocs), blockSize: options.blockSize, separator: separator)
      guard !blocks.isEmpty else {
        throw TrainingDataError.tooShort(
          file: options.data.joined(separator: ", "), tokens: 0, needed: options.blockSize)
      }
      let objective = try CausalLanguageModelingObjective(
        model: model, blocks: blocks, validationBlocks: validationBlocks, batchSize: options.batchSize,
        seed: options.seed)
      FileHandle.standardError.write(
        Data(
          "\(name): \(blocks.count) training and \(validationBlocks.count) validation blocks of \(options.blockSize) tokens\n"
            .utf8))
      try TrainingRunner.execute(
        objective: objective, options: options, configuration: try options.configuration(defaultLearningRate: 3e-4),
        title: "pretraining loss"
      ) { output in
        [try TrainingRunner.saveModel(model, tokenizer: tokenizer, to: output.appendingPathComponent("model"))]
      }
    }
  }

  struct SupervisedFineTune: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "sft", abstract: "Full supervised fine-tuning on prompt/completion or chat messages.")
    @OptionGroup var supervised: SupervisedArguments

    func run() throws {
      let (model, tokenizer, _) = try supervised.load()
      try supervised.train(
        model: model, tokenizer: tokenizer, defaultLearningRate: 2e-5, title: "supervised fine-tuning loss"
      ) {
        output in
        [try TrainingRunner.saveModel(model, tokenizer: tokenizer, to: output.appendingPathComponent("model"))]
      }
    }
  }

  struct LoRAFineTune: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "lora", abstract: "Supervised fine-tuning of LoRA adapters on a frozen base (saved in PEFT format).")
    @OptionGroup var supervised: SupervisedArguments
    @OptionGroup var lora: LoRAOptions
    @Option(
      help:
        "Frozen base weights: f32, or q8 / q4 to keep them in Q8_0 / Q4_1 blocks (QLoRA-style; GGUF blocks as stored).")
    var dtype: WeightDType = .f32

    func run() throws {
      let model: any LanguageModel, tokenizer: Tokenizer, name: String, summary: QuantizedLoRABase.Summary
      if dtype != .f32, let path = try supervised.source.ggufPath {
        // Blocks go straight from the file into the frozen bases, without an F32 copy first.
        let loaded = try QuantizedLoRABase.load(try GGUFFile(url: URL(fileURLWithPath: path)), dtype: dtype)
        model = loaded.model
        summary = loaded.summary
        tokenizer = try TokenizerFiles.load(path: supervised.source.tokenizer ?? path)
        name = path
      } else {
        (model, tokenizer, name) = try supervised.load()
        summary = try QuantizedLoRABase.freeze(model, dtype: dtype)
      }
      let megabytes = { (bytes: Int) in String(format: "%.1f MB", Double(bytes) / 1_048_576) }
      FileHandle.standardError.write(
        Data(
          ("base (\(dtype.rawValue)): \(summary.matrices) matrices in blocks (\(megabytes(summary.quantizedBytes)), "
            + "\(megabytes(summary.releasedBytes)) as F32), F32 parameters \(megabytes(summary.remainingFloatBytes)), "
            + "process resident \(QuantizedLoRABase.residentBytes().map(megabytes) ?? "unknown")\n").utf8))
      let adapters = try lora.attach(to: model, baseName: name, seed: supervised.options.seed)
      FileHandle.standardError.write(
        Data("LoRA: \(adapters.adapters.count) layers, \(adapters.trainableCount) trainable values\n".utf8))
      try supervised.train(
        model: model, tokenizer: tokenizer, dropoutSource: adapters.dropoutSource, defaultLearningRate: 2e-4,
        title: "LoRA fine-tuning loss"
      ) { output in
        let folder = output.appendingPathComponent("adapter")
        try adapters.save(to: folder)
        return [folder.path]
      }
    }
  }

  struct PreferenceOptimization: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "dpo", abstract: "Direct preference optimisation on {prompt, chosen, rejected} pairs.")
    @OptionGroup var source: ModelSourceOptions
    @OptionGroup var options: TrainingRunOptions
    @OptionGroup var lora: LoRAOptions
    @Flag(help: "Train LoRA adapters (reference = the base with adapters off) instead of the full model.")
    var useLoRA = false
    @Option(help: "DPO temperature β.") var beta: Float = 0.1
    @Option(help: "Loss: sigmoid, ipo or hinge.") var loss: PreferenceLoss = .sigmoid
    @Option(
      help:
        "Reference log-probabilities cached by an earlier run (reference_logps.json); computed and cached when absent.")
    var referenceLogps: String?

    func validate() throws { try OptionCheck.number(beta, "--beta", above: 0, atMost: 1e6) }

    func run() throws {
      let (loaded, tokenizer, name) = try source.load(seed: options.seed)
      let policy = try TrainCommand.languageModel(loaded)
      var sets = TrainingDataSets(skipBadLines: options.skipBadLines)
      let pairs = try sets.preferences(
        files: options.data, tokenizer: tokenizer, endOfText: tokenizer.endOfTextId, maxLength: options.blockSize)
      TrainingRunner.reportSkipped(sets.reader)
      let (train, validation) = TrainingRunner.split(pairs, fraction: options.validationFraction, seed: options.seed)
      let output = options.outputURL
      try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
      let cache =
        referenceLogps.map { URL(fileURLWithPath: $0) } ?? output.appendingPathComponent("reference_logps.json")
      let references: [(chosen: Float, rejected: Float)]
      if FileManager.default.fileExists(atPath: cache.path) {
        references = try ReferenceCache.read(cache, expected: train.count + validation.count)
      } else {
        // The reference is the model as loaded, before any adapter or update.
        references = try DirectPreferenceObjective.logProbabilities(
          model: policy, pairs: train + validation, average: loss == .ipo, padId: tokenizer.paddingId)
        try ReferenceCache.write(references, to: cache)
      }
      let adapters = useLoRA ? try lora.attach(to: policy, baseName: name, seed: options.seed) : nil
      let objective = try DirectPreferenceObjective(
        policy: policy, pairs: train, validationPairs: validation, referenceLogProbabilities: references, loss: loss,
        beta: beta, batchSize: options.batchSize, padId: tokenizer.paddingId, seed: options.seed)
      objective.dropoutSource = adapters?.dropoutSource
      try TrainingRunner.execute(
        objective: objective, options: options, configuration: try options.configuration(defaultLearningRate: 5e-6),
        title: "DPO loss (\(loss.rawValue), β = \(beta))"
      ) { output in
        if let adapters {
          let folder = output.appendingPathComponent("adapter")
          try adapters.save(to: folder)
          return [folder.path]
        }
        return [try TrainingRunner.saveModel(policy, tokenizer: tokenizer, to: output.appendingPathComponent("model"))]
      }
    }
  }
}

extension ChatTemplate: ExpressibleByArgument {}
extension PreferenceLoss: ExpressibleByArgument {}

/// LoRA settings shared by `train lora` and `train dpo --use-lora`.
struct LoRAOptions: ParsableArguments {
  @Option(help: "LoRA rank r.") var rank: Int = 8
  @Option(help: "LoRA alpha (scaling = alpha / r).") var alpha: Float = 16
  @Option(help: "Dropout on the adapter input.") var loraDropout: Float = 0
  @Option(help: "Target module names (PEFT matching: exact or dotted suffix). Repeatable.")
  var target: [String] = []

  func validate() throws {
    try OptionCheck.count(rank, "--rank")
    try OptionCheck.number(alpha, "--alpha", above: 0, atMost: 1e6)
    try OptionCheck.number(loraDropout, "--lora-dropout", atLeast: 0, below: 1)
  }

  func attach(to model: any LanguageModel, baseName: String, seed: UInt64) throws -> LoRAAdapterSet {
    var configuration = LoRAConfiguration(
      rank: rank, alpha: alpha, dropout: loraDropout,
      targetModules: target.isEmpty ? Self.defaultTargets(model.modelType) : target)
    configuration.baseModel = baseName
    return try LoRAAdapterSet(attachingTo: model.parameters, configuration: configuration, seed: seed)
  }

  /// PEFT's defaults per architecture.
  static func defaultTargets(_ modelType: String) -> [String] {
    switch modelType {
    case "gpt2": return ["c_attn"]
    case "bert": return ["query", "value"]
    default: return ["q_proj", "v_proj"]
    }
  }
}

/// The arguments `sft` and `lora` share (model, run options, chat template) and the supervised
/// run they both perform.
struct SupervisedArguments: ParsableArguments {
  @OptionGroup var source: ModelSourceOptions
  @OptionGroup var options: TrainingRunOptions
  @Option(
    name: [.customLong("chat-template"), .customLong("template")],
    help: "Chat template for messages data: chatml, llama3 or plain (default: the model's own, if RadLM recognises it)."
  )
  var chatTemplate: ChatTemplate?

  /// The causal language model to fine-tune, its tokenizer and where it came from.
  func load() throws -> (model: any LanguageModel, tokenizer: Tokenizer, source: String) {
    let (loaded, tokenizer, name) = try source.load(seed: options.seed)
    return (try TrainCommand.languageModel(loaded), tokenizer, name)
  }

  /// Trains `model` (every weight, or only the adapters attached to it) on the prompt/completion
  /// data, then saves with `save`.
  func train(
    model: any LanguageModel, tokenizer: Tokenizer, dropoutSource: DropoutSource? = nil, defaultLearningRate: Float,
    title: String, save: (URL) throws -> [String]
  ) throws {
    let objective = try SupervisedSetup.objective(model: model, tokenizer: tokenizer, options: options) {
      try source.storedChatTemplate().format(choice: chatTemplate)
    }
    objective.dropoutSource = dropoutSource
    try TrainingRunner.execute(
      objective: objective, options: options,
      configuration: try options.configuration(defaultLearningRate: defaultLearningRate),
      title: title, save: save)
  }
}

/// Building the supervised objective.
enum SupervisedSetup {
  static func objective(
    model: any LanguageModel, tokenizer: Tokenizer, options: TrainingRunOptions, format: () throws -> ChatFormat
  ) throws -> CausalLanguageModelingObjective {
    var sets = TrainingDataSets(skipBadLines: options.skipBadLines)
    let examples = try sets.supervised(
      files: options.data, tokenizer: tokenizer, format: format, endOfText: tokenizer.endOfTextId,
      maxLength: options.blockSize)
    TrainingRunner.reportSkipped(sets.reader)
    if sets.cutBeforeCompletion > 0 {
      FileHandle.standardError.write(
        Data(
          "note: \(sets.cutBeforeCompletion) examples left out: no completion token within --block-size \(options.blockSize)\n"
            .utf8))
    }
    let (train, validation) = TrainingRunner.split(examples, fraction: options.validationFraction, seed: options.seed)
    return try CausalLanguageModelingObjective(
      model: model, training: train, validation: validation, batchSize: options.batchSize, padId: tokenizer.paddingId,
      seed: options.seed)
  }
}

/// The cached reference log-probabilities of a DPO run.
enum ReferenceCache {
  static func write(_ values: [(chosen: Float, rejected: Float)], to url: URL) throws {
    let object = ["chosen": values.map { Double($0.chosen) }, "rejected": values.map { Double($0.rejected) }]
    try AtomicFile.write(Array(try JSONSerialization.data(withJSONObject: object)), to: url)
  }

  static func read(_ url: URL, expected: Int) throws -> [(chosen: Float, rejected: Float)] {
    guard let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: [Double]],
      let chosen = object["chosen"], let rejected = object["rejected"], chosen.count == rejected.count
    else { throw ValidationError("\(url.path): not a reference log-probability cache") }
    guard chosen.count == expected else {
      throw ValidationError("\(url.path): holds \(chosen.count) pairs, the data has \(expected)")
    }
    return zip(chosen, rejected).map { (Float($0), Float($1)) }
  }
}
