import Foundation
import RadModelFiles
import RadModels
import RadTensor

extension QuantizedLoRABase {
  /// Loads a llama.cpp GGUF file straight onto quantised frozen bases: the linear layers whose
  /// tensors the file stores in blocks `freeze` keeps as they are (see
  /// `ModelQuantizer.usesStoredBlocks`) are never dequantised to F32 (they wait as shared
  /// zero placeholders, see `WeightInitialization.deferred`, until `freeze` reads their blocks);
  /// the other tensors load in F32 as `GGUFLlamaLoader.load` loads them. The model is the one
  /// `GGUFLlamaLoader.load` followed by `freeze` gives, without the whole F32 model in memory
  /// on the way (SmolLM2 q4: peak resident ≈ 0.8 GB that way).
  public static func load(_ file: GGUFFile, dtype: WeightDType) throws -> (model: LlamaModel, summary: Summary) {
    guard dtype != .f32 else {
      let model = try GGUFLlamaLoader.load(file)
      return (model, try freeze(model, dtype: .f32))
    }
    let config = try GGUFLlamaLoader.configuration(file)
    let model = WeightInitialization.deferred { LlamaModel(config: config) }
    var kept: Set<String> = []  // Hugging Face names of the weights left to `freeze`
    var keptStored: Set<String> = []  // their GGUF names
    for case (let name, let slot as LinearAdapterSlot) in model.parameters.attachments {
      let weight = name + ".weight"
      guard let stored = GGUFLlamaLoader.ggufName(weight), let info = try? file.info(stored),
        ModelQuantizer.usesStoredBlocks(info.type, for: dtype), info.shape == slot.weight.value.shape
      else { continue }
      kept.insert(weight)
      keptStored.insert(stored)
    }
    // llama.cpp stores q/k rows permuted for its interleaved RoPE; put them (and their biases)
    // back in Hugging Face's order, as GGUFLlamaLoader does.
    let permuted = config.modelType == "llama"
    try WeightLoader.load(
      GGUFTensorsExcept(file: file, excluded: keptStored), into: model, rename: GGUFLlamaLoader.huggingFaceName,
      transform: { name, tensor in
        guard permuted else { return tensor }
        let heads =
          name.hasSuffix("q_proj.weight") || name.hasSuffix("q_proj.bias")
          ? config.heads
          : name.hasSuffix("k_proj.weight") || name.hasSuffix("k_proj.bias") ? config.kvHeads : nil
        guard let heads else { return tensor }
        return RotaryEmbedding.unpermuteGGUF(tensor.rank == 1 ? tensor.reshaped([-1, 1]) : tensor, heads: heads)
      }, allowMissing: kept)
    let summary = try freeze(model, dtype: dtype, gguf: file)
    // Every placeholder must now be a frozen base read from the file's blocks.
    var frozen: Set<String> = []
    for case (let name, let slot as LinearAdapterSlot) in model.parameters.attachments where slot.frozenBase != nil {
      frozen.insert(name + ".weight")
    }
    let unfrozen = kept.subtracting(frozen)
    guard unfrozen.isEmpty else { throw ModelError.missingTensors(file: file.url.path, names: unfrozen.sorted()) }
    return (model, summary)
  }
}

/// A GGUF file's tensors without `excluded` (the blocks QLoRA reads itself) and without tensors
/// that are not weights of the model (llama.cpp's rope_freqs, read by the configuration).
private final class GGUFTensorsExcept: TensorArchive, @unchecked Sendable {
  let file: GGUFFile
  let excluded: Set<String>
  init(file: GGUFFile, excluded: Set<String>) {
    self.file = file
    self.excluded = excluded
  }
  var url: URL { file.url }
  var tensorNames: [String] {
    file.tensorNames.filter { !excluded.contains($0) && GGUFLlamaLoader.huggingFaceName($0) != nil }
  }
  func storedTypeName(of name: String) throws -> String { try file.storedTypeName(of: name) }
  func shape(of name: String) throws -> [Int] { try file.shape(of: name) }
  func tensor(_ name: String) throws -> Tensor { try file.tensor(name) }
}
