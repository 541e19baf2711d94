import Foundation
import RadModelFiles
import RadTensor

/// Builds a Llama-family model from a llama.cpp GGUF file: the hyper-parameters come from the
/// `llama.*` metadata, tensor names are mapped to Hugging Face's (`blk.0.attn_q.weight` →
/// `model.layers.0.self_attn.q_proj.weight`), weights are dequantised to F32, and the q/k rows
/// that llama.cpp's converter permuted for its RoPE pairing are un-permuted exactly as
/// transformers does, so the model runs with Hugging Face's rotate-half RoPE. Scaled RoPE comes
/// from `GGUFLlamaRopeScaling` (a rope_freqs tensor or rope.scaling keys).
public enum GGUFLlamaLoader {
  /// The configuration the GGUF metadata describes.
  public static func configuration(_ file: GGUFFile) throws -> LlamaConfiguration {
    let path = file.url.path
    let architecture = file["general.architecture"]?.stringValue ?? "(missing)"
    guard architecture == "llama" || architecture == "qwen2" else {
      throw ModelError.invalidConfig(
        file: path, field: "general.architecture",
        reason: "is \"\(architecture)\"; only llama and qwen2 GGUF files are supported")
    }
    func int(_ key: String) throws -> Int {
      guard let value = file["\(architecture).\(key)"]?.intValue else {
        throw ModelError.invalidConfig(
          file: path, field: "\(architecture).\(key)", reason: "is missing or not an integer")
      }
      return value
    }
    func double(_ key: String, _ fallback: Double) -> Double { file["\(architecture).\(key)"]?.doubleValue ?? fallback }
    let width = try int("embedding_length")
    let heads = try int("attention.head_count")
    let vocabulary = try file.info("token_embd.weight").shape[0]
    let hasOutput = file.tensorNames.contains("output.weight")
    var config = LlamaConfiguration(
      vocabularySize: vocabulary, width: width, intermediateWidth: try int("feed_forward_length"),
      layers: try int("block_count"), heads: heads,
      kvHeads: file["\(architecture).attention.head_count_kv"]?.intValue ?? heads,
      headDim: file["\(architecture).attention.key_length"]?.intValue ?? width / heads,
      rmsNormEps: Float(double("attention.layer_norm_rms_epsilon", 1e-5)),
      ropeTheta: double("rope.freq_base", 10_000), maxPositions: try int("context_length"),
      tieWordEmbeddings: !hasOutput, qkvBias: architecture == "qwen2")
    config.modelType = architecture
    config.ropeScaling = try GGUFLlamaRopeScaling.read(file, architecture: architecture, headDim: config.headDim)
    config.bosTokenId = file["tokenizer.ggml.bos_token_id"]?.intValue
    config.eosTokenIds = file["tokenizer.ggml.eos_token_id"]?.intValue.map { [$0] } ?? []
    return config
  }

  /// llama.cpp's names of the model-wide tensors and their Hugging Face names.
  static let globalNames = [
    "token_embd.weight": "model.embed_tokens.weight", "output_norm.weight": "model.norm.weight",
    "output.weight": "lm_head.weight",
  ]

  /// llama.cpp's names of one block's tensors (`blk.N.` + key) and Hugging Face's
  /// (`model.layers.N.` + value).
  static let layerNames = [
    "attn_norm.weight": "input_layernorm.weight", "ffn_norm.weight": "post_attention_layernorm.weight",
    "attn_q.weight": "self_attn.q_proj.weight", "attn_k.weight": "self_attn.k_proj.weight",
    "attn_v.weight": "self_attn.v_proj.weight", "attn_output.weight": "self_attn.o_proj.weight",
    "attn_q.bias": "self_attn.q_proj.bias", "attn_k.bias": "self_attn.k_proj.bias",
    "attn_v.bias": "self_attn.v_proj.bias",
    "ffn_gate.weight": "mlp.gate_proj.weight", "ffn_up.weight": "mlp.up_proj.weight",
    "ffn_down.weight": "mlp.down_proj.weight",
  ]

  /// Hugging Face name of a GGUF tensor, or nil for tensors with no counterpart.
  public static func huggingFaceName(_ name: String) -> String? {
    if let mapped = globalNames[name] { return mapped }
    let parts = name.split(separator: ".", maxSplits: 2).map(String.init)
    guard parts.count == 3, parts[0] == "blk", let layer = Int(parts[1]), let suffix = layerNames[parts[2]] else {
      return nil
    }
    return "model.layers.\(layer).\(suffix)"
  }

  /// GGUF name of a Hugging Face tensor (the inverse of `huggingFaceName`), or nil.
  public static func ggufName(_ name: String) -> String? {
    if let mapped = globalNames.first(where: { $0.value == name })?.key { return mapped }
    let parts = name.split(separator: ".", maxSplits: 3).map(String.init)
    guard parts.count == 4, parts[0] == "model", parts[1] == "layers", let layer = Int(parts[2]),
      let suffix = layerNames.first(where: { $0.value == parts[3] })?.key
    else { return nil }
    return "blk.\(layer).\(suffix)"
  }

  /// Whether llama.cpp stores this architecture's q/k rows permuted for its interleaved RoPE
  /// (llama does; Qwen2 already uses rotate-half).
  static func permutesQueryKey(_ architecture: String) -> Bool { architecture == "llama" }

  /// Loads the model (F32 weights). With `keepPermuted` the q/k rows stay in GGUF order and the
  /// model uses interleaved RoPE instead (same outputs; used to show the two layouts agree).
  public static func load(_ file: GGUFFile, keepPermuted: Bool = false) throws -> LlamaModel {
    var config = try configuration(file)
    // llama.cpp permutes q/k only for the llama architecture (Qwen2 already uses rotate-half).
    let permuted = permutesQueryKey(config.modelType)
    config.interleavedRotary = keepPermuted && permuted
    let model = WeightInitialization.deferred { LlamaModel(config: config) }
    let heads = config.heads
    let kvHeads = config.kvHeads
    // rope_freqs.weight is no parameter: `configuration` has read it into the RoPE scaling.
    let weights = WeightsWithoutFrequencyFactors(file: file)
    try WeightLoader.load(weights, into: model, rename: huggingFaceName) { name, tensor in
      guard permuted, !keepPermuted else { return tensor }
      if name.hasSuffix("q_proj.weight") || name.hasSuffix("q_proj.bias") {
        return RotaryEmbedding.unpermuteGGUF(tensor.rank == 1 ? tensor.reshaped([-1, 1]) : tensor, heads: heads)
      }
      if name.hasSuffix("k_proj.weight") || name.hasSuffix("k_proj.bias") {
        return RotaryEmbedding.unpermuteGGUF(tensor.rank == 1 ? tensor.reshaped([-1, 1]) : tensor, heads: kvHeads)
      }
      return tensor
    }
    return model
  }

  public static func load(url: URL, keepPermuted: Bool = false) throws -> LlamaModel {
    try load(try GGUFFile(url: url), keepPermuted: keepPermuted)
  }
}

/// The GGUF file's tensors apart from llama.cpp's `rope_freqs.weight`, which describes the RoPE
/// scaling rather than a weight.
private final class WeightsWithoutFrequencyFactors: TensorArchive {
  let file: GGUFFile
  init(file: GGUFFile) { self.file = file }
  var url: URL { file.url }
  var tensorNames: [String] { file.tensorNames.filter { $0 != GGUFLlamaRopeScaling.frequencyTensorName } }
  func storedTypeName(of name: String) throws -> String { try file.storedTypeName(of: name) }
  func shape(of name: String) throws -> [Int] { try file.shape(of: name) }
  func tensor(_ name: String) throws -> Tensor { try file.tensor(name) }
}
