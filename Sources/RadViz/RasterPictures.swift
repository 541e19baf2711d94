/// The `ModelPictures` drawn as pixels for PNG output: the attention heat map as a grid of
/// cells and the embedding map as dots, in the colours and layout of the SVG versions, labelled
/// like them in `RasterFont` (RadLM's own 5×7 pixel font; characters outside printable ASCII
/// show as a hollow box). Without labels or title the pictures are the bare grid or dots.
extension ModelPictures {
  /// Colour of the labels and titles.
  public static let inkColor: (UInt8, UInt8, UInt8) = (0x22, 0x22, 0x22)
  /// Longest label drawn in full; longer ones are cut and end in "~".
  public static let labelLimit = 24

  /// Heat map of `weights` [queries][keys]: one `cell`-pixel square per weight, grey grid lines,
  /// query tokens to the left of their rows, key tokens climbing above their columns, and the
  /// title on top.
  public static func attentionImage(
    weights: [[Float]], queryTokens: [String] = [], keyTokens: [String] = [], title: String? = nil, cell: Int = 16
  ) -> RasterImage {
    let margin = 8
    let gap = 4
    let rows = weights.count
    let columns = weights.map(\.count).max() ?? 0
    let queryLabels = queryTokens.map { RasterFont.clipped($0, to: labelLimit) }
    let keyLabels = keyTokens.map { RasterFont.clipped($0, to: labelLimit) }
    let left = margin + (queryLabels.isEmpty ? 0 : (queryLabels.map { RasterFont.length(of: $0) }.max() ?? 0) + gap)
    let titleHeight = title == nil ? 0 : RasterFont.glyphHeight + 2 * gap
    let top =
      margin + titleHeight + (keyLabels.isEmpty ? 0 : (keyLabels.map { RasterFont.length(of: $0) }.max() ?? 0) + gap)
    let titleWidth = title.map { 2 * margin + RasterFont.length(of: $0) } ?? 0
    var image = RasterImage(
      width: max(left + columns * cell + 1 + margin, titleWidth), height: top + rows * cell + 1 + margin)
    let grid: (UInt8, UInt8, UInt8) = (0xDD, 0xDD, 0xDD)
    for (q, row) in weights.enumerated() {
      for (k, weight) in row.enumerated() {
        let x = left + k * cell, y = top + q * cell
        image.fill(x: x, y: y, width: cell + 1, height: cell + 1, color: grid)
        image.fill(x: x + 1, y: y + 1, width: cell - 1, height: cell - 1, color: heatColor(weight))
      }
    }
    if let title { image.draw(text: title, x: margin, y: margin, color: inkColor) }
    // Labels centred on their row or column (the cell's inside starts one pixel past the grid line).
    let centring = 1 + (cell - 1 - RasterFont.glyphHeight) / 2
    for (q, label) in queryLabels.enumerated() {
      image.draw(
        text: label, x: left - gap - RasterFont.length(of: label), y: top + q * cell + centring, color: inkColor)
    }
    for (k, label) in keyLabels.enumerated() {
      image.draw(text: label, x: left + k * cell + centring, y: top - gap, color: inkColor, direction: .upward)
    }
    return image
  }

  /// Scatter plot of 2-D points in a `size`-pixel square, placed as in `scatterSVG`; each point's
  /// label to its right, and with a title also the axis names "PC 1" and "PC 2". Text is drawn
  /// at `textScale` (font pixels doubled by default: about the SVG's 12-pixel type).
  public static func scatterImage(
    points: [(Double, Double)], labels: [String] = [], title: String? = nil, size: Int = 640, textScale: Int = 2
  ) -> RasterImage {
    var image = RasterImage(width: size, height: size)
    let coordinates = plotCoordinates(points, size: Double(size), margin: 60)
    for (x, y) in coordinates {
      image.fillDisc(cx: x, cy: y, radius: 4, color: (0x2A, 0x6F, 0xDB))
    }
    let scale = textScale
    let textHeight = RasterFont.glyphHeight * scale
    for ((x, y), label) in zip(coordinates, labels) {
      let text = RasterFont.clipped(label, to: labelLimit)
      image.draw(
        text: text, x: Int(x.rounded()) + 7, y: Int(y.rounded()) - textHeight / 2, color: inkColor, scale: scale)
    }
    if let title {
      image.draw(text: title, x: 10, y: 10, color: inkColor, scale: scale)
      let axis = "PC 1", length = RasterFont.length(of: axis, scale: scale)
      image.draw(text: axis, x: (size - length) / 2, y: size - 10 - textHeight, color: inkColor, scale: scale)
      image.draw(text: "PC 2", x: 10, y: (size + length) / 2, color: inkColor, scale: scale, direction: .upward)
    }
    return image
  }
}
