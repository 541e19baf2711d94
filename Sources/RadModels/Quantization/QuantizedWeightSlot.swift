import RadModelFiles
import RadTensor

/// Holds the quantised form of one weight matrix (a Linear layer's, or a tied LM head's). The
/// quantised kernels serve single-token decoding (the memory-bound case) when no gradient is
/// being recorded; prompts of several tokens go through BLAS on the F32 weights, where the
/// arithmetic, not the memory traffic, dominates.
public final class QuantizedWeightSlot: @unchecked Sendable {
  public var matrix: QuantizedMatrix?
  /// Int8 rows as an int8 folder stored them (Int8WeightFormat); `--dtype q8` decodes with these
  /// rather than re-quantising the dequantised weights.
  public var stored: QuantizedMatrix?
  /// Inputs with at most this many rows use the quantised kernels.
  public static let maximumRows = 4

  public init() {}

  /// The quantised matrix if it should serve `x` [..., in].
  func matrix(for x: Tensor) -> QuantizedMatrix? {
    guard let matrix, !Autograd.isEnabled || !x.requiresGrad else { return nil }
    let rows = x.count / max(matrix.columns, 1)
    return rows <= Self.maximumRows && !Autograd.isEnabled ? matrix : nil
  }
}

/// Weight precision for inference: F32, or Q8_0 / Q4_1 blocks.
public enum WeightDType: String, Sendable, CaseIterable {
  case f32, q8, q4

  var format: QuantizedMatrix.Format? {
    switch self {
    case .f32: return nil
    case .q8: return .q8_0
    case .q4: return .q4_1
    }
  }
}

/// Quantises a model's linear layers (and a tied LM head) for decoding. From a GGUF file whose
/// tensors are already stored in the requested format the blocks are used as they are (q/k rows
/// reordered like the F32 weights); otherwise the F32 weights are quantised. Matrices whose rows
/// are not whole 32-weight blocks stay in F32.
public enum ModelQuantizer {
  /// Returns the number of matrices quantised and the bytes their blocks occupy.
  @discardableResult
  public static func quantize(_ model: any TransformerModel, to dtype: WeightDType, gguf: GGUFFile? = nil) throws -> (
    matrices: Int, bytes: Int
  ) {
    guard let format = dtype.format else {
      for case (_, let slot as QuantizedWeightSlot) in model.parameters.attachments { slot.matrix = nil }
      (model as? LlamaModel)?.quantizedHead.matrix = nil
      return (0, 0)
    }
    var ggufNames: [String: String] = [:]
    if let gguf {
      for name in gguf.tensorNames { if let hf = GGUFLlamaLoader.huggingFaceName(name) { ggufNames[hf] = name } }
    }
    let llama = model as? LlamaModel
    func make(_ weightName: String) throws -> QuantizedMatrix? {
      guard let parameter = model.parameters[weightName] else { return nil }
      // Rows must hold whole 32-weight blocks; other matrices stay in F32.
      let columns = layouts[weightName] == .inOut ? parameter.value.shape[0] : parameter.value.shape.last ?? 0
      guard columns % 32 == 0 else { return nil }
      if let gguf, let stored = ggufNames[weightName], let info = try? gguf.info(stored),
        usesStoredBlocks(info.type, for: dtype)
      {
        var matrix = try gguf.withRawBytes(of: stored) { raw, info in
          try QuantizedMatrix(ggufBlocks: raw, type: info.type, rows: info.shape[0], columns: info.shape[1])
        }
        if let llama, llama.config.modelType == "llama", !llama.config.interleavedRotary {
          if weightName.hasSuffix("q_proj.weight") { matrix = matrix.unpermutingGGUFRows(heads: llama.config.heads) }
          if weightName.hasSuffix("k_proj.weight") { matrix = matrix.unpermutingGGUFRows(heads: llama.config.kvHeads) }
        }
        return matrix
      }
      var weight = parameter.value.detached()
      if weight.rank == 2, let linearLayout = layouts[weightName], linearLayout == .inOut {
        weight = weight.transposed(0, 1)
      }
      return try QuantizedMatrix(quantizing: weight, format: format)
    }
    var layouts: [String: Linear.Layout] = [:]
    for case (_, let slot as LinearAdapterSlot) in model.parameters.attachments {
      layouts[slot.weight.name] = slot.weightIsOutIn ? .outIn : .inOut
    }
    var count = 0
    var bytes = 0
    for case (let name, let slot as QuantizedWeightSlot) in model.parameters.attachments {
      slot.matrix = format == .q8_0 && slot.stored != nil ? slot.stored : try make(name + ".weight")
      if let matrix = slot.matrix {
        count += 1
        bytes += matrix.byteCount
      }
    }
    if let llama, llama.config.tieWordEmbeddings {
      let head = llama.quantizedHead
      head.matrix = format == .q8_0 && head.stored != nil ? head.stored : try make("model.embed_tokens.weight")
      if let matrix = llama.quantizedHead.matrix {
        count += 1
        bytes += matrix.byteCount
      }
    }
    return (count, bytes)
  }
}

extension ModelQuantizer {
  /// Whether a GGUF tensor stored as `type` is used as stored for `dtype`: blocks in the requested
  /// format are; for q4, Q8_0 tensors (SmolLM2's token embedding) also stay as stored, as
  /// llama.cpp runs them, rather than losing precision. Other tensors are quantised from F32.
  public static func usesStoredBlocks(_ type: GGMLType, for dtype: WeightDType) -> Bool {
    switch dtype {
    case .f32: return false
    case .q8: return type == .q8_0
    case .q4: return type == .q4_1 || type == .q8_0
    }
  }
}

extension QuantizedMatrix {
  /// The same blocks with rows reordered from llama.cpp's q/k order to Hugging Face's (see
  /// `RotaryEmbedding.unpermuteGGUF`): whole rows move, so blocks stay intact.
  func unpermutingGGUFRows(heads: Int) -> QuantizedMatrix {
    let headDim = rows / heads
    let half = headDim / 2
    let valuesPerRow = values.count / rows
    let scalesPerRow = blocksPerRow
    let values = values.array, scales = scales.array, minimums = minimums.array
    var newValues = values
    var newScales = scales
    var newMinimums = minimums
    for h in 0..<heads {
      for i in 0..<half {
        for j in 0..<2 {
          let from = h * headDim + 2 * i + j
          let to = h * headDim + j * half + i
          for k in 0..<valuesPerRow { newValues[to * valuesPerRow + k] = values[from * valuesPerRow + k] }
          for k in 0..<scalesPerRow {
            newScales[to * scalesPerRow + k] = scales[from * scalesPerRow + k]
            if !minimums.isEmpty { newMinimums[to * scalesPerRow + k] = minimums[from * scalesPerRow + k] }
          }
        }
      }
    }
    return QuantizedMatrix(
      format: format, rows: rows, columns: columns, scales: newScales, minimums: newMinimums, values: newValues)
  }
}

extension ModelQuantizer {
  /// Bytes of weights one decode step reads: every matrix as it is held (quantised blocks with
  /// their F32 scales, or F32), the LM head once, and the norms; of the token embedding only one
  /// row is read, unless it doubles as the (tied) LM head.
  public static func decodeWeightBytes(_ model: any LanguageModel) -> Int {
    var quantised: [String: Int] = [:]
    for case (let name, let slot as QuantizedWeightSlot) in model.parameters.attachments {
      if let matrix = slot.matrix { quantised[name + ".weight"] = matrix.byteCount }
    }
    let llama = model as? LlamaModel
    var bytes = 0
    for name in model.parameters.names {
      guard let parameter = model.parameters[name] else { continue }
      let isEmbedding = name.hasSuffix("embed_tokens.weight") || name.hasSuffix("wte.weight")
      if isEmbedding, let llama, llama.config.tieWordEmbeddings {
        bytes += llama.quantizedHead.matrix?.byteCount ?? 4 * parameter.value.count
      } else if isEmbedding {
        bytes += 4 * (parameter.value.shape.last ?? 0)
      } else {
        bytes += quantised[name] ?? 4 * parameter.value.count
      }
    }
    return bytes
  }

  /// Bytes of keys and values (F32) that attention reads per cached position in one decode step.
  public static func kvCacheBytesPerPosition(_ model: any LanguageModel) -> Int {
    if let llama = model as? LlamaModel {
      return 2 * llama.config.layers * llama.config.kvHeads * llama.config.headDim * 4
    }
    let width = model.configJSON.optionalInt("hidden_size") ?? model.configJSON.optionalInt("n_embd") ?? 0
    return 2 * model.layerCount * width * 4
  }
}
