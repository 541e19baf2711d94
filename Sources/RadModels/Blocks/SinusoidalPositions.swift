import Foundation
import RadTensor

/// Fixed sinusoidal position embeddings ("Attention Is All You Need"), laid out as Marian and
/// transformers' `MarianSinusoidalPositionalEmbedding` store them: for position p and
/// frequency index i < d/2, column i holds sin(p / 10000^(2i/d)) and column d/2 + i the matching
/// cosine. Nothing is learned; nearby positions get similar vectors at every scale.
public enum SinusoidalPositions {
  /// The [positions, width] table (width even).
  public static func table(positions: Int, width: Int) -> Tensor {
    precondition(width % 2 == 0, "sinusoidal positions need an even width, got \(width)")
    let half = width / 2
    var values = [Float](repeating: 0, count: positions * width)
    for p in 0..<positions {
      for i in 0..<half {
        let angle = Double(p) / Foundation.pow(10_000, Double(2 * i) / Double(width))
        values[p * width + i] = Float(Foundation.sin(angle))
        values[p * width + half + i] = Float(Foundation.cos(angle))
      }
    }
    return Tensor(shape: [positions, width], data: values)
  }
}
