import ArgumentParser
import Foundation
import RadModelFiles
import RadModels
import RadTensor
import RadTokenizers
import RadTraining

extension TrainCommand {
  /// `radlm train mlm`: BERT masked-LM pretraining.
  struct MaskedLM: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "mlm", abstract: "Masked-LM pretraining of a BERT model (15% of tokens, 80/10/10).")
    @OptionGroup var source: ModelSourceOptions
    @OptionGroup var options: TrainingRunOptions
    @Option(help: "JSONL field(s) holding the text.") var textField: [String] = ["text"]
    @Option(help: "Fraction of tokens to predict.") var maskProbability: Float = 0.15

    func validate() throws { try OptionCheck.number(maskProbability, "--mask-probability", above: 0, below: 1) }

    func run() throws {
      let (loaded, tokenizer, _) = try source.load(seed: options.seed)
      guard let bert = loaded as? BertModel else {
        throw ValidationError("mlm needs a BERT model with a masked-LM head (architectures: [\"BertForMaskedLM\"])")
      }
      guard let maskId = tokenizer.tokenToId("[MASK]") else {
        throw ValidationError("the tokenizer has no [MASK] token")
      }
      var sets = TrainingDataSets(skipBadLines: options.skipBadLines)
      let documents = try sets.documents(files: options.data, fields: textField)
      TrainingRunner.reportSkipped(sets.reader)
      let sequences = tokenizer.encodeBatch(documents, addSpecialTokens: true).map {
        Array($0.ids.prefix(options.blockSize))
      }
      let (train, validation) = TrainingRunner.split(
        sequences, fraction: options.validationFraction, seed: options.seed)
      let special = Set(["[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]"].compactMap { tokenizer.tokenToId($0) })
      let objective = try MaskedLanguageModelingObjective(
        model: bert,
        masker: MaskedLanguageModelingMasker(
          maskId: maskId, vocabularySize: tokenizer.vocabularySize, specialIds: special, probability: maskProbability),
        sequences: train, validation: validation, batchSize: options.batchSize, padId: tokenizer.paddingId,
        seed: options.seed)
      try TrainingRunner.execute(
        objective: objective, options: options, configuration: try options.configuration(defaultLearningRate: 1e-4),
        title: "masked-LM loss"
      ) { output in
        [try TrainingRunner.saveModel(bert, tokenizer: tokenizer, to: output.appendingPathComponent("model"))]
      }
    }
  }

  /// `radlm train classify`: sequence classification on a BERT encoder.
  struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Fine-tune a BERT encoder with a classification head on {text, label} lines.")
    @OptionGroup var source: ModelSourceOptions
    @OptionGroup var options: TrainingRunOptions
    @Option(
      help:
        "JSONL texts (\"text\" field) to label with the trained model: OUT/predictions.jsonl, as `radlm classify` prints them."
    )
    var predict: String?

    func validate() throws { try OptionCheck.exists(predict, "--predict") }

    func run() throws {
      var sets = TrainingDataSets(skipBadLines: options.skipBadLines)
      let (texts, labels, names) = try sets.classification(files: options.data)
      let predictTexts = try predict.map { try sets.documents(files: [$0], fields: ["text"]) }
      TrainingRunner.reportSkipped(sets.reader)
      let (head, tokenizer) = try loadClassifier(labels: names)
      let ids = tokenizer.encodeBatch(texts, addSpecialTokens: true).map { Array($0.ids.prefix(options.blockSize)) }
      let examples = zip(ids, labels).map { (ids: $0, label: $1) }
      let (train, validation) = TrainingRunner.split(examples, fraction: options.validationFraction, seed: options.seed)
      let objective = try SequenceClassificationObjective(
        head: head, examples: train, validation: validation, batchSize: options.batchSize, padId: tokenizer.paddingId,
        seed: options.seed)
      try TrainingRunner.execute(
        objective: objective, options: options, configuration: try options.configuration(defaultLearningRate: 2e-5),
        title: "classification loss"
      ) { output in
        if !validation.isEmpty {
          let (accuracy, _) = try objective.accuracyAndLoss()
          FileHandle.standardError.write(Data(String(format: "validation accuracy %.3f\n", accuracy).utf8))
        }
        // transformers' BertForSequenceClassification layout; labels in config.json's id2label.
        let folder = output.appendingPathComponent("model")
        try head.save(to: folder)
        try TokenizerJSON.save(tokenizer, path: folder.appendingPathComponent("tokenizer.json").path)
        guard let predictTexts else { return [folder.path] }
        let predictions = output.appendingPathComponent("predictions.jsonl")
        let lines = try ClassifierPredictions.lines(
          head: head, tokenizer: tokenizer, texts: predictTexts, maxLength: options.blockSize)
        try AtomicFile.write(Array(lines.map { $0 + "\n" }.joined().utf8), to: predictions)
        return [folder.path, predictions.path]
      }
    }

    /// A new head on a BERT encoder, or a classifier saved earlier (continued training) whose
    /// labels must be the data's.
    func loadClassifier(labels: [String]) throws -> (BertSequenceClassifier, Tokenizer) {
      if let model = source.model,
        BertSequenceClassifier.isClassifierFolder(URL(fileURLWithPath: try ModelArgument.path(model)))
      {
        let folder = URL(fileURLWithPath: try ModelArgument.path(model))
        let head = try BertSequenceClassifier.load(directory: folder)
        guard head.labels == labels else {
          throw ValidationError("\(folder.path) classifies \(head.labels), the data has labels \(labels)")
        }
        return (head, try TokenizerFiles.load(path: source.tokenizer ?? folder.path))
      }
      let (loaded, tokenizer, _) = try source.load(seed: options.seed)
      guard let bert = loaded as? BertModel else { throw ValidationError("classify needs a BERT-family model") }
      return (BertSequenceClassifier(encoder: bert, labels: labels, seed: options.seed), tokenizer)
    }
  }

  /// `radlm train reward`: a Bradley–Terry reward model on preference pairs.
  struct Reward: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Train a reward model (scalar score head, Bradley–Terry loss) on {prompt, chosen, rejected} lines.")
    @OptionGroup var source: ModelSourceOptions
    @OptionGroup var options: TrainingRunOptions

    func run() throws {
      let (loaded, tokenizer, _) = try source.load(seed: options.seed)
      let model = try TrainCommand.languageModel(loaded)
      let width: Int
      if let llama = model as? LlamaModel {
        width = llama.config.width
      } else if let gpt2 = model as? GPT2Model {
        width = gpt2.config.width
      } else {
        throw ValidationError("reward models need a GPT-2 or Llama-family model")
      }
      var sets = TrainingDataSets(skipBadLines: options.skipBadLines)
      let pairs = try sets.preferences(
        files: options.data, tokenizer: tokenizer, endOfText: tokenizer.endOfTextId, maxLength: options.blockSize)
      TrainingRunner.reportSkipped(sets.reader)
      let (train, validation) = TrainingRunner.split(pairs, fraction: options.validationFraction, seed: options.seed)
      let objective = try RewardModelObjective(
        model: model, width: width, pairs: train, validationPairs: validation, batchSize: options.batchSize,
        padId: tokenizer.paddingId, seed: options.seed)
      try TrainingRunner.execute(
        objective: objective, options: options, configuration: try options.configuration(defaultLearningRate: 1e-5),
        title: "reward-model loss"
      ) { output in
        if !validation.isEmpty {
          let (accuracy, _) = try objective.accuracyAndLoss()
          FileHandle.standardError.write(Data(String(format: "validation preference accuracy %.3f\n", accuracy).utf8))
        }
        return [try TrainingRunner.saveModel(model, tokenizer: tokenizer, to: output.appendingPathComponent("model"))]
      }
    }
  }
}
