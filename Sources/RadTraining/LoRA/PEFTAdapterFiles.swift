import Foundation
import RadModelFiles
import RadModels
import RadTensor

/// Saving, loading and merging LoRA adapters in PEFT's on-disk format: `adapter_config.json` and
/// `adapter_model.safetensors` whose keys are `base_model.model.<layer>.lora_A.weight` /
/// `.lora_B.weight`. The base model is named, not copied, so an adapter is a few megabytes.
extension LoRAAdapterSet {
  static let keyPrefix = "base_model.model."

  /// Writes the adapter folder (both files atomically).
  public func save(to directory: URL) throws {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    var tensors: [String: Tensor] = [:]
    for adapter in adapters {
      tensors["\(Self.keyPrefix)\(adapter.name).lora_A.weight"] = adapter.a.value.detached()
      tensors["\(Self.keyPrefix)\(adapter.name).lora_B.weight"] = adapter.b.value.detached()
    }
    try SafetensorsWriter.write(
      tensors, metadata: ["format": "pt"], to: directory.appendingPathComponent("adapter_model.safetensors"))
    let fanInFanOut = slots.values.contains { !$0.weightIsOutIn }
    let json = try JSONSerialization.data(
      withJSONObject: configuration.peftJSON(fanInFanOut: fanInFanOut), options: [.prettyPrinted, .sortedKeys])
    try AtomicFile.write(Array(json), to: directory.appendingPathComponent("adapter_config.json"))
  }

  /// Attaches the adapter saved in `directory` (by RadLM or PEFT) to the model whose parameters are
  /// `store`. Every tensor in the file must land on an adapted layer and every adapted layer must
  /// have both tensors.
  public convenience init(loading directory: URL, into store: ParameterStore) throws {
    let configURL = directory.appendingPathComponent("adapter_config.json")
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: Data(contentsOf: configURL))
    } catch {
      throw LoRAError.unsupported(file: configURL.path, reason: "cannot read JSON (\(error.localizedDescription))")
    }
    guard let dictionary = object as? [String: Any] else {
      throw LoRAError.unsupported(file: configURL.path, reason: "not a JSON object")
    }
    let configuration = try LoRAConfiguration(peftJSON: dictionary, file: configURL.path)
    try self.init(attachingTo: store, configuration: configuration, seed: 0)
    let weightsURL = directory.appendingPathComponent("adapter_model.safetensors")
    let file = try SafetensorsFile(url: weightsURL)
    var expected: Set<String> = []
    var missing: [String] = []
    for adapter in adapters {
      for (parameter, suffix) in [(adapter.a, "lora_A"), (adapter.b, "lora_B")] {
        let key = "\(Self.keyPrefix)\(adapter.name).\(suffix).weight"
        expected.insert(key)
        guard file.tensorNames.contains(key) else {
          missing.append(key)
          continue
        }
        let tensor = try file.tensor(key)
        guard tensor.shape == parameter.value.shape else {
          throw LoRAError.shapeMismatch(
            file: weightsURL.path, name: key, expected: parameter.value.shape, found: tensor.shape)
        }
        parameter.update { $0 = tensor.data }
      }
    }
    if !missing.isEmpty { throw LoRAError.missingWeights(file: weightsURL.path, names: missing) }
    let unexpected = file.tensorNames.filter { !expected.contains($0) }
    if !unexpected.isEmpty { throw LoRAError.unexpectedWeights(file: weightsURL.path, names: unexpected.sorted()) }
  }

  /// Folds every adapter into its base weight (W ← W + s·B·A), detaches the adapters and removes
  /// their parameters from `store`, leaving a plain model that computes the same logits.
  public func merge(removingFrom store: ParameterStore) {
    defer {
      store.remove(Set(adapters.flatMap { [$0.a.name, $0.b.name] }))
      for parameter in store.parameters { parameter.setTrainable(true) }
    }
    for adapter in adapters {
      guard let slot = slots[adapter.name] else { continue }
      let delta = adapter.weightDelta
      let update = slot.weightIsOutIn ? delta : Autograd.inferenceMode { delta.transposed(0, 1) }
      slot.weight.update { weights in weights = Kernels.zip(weights, update.data) { $0 + $1 } }
      slot.adapter = nil
    }
  }
}
