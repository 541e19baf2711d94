import ArgumentParser
import Foundation
import RadModels
import RadTensor
import RadTokenizers
import RadTraining

/// `radlm classify`: labels texts with a sequence classifier that `radlm train classify` saved
/// (or any transformers `BertForSequenceClassification` folder), one JSON line per text.
struct ClassifyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "classify", abstract: "Label texts with a saved BERT sequence classifier (one JSON line per text).")

  @Option(help: "Classifier folder (config.json with BertForSequenceClassification + model.safetensors).")
  var model: String
  @Option(help: "Tokenizer (default: the classifier folder's tokenizer.json).") var tokenizer: String?
  @Option(help: "Texts: JSONL with a \"text\" field (labels, if any, are ignored). Repeatable.") var data: [String]
  @Option(help: "Tokens kept per text, [CLS] and [SEP] included (as train classify's --block-size).") var maxLength =
    128
  @Flag(help: "Skip malformed data lines (reported on stderr) instead of stopping.") var skipBadLines = false

  func validate() throws {
    try OptionCheck.model(model)
    try OptionCheck.exists(tokenizer, "--tokenizer")
    try OptionCheck.exist(data, "--data")
    // [CLS] and [SEP] take two of the tokens.
    try OptionCheck.count(maxLength, "--max-length", minimum: 3)
  }

  func run() throws {
    let folder = URL(fileURLWithPath: try ModelArgument.path(model))
    guard BertSequenceClassifier.isClassifierFolder(folder) else {
      throw ValidationError(
        "\(folder.path) is not a sequence classifier (config.json architectures lacks BertForSequenceClassification)")
    }
    let head = try BertSequenceClassifier.load(directory: folder)
    let tokenizer = try TokenizerFiles.load(path: tokenizer ?? folder.path)
    var sets = TrainingDataSets(skipBadLines: skipBadLines)
    let texts = try sets.documents(files: data, fields: ["text"])
    TrainingRunner.reportSkipped(sets.reader)
    for line in try ClassifierPredictions.lines(head: head, tokenizer: tokenizer, texts: texts, maxLength: maxLength) {
      print(line)
    }
  }
}

/// What `radlm classify` prints and `radlm train classify --predict` writes: per text, one JSON
/// object with the predicted `label`, its `id` and the `logits`, each text scored on its own (no
/// padding), so the same weights give the same lines wherever they are computed.
enum ClassifierPredictions {
  static func lines(head: BertSequenceClassifier, tokenizer: Tokenizer, texts: [String], maxLength: Int) throws
    -> [String]
  {
    let sequences = tokenizer.encodeBatch(texts, addSpecialTokens: true).map { Array($0.ids.prefix(maxLength)) }
    return try Autograd.inferenceMode {
      try sequences.map { ids in
        let logits = try head.logits(TokenBatch(ids)).data
        let best = logits.indices.max { logits[$0] < logits[$1] } ?? 0
        let object: [String: Any] = ["label": head.labels[best], "id": best, "logits": logits.map(Double.init)]
        return String(
          decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
      }
    }
  }
}
