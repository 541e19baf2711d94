import RadImaging

/// A white RGB canvas of whole pixels that the PNG pictures are painted on: filled rectangles
/// and discs are all the heat map and the scatter plot need. `png` encodes it with `PNGEncoder`.
public struct RasterImage: Sendable {
  public let width: Int
  public let height: Int
  /// 3 bytes per pixel, row by row, top row first.
  public private(set) var rgb: [UInt8]

  public init(width: Int, height: Int) {
    self.width = width
    self.height = height
    rgb = [UInt8](repeating: 255, count: width * height * 3)
  }

  public func pixel(x: Int, y: Int) -> (UInt8, UInt8, UInt8) {
    let i = (y * width + x) * 3
    return (rgb[i], rgb[i + 1], rgb[i + 2])
  }

  /// Paints the pixels x ∈ [x0, x0+w), y ∈ [y0, y0+h), clipped to the canvas.
  public mutating func fill(x x0: Int, y y0: Int, width w: Int, height h: Int, color: (UInt8, UInt8, UInt8)) {
    let (top, bottom) = (max(y0, 0), min(y0 + h, height))
    let (left, right) = (max(x0, 0), min(x0 + w, width))
    guard top < bottom, left < right else { return }
    for y in top..<bottom {
      for x in left..<right {
        let i = (y * width + x) * 3
        rgb[i] = color.0
        rgb[i + 1] = color.1
        rgb[i + 2] = color.2
      }
    }
  }

  /// Paints the pixels whose centres lie within `radius` of (cx, cy).
  public mutating func fillDisc(cx: Double, cy: Double, radius: Double, color: (UInt8, UInt8, UInt8)) {
    let top = Int((cy - radius).rounded(.down)), bottom = Int((cy + radius).rounded(.up))
    let left = Int((cx - radius).rounded(.down)), right = Int((cx + radius).rounded(.up))
    for y in top...bottom where y >= 0 && y < height {
      for x in left...right where x >= 0 && x < width {
        let dx = Double(x) + 0.5 - cx, dy = Double(y) + 0.5 - cy
        if dx * dx + dy * dy <= radius * radius { fill(x: x, y: y, width: 1, height: 1, color: color) }
      }
    }
  }

  /// The image as PNG bytes.
  public var png: [UInt8] { PNGEncoder.encode(width: width, height: height, rgb: rgb) }
}
