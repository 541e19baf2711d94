/// The `ModelPictures` drawn as pixels for PNG output: the attention heat map as a grid of
/// cells and the embedding map as dots, in the colours and layout of the SVG versions. PNG
/// output carries no text (RadLM has no font rasteriser); the SVG versions are labelled.
extension ModelPictures {
  /// Heat map of `weights` [queries][keys]: one `cell`-pixel square per weight, grey grid lines.
  public static func attentionImage(weights: [[Float]], cell: Int = 16) -> RasterImage {
    let margin = 8
    let rows = weights.count
    let columns = weights.map(\.count).max() ?? 0
    var image = RasterImage(width: 2 * margin + columns * cell + 1, height: 2 * margin + rows * cell + 1)
    let grid: (UInt8, UInt8, UInt8) = (0xDD, 0xDD, 0xDD)
    for (q, row) in weights.enumerated() {
      for (k, weight) in row.enumerated() {
        let x = margin + k * cell, y = margin + q * cell
        image.fill(x: x, y: y, width: cell + 1, height: cell + 1, color: grid)
        image.fill(x: x + 1, y: y + 1, width: cell - 1, height: cell - 1, color: heatColor(weight))
      }
    }
    return image
  }

  /// Scatter plot of 2-D points in a `size`-pixel square, placed as in `scatterSVG`.
  public static func scatterImage(points: [(Double, Double)], size: Int = 640) -> RasterImage {
    var image = RasterImage(width: size, height: size)
    for (x, y) in plotCoordinates(points, size: Double(size), margin: 60) {
      image.fillDisc(cx: x, cy: y, radius: 4, color: (0x2A, 0x6F, 0xDB))
    }
    return image
  }
}
