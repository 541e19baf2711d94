import Foundation
import RadModelFiles
import RadTensor
import RadTokenizers

/// Writes a Llama-family model (llama, qwen2) as a llama.cpp GGUF file, as llama.cpp's
/// `convert_hf_to_gguf.py` lays it out: `general.*` and `<arch>.*` hyper-parameters, the
/// tokenizer as `tokenizer.ggml.*`, tensors under llama.cpp's names with q/k rows permuted for
/// its interleaved RoPE (llama only; the routine `GGUFLlamaLoader` undoes), matrices stored as
/// F32, F16, Q8_0 or Q4_1 and 1-D tensors (norms, biases) always as F32; scaled RoPE as
/// `GGUFLlamaRopeScaling` describes. `GGUFLlamaLoader` reads the file back to the same model.
public enum GGUFLlamaWriter {
  /// Stored precision of the matrices (`--dtype` of `radlm convert --to gguf`).
  public enum StoredType: String, Sendable, CaseIterable {
    // swift-format-ignore: AlwaysUseLowerCamelCase
    case f32, f16, q8_0, q4_1

    public var ggmlType: GGMLType {
      switch self {
      case .f32: return .f32
      case .f16: return .f16
      case .q8_0: return .q8_0
      case .q4_1: return .q4_1
      }
    }

    /// llama.cpp's `general.file_type` (LLAMA_FTYPE_ALL_F32, MOSTLY_F16, MOSTLY_Q8_0, MOSTLY_Q4_1).
    var fileType: UInt32 {
      switch self {
      case .f32: return 0
      case .f16: return 1
      case .q8_0: return 7
      case .q4_1: return 3
      }
    }
  }

  /// The GGUF file for `model` and `tokenizer`, ready to write.
  public static func makeWriter(
    _ model: LlamaModel, tokenizer: Tokenizer, chatTemplate: String? = nil, name: String? = nil,
    dtype: StoredType = .f32, destination: String = "(gguf)"
  ) throws -> GGUFWriter {
    let config = model.config
    let arch = config.modelType
    let ropeMetadata = try GGUFLlamaRopeScaling.metadata(
      config.ropeScaling, architecture: arch, destination: destination)
    var writer = GGUFWriter(destination: destination)
    writer.set("general.architecture", .string(arch))
    if let name { writer.set("general.name", .string(name)) }
    writer.set("\(arch).block_count", .uint32(UInt32(config.layers)))
    writer.set("\(arch).context_length", .uint32(UInt32(config.maxPositions)))
    writer.set("\(arch).embedding_length", .uint32(UInt32(config.width)))
    writer.set("\(arch).feed_forward_length", .uint32(UInt32(config.intermediateWidth)))
    writer.set("\(arch).attention.head_count", .uint32(UInt32(config.heads)))
    writer.set("\(arch).attention.head_count_kv", .uint32(UInt32(config.kvHeads)))
    writer.set("\(arch).rope.freq_base", .float32(Float(config.ropeTheta)))
    for (key, value) in ropeMetadata { writer.set(key, value) }
    writer.set("\(arch).attention.layer_norm_rms_epsilon", .float32(config.rmsNormEps))
    // convert_hf_to_gguf.py writes these whenever config.json has head_dim (transformers 5 always saves it).
    writer.set("\(arch).attention.key_length", .uint32(UInt32(config.headDim)))
    writer.set("\(arch).attention.value_length", .uint32(UInt32(config.headDim)))
    writer.set("general.file_type", .uint32(dtype.fileType))
    writer.set("\(arch).vocab_size", .uint32(UInt32(config.vocabularySize)))
    writer.set("\(arch).rope.dimension_count", .uint32(UInt32(config.headDim)))
    let special = GGUFVocabulary.SpecialTokens(
      bos: config.bosTokenId, eos: config.eosTokenIds.first, padding: config.padTokenId)
    let vocabulary: [(key: String, value: GGUFValue)]
    do { vocabulary = try GGUFVocabulary.metadata(for: tokenizer, special: special, chatTemplate: chatTemplate) } catch
    {
      throw ModelError.invalidConfig(file: destination, field: "tokenizer.ggml.*", reason: "\(error)")
    }
    for (key, value) in vocabulary { writer.set(key, value) }
    writer.set("general.quantization_version", .uint32(2))

    let unmapped = model.parameters.names.filter { GGUFLlamaLoader.ggufName($0) == nil }
    guard unmapped.isEmpty else { throw ModelError.unexpectedTensors(file: destination, names: unmapped) }
    // Llama 3.1 scaling travels as llama.cpp's per-frequency divisors, first as its converter writes them.
    if let factors = GGUFLlamaRopeScaling.frequencyFactors(
      config.ropeScaling, headDim: config.headDim, theta: config.ropeTheta)
    {
      try writer.addTensor(
        GGUFLlamaRopeScaling.frequencyTensorName, Tensor(shape: [factors.count], data: factors), as: .f32)
    }
    let permute = GGUFLlamaLoader.permutesQueryKey(arch)
    for parameter in model.parameters.parameters {
      let name = GGUFLlamaLoader.ggufName(parameter.name)!
      var tensor = parameter.value.detached()
      if permute, name.contains(".attn_q.") || name.contains(".attn_k.") {
        let heads = name.contains(".attn_q.") ? config.heads : config.kvHeads
        let shape = tensor.shape
        tensor = RotaryEmbedding.permuteGGUF(tensor.rank == 1 ? tensor.reshaped([-1, 1]) : tensor, heads: heads)
          .reshaped(shape)
      }
      // Like llama.cpp: vectors stay F32, and matrices whose rows are not whole blocks fall back to F16.
      var type = tensor.rank == 1 ? GGMLType.f32 : dtype.ggmlType
      if type.blockGeometry.weights > 1, (tensor.shape.last ?? 0) % type.blockGeometry.weights != 0 { type = .f16 }
      try writer.addTensor(name, tensor, as: type)
    }
    return writer
  }

  /// Writes the GGUF file to `url` (atomically).
  public static func write(
    _ model: LlamaModel, tokenizer: Tokenizer, chatTemplate: String? = nil, name: String? = nil,
    dtype: StoredType = .f32, to url: URL
  ) throws {
    try makeWriter(
      model, tokenizer: tokenizer, chatTemplate: chatTemplate, name: name, dtype: dtype, destination: url.path
    )
    .write(to: url)
  }
}
