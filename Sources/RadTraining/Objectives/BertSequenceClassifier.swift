import Foundation
import RadModelFiles
import RadModels
import RadTensor

/// A BERT encoder with a classification head, laid out as transformers' `BertForSequenceClassification`:
/// the pooled [CLS] vector goes through a `classifier` linear layer to one score per label. Saved
/// folders use that class's names (`bert.`-prefixed encoder tensors beside `classifier.*`) and its
/// config (`architectures`, `id2label`, `label2id`), so `from_pretrained` reads them; folders in the
/// older RadLM layout (unprefixed encoder names) still load.
public final class BertSequenceClassifier: @unchecked Sendable {
  public let encoder: BertModel
  public let classifier: Linear
  /// Label names, index = class id.
  public let labels: [String]

  static let encoderPrefix = "bert."

  /// Adds a freshly initialised `classifier` (seeded) to `encoder`'s parameters.
  public init(encoder: BertModel, labels: [String], seed: UInt64) {
    self.encoder = encoder
    self.labels = labels
    var random = SeededRandom(seed: seed ^ 0xC1A5)
    classifier = Linear(
      encoder.parameters.scoped("classifier"), inFeatures: encoder.config.width, outFeatures: labels.count,
      random: &random)
  }

  public var parameters: ParameterStore { encoder.parameters }

  /// Label scores [batch, labels].
  public func logits(_ batch: TokenBatch) throws -> Tensor {
    classifier(try encoder.pooled(try encoder.hiddenStates(batch)))
  }

  /// `config.json` of `BertForSequenceClassification` with this classifier's labels.
  public var configJSON: ConfigJSON {
    var values = encoder.config.json.values
    values["architectures"] = ["BertForSequenceClassification"]
    values["id2label"] = Dictionary(uniqueKeysWithValues: labels.enumerated().map { (String($0.offset), $0.element) })
    values["label2id"] = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($0.element, $0.offset) })
    return ConfigJSON(values: values)
  }

  /// Writes `config.json` and `model.safetensors` (each atomically) in the
  /// `BertForSequenceClassification` layout.
  public func save(to directory: URL) throws {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    var tensors: [String: Tensor] = [:]
    for parameter in parameters.parameters {
      let isHead = parameter.name.hasPrefix("classifier.")
      tensors[isHead ? parameter.name : Self.encoderPrefix + parameter.name] = parameter.value.detached()
    }
    try SafetensorsWriter.write(
      tensors, metadata: ["format": "pt"], to: directory.appendingPathComponent("model.safetensors"))
    try AtomicFile.write([UInt8](try configJSON.jsonData()), to: directory.appendingPathComponent("config.json"))
  }

  /// Whether `directory` holds a saved classifier: its config names `BertForSequenceClassification`,
  /// or (the older RadLM layout) a `labels.json` sits beside it.
  public static func isClassifierFolder(_ directory: URL) -> Bool {
    guard let config = try? ConfigJSON(contentsOf: directory.appendingPathComponent("config.json")) else {
      return false
    }
    return ((config.values["architectures"] as? [String]) ?? []).contains("BertForSequenceClassification")
      || FileManager.default.fileExists(atPath: directory.appendingPathComponent("labels.json").path)
  }

  /// Loads a folder written by `save`, by transformers, or in RadLM's older layout (encoder names
  /// without `bert.`); labels come from `id2label` (or `labels.json`, or `num_labels`).
  public static func load(directory: URL) throws -> BertSequenceClassifier {
    let configURL = directory.appendingPathComponent("config.json")
    let config = try ConfigJSON(contentsOf: configURL)
    let labels = try labelNames(config, directory: directory)
    let encoder = try WeightInitialization.deferred {
      BertModel(config: try BertConfiguration(config), pooler: true, maskedLM: false)
    }
    let classifier = BertSequenceClassifier(encoder: encoder, labels: labels, seed: 0)
    try WeightLoader.load(try ModelLoader.weightsArchive(in: directory), into: encoder) { stored in
      stored.hasPrefix(encoderPrefix) ? String(stored.dropFirst(encoderPrefix.count)) : stored
    }
    return classifier
  }

  static func labelNames(_ config: ConfigJSON, directory: URL) throws -> [String] {
    if let map = config.values["id2label"] as? [String: String], !map.isEmpty {
      var names = [String](repeating: "", count: map.count)
      for (key, name) in map {
        guard let index = Int(key), names.indices.contains(index) else {
          throw ModelError.invalidConfig(
            file: config.source, field: "id2label", reason: "key \"\(key)\" is not an index below \(map.count)")
        }
        names[index] = name
      }
      return names
    }
    let labelsFile = directory.appendingPathComponent("labels.json")
    if let data = try? Data(contentsOf: labelsFile),
      let names = try? JSONSerialization.jsonObject(with: data) as? [String]
    {
      return names
    }
    let count = try config.int("num_labels", default: 2)
    return (0..<count).map { "LABEL_\($0)" }
  }
}
