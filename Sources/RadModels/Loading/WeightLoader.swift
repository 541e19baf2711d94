import Foundation
import RadModelFiles
import RadTensor

/// Copies checkpoint tensors into a model's parameters by Hugging Face name. A checkpoint of the
/// bare base model (`h.0.attn…`) and one of the task model (`transformer.h.0.attn…`) both load:
/// names are matched with and without the model's base prefix. Every parameter must be found
/// with the configured shape and every checkpoint tensor must be used (apart from tied weights
/// and known buffers), otherwise a typed error lists all offending names at once.
public enum WeightLoader {
  /// How a stored tensor may be transformed on the way in (GGUF's permuted q/k rows).
  public typealias Transform = (_ name: String, _ tensor: Tensor) -> Tensor

  /// Loads `archive` into `model`. `rename` maps checkpoint names to model names (GGUF);
  /// `allowMissing` lists parameters that may stay at their initial values (task heads).
  public static func load(
    _ archive: any TensorArchive, into model: any TransformerModel, rename: ((String) -> String?)? = nil,
    transform: Transform? = nil, allowMissing: Set<String> = []
  ) throws {
    let file = archive.url.path
    var available: [String: String] = [:]  // model name -> checkpoint name
    var unexpected: [String] = []
    let ignorable = Set(model.ignorableCheckpointNames)
    let prefix = model.basePrefix.map { $0 + "." }
    let store = model.parameters
    for stored in archive.tensorNames {
      var candidates: [String] = []
      if let rename {
        if let mapped = rename(stored) { candidates.append(mapped) }
      } else {
        candidates.append(stored)
        if let prefix {
          if stored.hasPrefix(prefix) { candidates.append(String(stored.dropFirst(prefix.count))) }
          candidates.append(prefix + stored)
        }
      }
      if let match = candidates.first(where: { store[$0] != nil }) {
        available[match] = stored
      } else if !candidates.contains(where: { ignorable.contains($0) }) && !ignorable.contains(stored) {
        unexpected.append(stored)
      }
    }
    let missing = store.names.filter { available[$0] == nil && !allowMissing.contains($0) }
    if !missing.isEmpty { throw ModelError.missingTensors(file: file, names: missing) }
    if !unexpected.isEmpty { throw ModelError.unexpectedTensors(file: file, names: unexpected) }
    for parameter in store.parameters {
      guard let stored = available[parameter.name] else { continue }
      let shape = try archive.shape(of: stored)
      // Tensors such as final_logits_bias [1, V] load into [V] when the element count matches.
      guard
        shape == parameter.value.shape
          || shape.reduce(1, *) == parameter.value.count
            && shape.filter({ $0 != 1 }) == parameter.value.shape.filter({ $0 != 1 })
      else {
        throw ModelError.shapeMismatch(file: file, name: stored, expected: parameter.value.shape, found: shape)
      }
      var tensor = try archive.tensor(stored)
      if let transform { tensor = transform(parameter.name, tensor) }
      parameter.update { $0 = tensor.data }
    }
  }

  /// Writes every parameter to `directory/model.safetensors` and the configuration to
  /// `directory/config.json` (both atomically), the layout Hugging Face's `from_pretrained` reads.
  public static func save(
    _ model: any TransformerModel, to directory: URL, dtype: SafetensorsWriter.StoredType = .f32
  ) throws {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    var tensors: [String: Tensor] = [:]
    for parameter in model.parameters.parameters { tensors[parameter.name] = parameter.value.detached() }
    try SafetensorsWriter.write(
      tensors, metadata: ["format": "pt"], dtype: dtype, to: directory.appendingPathComponent("model.safetensors"))
    try AtomicFile.write([UInt8](try model.configJSON.jsonData()), to: directory.appendingPathComponent("config.json"))
  }
}
