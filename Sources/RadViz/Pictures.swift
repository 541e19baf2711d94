import Foundation

/// SVG pictures of what a transformer computes, for the primer's readers: a heat map of one
/// head's attention weights (row = query token, column = key token, darker = more attention)
/// and a labelled 2-D map of embeddings projected on their first two principal components.
/// (RasterPictures.swift draws the same pictures as PNG.)
public enum ModelPictures {
  /// Escapes text for SVG/XML (see `Markup.escape`).
  public static func escape(_ text: String) -> String { Markup.escape(text) }

  /// Heat map of `weights` [queries][keys] with token labels.
  public static func attentionSVG(weights: [[Float]], queryTokens: [String], keyTokens: [String], title: String)
    -> String
  {
    let cell = 22
    let labelWidth = 12 + 7 * max(queryTokens.map(\.count).max() ?? 1, 4)
    let labelHeight = 12 + 7 * max(keyTokens.map(\.count).max() ?? 1, 4)
    let width = labelWidth + cell * keyTokens.count + 20
    let height = 30 + labelHeight + cell * queryTokens.count + 20
    var svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" font-family=\"monospace\" font-size=\"11\">\n"
    svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    svg += "<text x=\"10\" y=\"18\" font-size=\"13\">\(escape(title))</text>\n"
    let top = 30 + labelHeight
    for (k, token) in keyTokens.enumerated() {
      let x = labelWidth + k * cell + cell / 2 + 4
      svg += "<text transform=\"translate(\(x),\(top - 6)) rotate(-90)\">\(escape(token))</text>\n"
    }
    for (q, token) in queryTokens.enumerated() {
      let y = top + q * cell
      svg += "<text x=\"\(labelWidth - 6)\" y=\"\(y + cell / 2 + 4)\" text-anchor=\"end\">\(escape(token))</text>\n"
      for (k, weight) in weights[q].enumerated() {
        let (red, green, blue) = heatColor(weight)
        svg +=
          "<rect x=\"\(labelWidth + k * cell)\" y=\"\(y)\" width=\"\(cell)\" height=\"\(cell)\" fill=\"rgb(\(red),\(green),\(blue))\" stroke=\"#ddd\"><title>\(escape(token)) → \(escape(keyTokens[k])): \(String(format: "%.3f", weight))</title></rect>\n"
      }
    }
    return svg + "</svg>\n"
  }

  /// The colour of an attention weight: white at 0, pure blue at 1.
  public static func heatColor(_ weight: Float) -> (UInt8, UInt8, UInt8) {
    let shade = UInt8(Int((1 - min(max(weight, 0), 1)) * 255))
    return (shade, shade, 255)
  }

  /// Picture coordinates of 2-D points scaled into a `size`×`size` square with `margin` (y up).
  public static func plotCoordinates(_ points: [(Double, Double)], size: Double, margin: Double) -> [(Double, Double)] {
    let xs = points.map(\.0)
    let ys = points.map(\.1)
    let (minX, maxX) = (xs.min() ?? 0, xs.max() ?? 1)
    let (minY, maxY) = (ys.min() ?? 0, ys.max() ?? 1)
    return points.map { x, y in
      (
        margin + (x - minX) / max(maxX - minX, 1e-12) * (size - 2 * margin),
        size - margin - (y - minY) / max(maxY - minY, 1e-12) * (size - 2 * margin)
      )
    }
  }

  /// The first two principal components of `vectors` (rows), by power iteration on the
  /// covariance matrix with deflation; returns one (x, y) per vector.
  public static func principalComponents(_ vectors: [[Float]], iterations: Int = 200) -> [(Double, Double)] {
    guard let dimension = vectors.first?.count, vectors.count > 1 else { return vectors.map { _ in (0, 0) } }
    let n = Double(vectors.count)
    var mean = [Double](repeating: 0, count: dimension)
    for v in vectors { for i in 0..<dimension { mean[i] += Double(v[i]) / n } }
    let centred = vectors.map { v in (0..<dimension).map { Double(v[$0]) - mean[$0] } }
    // Covariance-vector products without forming the d×d matrix: C·u = Xᵀ(X·u)/n.
    func multiply(_ u: [Double]) -> [Double] {
      var out = [Double](repeating: 0, count: dimension)
      for row in centred {
        var dot = 0.0
        for i in 0..<dimension { dot += row[i] * u[i] }
        for i in 0..<dimension { out[i] += row[i] * dot / n }
      }
      return out
    }
    var components: [[Double]] = []
    for c in 0..<2 {
      var u = (0..<dimension).map { i in Double((i * 7919 + c * 104_729) % 97) / 97 - 0.5 }
      for _ in 0..<iterations {
        var next = multiply(u)
        for previous in components {
          let dot = zip(next, previous).reduce(0) { $0 + $1.0 * $1.1 }
          for i in 0..<dimension { next[i] -= dot * previous[i] }
        }
        let norm = next.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0 else { break }
        u = next.map { $0 / norm }
      }
      components.append(u)
    }
    return centred.map { row in
      (zip(row, components[0]).reduce(0) { $0 + $1.0 * $1.1 }, zip(row, components[1]).reduce(0) { $0 + $1.0 * $1.1 })
    }
  }

  /// Labelled scatter plot of 2-D points.
  public static func scatterSVG(points: [(Double, Double)], labels: [String], title: String) -> String {
    let size = 640.0
    let margin = 60.0
    var svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(size))\" height=\"\(Int(size))\" font-family=\"sans-serif\" font-size=\"12\">\n"
    svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    svg += "<text x=\"10\" y=\"20\" font-size=\"14\">\(escape(title))</text>\n"
    svg += "<text x=\"\(Int(size / 2))\" y=\"\(Int(size - 10))\" text-anchor=\"middle\">PC 1</text>\n"
    svg += "<text transform=\"translate(16,\(Int(size / 2))) rotate(-90)\" text-anchor=\"middle\">PC 2</text>\n"
    for ((x, y), label) in zip(plotCoordinates(points, size: size, margin: margin), labels) {
      svg +=
        "<circle cx=\"\(String(format: "%.1f", x))\" cy=\"\(String(format: "%.1f", y))\" r=\"3.5\" fill=\"#2a6fdb\"/>"
      svg +=
        "<text x=\"\(String(format: "%.1f", x + 6))\" y=\"\(String(format: "%.1f", y + 4))\">\(escape(label))</text>\n"
    }
    return svg + "</svg>\n"
  }
}
