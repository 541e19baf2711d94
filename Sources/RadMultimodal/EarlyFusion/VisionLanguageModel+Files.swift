import Foundation
import RadInference
import RadModelFiles
import RadModels
import RadTensor
import RadTraining

/// The model folder: `config.json` (VisionLanguageConfiguration), `projector.safetensors`
/// (`multi_modal_projector.linear_{1,2}.{weight,bias}`) and, once instruction-tuned, `adapter/`
/// (PEFT: adapter_config.json + adapter_model.safetensors). The language model and EfficientNet
/// weights are named, not copied.
extension VisionLanguageModel {
  public static let configFile = "config.json"
  public static let projectorFile = "projector.safetensors"
  public static let adapterFolder = "adapter"

  /// Writes the folder (each file atomically).
  public func save(to directory: URL) throws {
    do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
      throw VisionLanguageError.io(path: directory.path, reason: "cannot create the folder")
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    try AtomicFile.write(
      Array(try encoder.encode(configuration)), to: directory.appendingPathComponent(Self.configFile))
    var tensors: [String: Tensor] = [:]
    for parameter in projector.parameters { tensors[parameter.name] = parameter.value.detached() }
    try SafetensorsWriter.write(
      tensors, metadata: ["format": "pt"], to: directory.appendingPathComponent(Self.projectorFile))
    if let adapters { try adapters.save(to: directory.appendingPathComponent(Self.adapterFolder)) }
  }

  /// Resolves a model or weights reference: an absolute path, a path relative to `folder` or to
  /// the working directory, or the name of a fetched model.
  public static func resolve(_ reference: String, relativeTo folder: URL?) throws -> URL {
    let manager = FileManager.default
    if reference.hasPrefix("/") {
      if manager.fileExists(atPath: reference) { return URL(fileURLWithPath: reference) }
    } else {
      if let folder, manager.fileExists(atPath: folder.appendingPathComponent(reference).path) {
        return folder.appendingPathComponent(reference)
      }
      if manager.fileExists(atPath: reference) { return URL(fileURLWithPath: reference) }
    }
    if ModelCache.catalog.contains(where: { $0.name == reference }) { return try ModelCache().path(of: reference) }
    throw VisionLanguageError.io(path: reference, reason: "no such file or folder, and not a fetched model name")
  }

  /// A new model: the language model and encoder `configuration` names, a fresh projector.
  public static func create(configuration: VisionLanguageConfiguration, seed: UInt64) throws -> VisionLanguageModel {
    let bundle = try ModelBundle.open(path: try resolve(configuration.languageModel, relativeTo: nil).path)
    let encoder = try VisualEncoders.make(configuration.visionEncoder) { try resolve($0, relativeTo: nil) }
    return try VisionLanguageModel(configuration: configuration, bundle: bundle, encoder: encoder, seed: seed)
  }

  /// Opens a model folder written by `save`.
  public static func load(from directory: URL) throws -> VisionLanguageModel {
    let configURL = directory.appendingPathComponent(configFile)
    let configuration: VisionLanguageConfiguration
    do {
      configuration = try JSONDecoder().decode(VisionLanguageConfiguration.self, from: Data(contentsOf: configURL))
    } catch {
      throw VisionLanguageError.io(path: configURL.path, reason: "not an early-fusion config (\(error))")
    }
    guard configuration.modelType == "radlm_early_fusion" else {
      throw VisionLanguageError.io(path: configURL.path, reason: "model_type is \"\(configuration.modelType)\"")
    }
    let bundle = try ModelBundle.open(path: try resolve(configuration.languageModel, relativeTo: directory).path)
    let encoder = try VisualEncoders.make(configuration.visionEncoder) { try resolve($0, relativeTo: directory) }
    let model = try VisionLanguageModel(configuration: configuration, bundle: bundle, encoder: encoder, seed: 0)
    try model.loadProjector(from: directory.appendingPathComponent(projectorFile))
    let adapterURL = directory.appendingPathComponent(adapterFolder)
    if FileManager.default.fileExists(atPath: adapterURL.appendingPathComponent("adapter_config.json").path) {
      model.attachAdapters(try LoRAAdapterSet(loading: adapterURL, into: model.language.parameters))
    }
    return model
  }

  /// Reads the projector's weights from a safetensors file (names and shapes must match).
  public func loadProjector(from weightsURL: URL) throws {
    let file = try SafetensorsFile(url: weightsURL)
    for parameter in projector.parameters {
      guard file.tensorNames.contains(parameter.name) else {
        throw VisionLanguageError.io(path: weightsURL.path, reason: "missing tensor \(parameter.name)")
      }
      let tensor = try file.tensor(parameter.name)
      guard tensor.shape == parameter.value.shape else {
        throw VisionLanguageError.io(
          path: weightsURL.path,
          reason: "\(parameter.name) has shape \(tensor.shape), expected \(parameter.value.shape)")
      }
      parameter.update { $0 = tensor.data }
    }
    clearPrefixCache()
  }
}
