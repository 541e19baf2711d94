import Foundation
import RadModelFiles
import RadTensor

/// Maps a Hugging Face `model_type` to the initialiser of the matching architecture, so a model
/// folder's `config.json` alone decides what gets built. Architectures register here once.
public enum ModelRegistry {
  public typealias Builder = @Sendable (ConfigJSON, ParameterStore, UInt64) throws -> any TransformerModel

  public static let builders: [String: Builder] = [
    "gpt2": { try GPT2Model(json: $0, store: $1, seed: $2) },
    "llama": { try LlamaModel(json: $0, store: $1, seed: $2) },
    "qwen2": { try LlamaModel(json: $0, store: $1, seed: $2) },
    "bert": { try BertModel(json: $0, store: $1, seed: $2) },
    "bart": { try BartModel(json: $0, store: $1, seed: $2) },
  ]

  public static var knownTypes: [String] { builders.keys.sorted() }

  /// Builds (randomly initialised from `seed`) the architecture `config` names.
  public static func build(_ config: ConfigJSON, store: ParameterStore = ParameterStore(), seed: UInt64 = 0) throws
    -> any TransformerModel
  {
    let type = try config.string("model_type")
    guard let builder = builders[type] else { throw ModelError.unknownModelType(type, known: knownTypes) }
    return try builder(config, store, seed)
  }
}

/// Loads a model folder as Hugging Face writes it: `config.json` plus `model.safetensors` or a
/// sharded `model.safetensors.index.json`.
public enum ModelLoader {
  public static func load(directory: URL) throws -> any TransformerModel {
    let config = try ConfigJSON(contentsOf: directory.appendingPathComponent("config.json"))
    if Int8WeightFormat.describes(config) { return try Int8WeightFormat.load(directory: directory, config: config) }
    let model = try WeightInitialization.deferred { try ModelRegistry.build(config) }
    try WeightLoader.load(try weightsArchive(in: directory), into: model)
    return model
  }

  /// The weights file of a model folder.
  public static func weightsArchive(in directory: URL) throws -> any TensorArchive {
    let fm = FileManager.default
    let single = directory.appendingPathComponent("model.safetensors")
    if fm.fileExists(atPath: single.path) { return try TensorArchives.open(single) }
    let index = directory.appendingPathComponent("model.safetensors.index.json")
    if fm.fileExists(atPath: index.path) { return try TensorArchives.open(index) }
    throw ModelError.noWeights(directory: directory.path)
  }
}
