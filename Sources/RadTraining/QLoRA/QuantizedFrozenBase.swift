import Foundation
import RadModels
import RadTensor

/// QLoRA's frozen base layer: the weight W [out, in] stays in its GGUF-style quantised blocks
/// (Q4_1 or Q8_0) and no F32 copy is kept. The forward product x·Wᵀ and the input gradient
/// dy·W dequantise W only for the duration of one product, so the resident base costs about 6
/// (Q4_1) or 9 (Q8_0) bits per weight (`QuantizedMatrix` keeps block scales as F32) instead of 32;
/// W itself never receives a gradient.
public final class QuantizedFrozenBase: FrozenLinearBase, @unchecked Sendable {
  public let matrix: QuantizedMatrix

  public init(matrix: QuantizedMatrix) { self.matrix = matrix }

  public func product(_ x: Tensor) -> Tensor {
    let matrix = matrix
    let columns = matrix.columns
    let rows = matrix.rows
    let m = x.count / columns
    // F32 products on the decoded rows, so training sees exactly the weights the blocks stand
    // for. (The quantised dot kernels serve decoding through `Linear`'s quantised slot instead;
    // tried here, they moved LoRA gradients by ~1e-3 relative, fine for inference only.)
    let values = Autograd.inferenceMode {
      Tensor(shape: [m, columns], data: x.data).matmul(matrix.dequantized(), transposeOther: true).data
    }
    return Tensor.differentiable(shape: Array(x.shape.dropLast()) + [rows], data: values, input: x) { gradient in
      Autograd.inferenceMode { Tensor(shape: [m, rows], data: gradient).matmul(matrix.dequantized()).data }
    }
  }
}

/// Puts a model's linear layers on quantised frozen bases for QLoRA-style training: each layer
/// whose rows hold whole 32-weight blocks is quantised (GGUF blocks are used as stored when the
/// file has them in the requested format, see `ModelQuantizer`), computes through a
/// `QuantizedFrozenBase`, and has its F32 weight released. Attach LoRA adapters afterwards as usual.
public enum QuantizedLoRABase {
  /// What `freeze` did: matrices moved to blocks, the bytes those blocks occupy, the F32 bytes
  /// released, and the F32 parameter bytes that remain (embeddings, norms, layers left in F32).
  public struct Summary: Sendable, Equatable {
    public var matrices: Int
    public var quantizedBytes: Int
    public var releasedBytes: Int
    public var remainingFloatBytes: Int
  }

  @discardableResult
  public static func freeze(_ model: any TransformerModel, dtype: WeightDType, gguf: GGUFFile? = nil) throws -> Summary {
    guard dtype != .f32 else {
      return Summary(matrices: 0, quantizedBytes: 0, releasedBytes: 0, remainingFloatBytes: model.parameters.scalarCount * 4)
    }
    try ModelQuantizer.quantize(model, to: dtype, gguf: gguf)
    var layers: [String: LinearAdapterSlot] = [:]
    for case let (name, slot as LinearAdapterSlot) in model.parameters.attachments { layers[name] = slot }
    var summary = Summary(matrices: 0, quantizedBytes: 0, releasedBytes: 0, remainingFloatBytes: 0)
    for case let (name, slot as QuantizedWeightSlot) in model.parameters.attachments {
      guard let matrix = slot.matrix, let layer = layers[name] else { continue }
      layer.frozenBase = QuantizedFrozenBase(matrix: matrix)
      summary.matrices += 1
      summary.quantizedBytes += matrix.byteCount
      summary.releasedBytes += layer.weight.value.count * 4
      layer.weight.setTrainable(false)
      layer.weight.value = Tensor(shape: [0], data: [])
    }
    summary.remainingFloatBytes = model.parameters.scalarCount * 4
    // The allocator would otherwise keep the released pages for reuse (MemoryPolicy), and the
    // point of QLoRA is a smaller resident base.
    MemoryPolicy.returnFreeMemoryToTheSystem()
    return summary
  }

  /// The process's resident set size in bytes (Linux `/proc/self/status` VmRSS), if readable.
  public static func residentBytes() -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
      let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
      let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
    else { return nil }
    return kilobytes * 1024
  }
}
