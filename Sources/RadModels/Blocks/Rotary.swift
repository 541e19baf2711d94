import Foundation
import RadTensor

/// Rotary position embedding settings of a model: the base of the angle frequencies
/// (`rope_theta`), how many features rotate, how the frequencies are rescaled for long contexts,
/// and which pairing the q/k weights were stored for. `angles(positions:)` builds the cos/sin
/// tables that `Tensor.rotaryEmbedding` applies.
public struct RotaryEmbedding: Sendable {
  public let headDim: Int
  public let base: Double
  /// Rotate-half (Hugging Face) or interleaved pairs (GGUF rows left permuted).
  public let interleaved: Bool
  public let scaling: RopeScaling
  /// inv_freq[i] = 1 / base^(2i/headDim), rounded to float as PyTorch computes it, then rescaled
  /// (for dynamic NTK: the table of sequences within the trained context).
  public let inverseFrequencies: [Float]
  /// What cos and sin are multiplied by (yarn and longrope; 1 otherwise), rounded to float as
  /// PyTorch multiplies a float32 table by a Python number.
  public let attentionFactor: Float

  public init(headDim: Int, base: Double, interleaved: Bool = false, scaling: RopeScaling = .none) {
    self.headDim = headDim
    self.base = base
    self.interleaved = interleaved
    self.scaling = scaling
    inverseFrequencies = scaling.inverseFrequencies(headDim: headDim, theta: base, length: 0)
    attentionFactor = Float(scaling.attentionFactor)
  }

  /// The inv_freq table used when the longest position is `length − 1`.
  public func inverseFrequencies(length: Int) -> [Float] {
    scaling.dependsOnLength
      ? scaling.inverseFrequencies(headDim: headDim, theta: base, length: length) : inverseFrequencies
  }

  /// cos/sin tables [tokens, headDim/2] for one list of positions, or [batch, tokens, headDim/2]
  /// when every row has its own positions. Dynamic NTK scaling sizes its table by the largest
  /// position of the call, as transformers does at each forward pass (longrope picks its factor
  /// list the same way). Every path that rotates queries and keys (the general forward, the
  /// one-token decode step, training) takes its tables from here, so each gets the attention factor.
  public func angles(positions: [[Int]]) -> (cos: Tensor, sin: Tensor) {
    let half = headDim / 2
    let inverseFrequencies = inverseFrequencies(length: (positions.lazy.compactMap { $0.max() }.max() ?? 0) + 1)
    let scale = attentionFactor
    let tokens = positions.first?.count ?? 0
    var cosValues = [Float](repeating: 0, count: positions.count * tokens * half)
    var sinValues = cosValues
    for (b, row) in positions.enumerated() {
      for (t, position) in row.enumerated() {
        for i in 0..<half {
          let angle = Float(position) * inverseFrequencies[i]
          cosValues[(b * tokens + t) * half + i] = Float(Foundation.cos(Double(angle))) * scale
          sinValues[(b * tokens + t) * half + i] = Float(Foundation.sin(Double(angle))) * scale
        }
      }
    }
    if positions.count == 1 {
      return (Tensor(shape: [tokens, half], data: cosValues), Tensor(shape: [tokens, half], data: sinValues))
    }
    return (
      Tensor(shape: [positions.count, tokens, half], data: cosValues),
      Tensor(shape: [positions.count, tokens, half], data: sinValues)
    )
  }

  /// Reorders the rows of a q or k projection weight ([heads·headDim, in]) from llama.cpp's
  /// interleaved layout back to Hugging Face's rotate-half layout (transformers' reverse_permute):
  /// within each head, rows (2i, 2i+1) become rows (i, i + headDim/2).
  public static func unpermuteGGUF(_ weight: Tensor, heads: Int) -> Tensor {
    moveRows(weight, heads: heads, fromInterleaved: true)
  }

  /// The inverse of `unpermuteGGUF` (what llama.cpp's converter does), used when writing GGUF and in tests.
  public static func permuteGGUF(_ weight: Tensor, heads: Int) -> Tensor {
    moveRows(weight, heads: heads, fromInterleaved: false)
  }

  /// Within each head, moves row 2i+j (interleaved) to row j·headDim/2 + i (halves), or back.
  static func moveRows(_ weight: Tensor, heads: Int, fromInterleaved: Bool) -> Tensor {
    let rows = weight.shape[0]
    let columns = weight.count / max(rows, 1)
    let headDim = rows / heads
    let half = headDim / 2
    var out = [Float](repeating: 0, count: weight.count)
    weight.data.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        for h in 0..<heads {
          for i in 0..<half {
            for j in 0..<2 {
              let interleaved = h * headDim + 2 * i + j
              let halves = h * headDim + j * half + i
              let (from, to) = fromInterleaved ? (interleaved, halves) : (halves, interleaved)
              (dst.baseAddress! + to * columns).update(from: src.baseAddress! + from * columns, count: columns)
            }
          }
        }
      }
    }
    return Tensor(shape: weight.shape, data: out)
  }
}
