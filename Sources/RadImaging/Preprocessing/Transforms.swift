import Foundation

extension Image {
  /// The central `rows` × `columns` region, as torchvision's `center_crop`: the offsets are
  /// `round((size − crop) / 2)` with Python's round-half-to-even, and an image smaller than the
  /// crop is first padded with zeros (`(crop − size) / 2` before, the rest after).
  public func centerCropped(rows cropRows: Int, columns cropColumns: Int) throws -> Image {
    guard cropRows > 0, cropColumns > 0 else { throw ImageError.invalidArgument("crop \(cropRows)×\(cropColumns)") }
    var source = self
    if cropRows > rows || cropColumns > columns {
      let top = cropRows > rows ? (cropRows - rows) / 2 : 0
      let left = cropColumns > columns ? (cropColumns - columns) / 2 : 0
      let bottom = cropRows > rows ? (cropRows - rows + 1) / 2 : 0
      let right = cropColumns > columns ? (cropColumns - columns + 1) / 2 : 0
      source = try padded(top: top, left: left, bottom: bottom, right: right)
      if source.rows == cropRows && source.columns == cropColumns { return source }
    }
    let top = Int((Double(source.rows - cropRows) / 2).rounded(.toNearestOrEven))
    let left = Int((Double(source.columns - cropColumns) / 2).rounded(.toNearestOrEven))
    return try source.cropped(top: top, left: left, rows: cropRows, columns: cropColumns)
  }

  /// The `rows` × `columns` region whose top-left pixel is (`top`, `left`).
  public func cropped(top: Int, left: Int, rows cropRows: Int, columns cropColumns: Int) throws -> Image {
    guard top >= 0, left >= 0, cropRows > 0, cropColumns > 0, top + cropRows <= rows, left + cropColumns <= columns
    else {
      throw ImageError.invalidArgument("crop \(cropRows)×\(cropColumns) at (\(top), \(left)) of \(rows)×\(columns)")
    }
    var out: [Float] = []
    out.reserveCapacity(frames * cropRows * cropColumns * channels)
    for frame in 0..<frames {
      for r in top..<(top + cropRows) {
        let start = ((frame * rows + r) * columns + left) * channels
        out += pixels[start..<(start + cropColumns * channels)]
      }
    }
    return try Image(
      rows: cropRows, columns: cropColumns, channels: channels, frames: frames, pixels: out, metadata: metadata)
  }

  /// The image with `value`-filled borders of the given widths.
  public func padded(top: Int, left: Int, bottom: Int, right: Int, value: Float = 0) throws -> Image {
    guard top >= 0, left >= 0, bottom >= 0, right >= 0 else { throw ImageError.invalidArgument("negative padding") }
    let newRows = rows + top + bottom
    let newColumns = columns + left + right
    var out = [Float](repeating: value, count: frames * newRows * newColumns * channels)
    for frame in 0..<frames {
      for r in 0..<rows {
        let from = ((frame * rows + r) * columns) * channels
        let to = ((frame * newRows + r + top) * newColumns + left) * channels
        out.replaceSubrange(to..<(to + columns * channels), with: pixels[from..<(from + columns * channels)])
      }
    }
    return try Image(
      rows: newRows, columns: newColumns, channels: channels, frames: frames, pixels: out, metadata: metadata)
  }

  /// The image padded with `value` to a square of its longer side, centred (the extra pixel of
  /// an odd difference goes after), so resizing keeps the anatomy's aspect ratio.
  public func paddedToSquare(value: Float = 0) throws -> Image {
    let side = max(rows, columns)
    return try padded(
      top: (side - rows) / 2, left: (side - columns) / 2, bottom: side - rows - (side - rows) / 2,
      right: side - columns - (side - columns) / 2, value: value)
  }

  /// Raw sample values divided by `metadata.maximumSampleValue` (torchvision's `ToTensor` for
  /// 8-bit images), or by `maximum` when given.
  public func scaledToUnit(maximum: Double? = nil) throws -> Image {
    guard let scale = maximum ?? metadata.maximumSampleValue, scale > 0 else {
      throw ImageError.invalidArgument("no maximum sample value to scale by")
    }
    var out = self
    let factor = Float(scale)
    out.pixels = pixels.map { $0 / factor }
    out.metadata.maximumSampleValue = 1
    return out
  }

  /// `(x − mean[c]) / std[c]` per channel (torchvision's `normalize`); one value applies to all.
  public func normalized(mean: [Float], std: [Float]) throws -> Image {
    guard mean.count == 1 || mean.count == channels, std.count == mean.count, std.allSatisfy({ $0 != 0 }) else {
      throw ImageError.invalidArgument("mean/std of \(mean.count)/\(std.count) values for \(channels) channels")
    }
    var out = self
    for i in 0..<pixels.count {
      let c = mean.count == 1 ? 0 : i % channels
      out.pixels[i] = (pixels[i] - mean[c]) / std[c]
    }
    return out
  }

  /// Three channels: grey repeated, RGB kept; an alpha channel is dropped.
  public func threeChannels() throws -> Image {
    guard channels != 3 else { return self }
    let plane = frames * rows * columns
    var out = [Float](repeating: 0, count: plane * 3)
    for p in 0..<plane {
      for c in 0..<3 { out[p * 3 + c] = channels >= 3 ? pixels[p * channels + c] : pixels[p * channels] }
    }
    var metadata = metadata
    metadata.photometric = "RGB"
    return try Image(rows: rows, columns: columns, channels: 3, frames: frames, pixels: out, metadata: metadata)
  }

  /// The image mirrored left to right.
  public func flippedHorizontally() -> Image {
    var out = self
    for frame in 0..<frames {
      for r in 0..<rows {
        for x in 0..<columns {
          for c in 0..<channels {
            out.pixels[((frame * rows + r) * columns + x) * channels + c] =
              pixels[((frame * rows + r) * columns + (columns - 1 - x)) * channels + c]
          }
        }
      }
    }
    return out
  }

  /// The image rotated by `degrees` counter-clockwise about its centre with bilinear sampling;
  /// pixels from outside the image take `fill`.
  public func rotated(degrees: Double, fill: Float = 0) -> Image {
    let angle = degrees * Double.pi / 180
    let cosine = cos(angle)
    let sine = sin(angle)
    let cy = Double(rows - 1) / 2
    let cx = Double(columns - 1) / 2
    var out = self
    for frame in 0..<frames {
      for r in 0..<rows {
        for x in 0..<columns {
          // Inverse mapping: the source point that lands on (r, x).
          let dx = Double(x) - cx
          let dy = Double(r) - cy
          let sx = cosine * dx - sine * dy + cx
          let sy = sine * dx + cosine * dy + cy
          for c in 0..<channels {
            out.pixels[((frame * rows + r) * columns + x) * channels + c] = sample(frame, sy, sx, c, fill: fill)
          }
        }
      }
    }
    return out
  }

  /// Bilinear sample at a fractional position; `fill` outside.
  func sample(_ frame: Int, _ y: Double, _ x: Double, _ c: Int, fill: Float) -> Float {
    let y0 = Int(y.rounded(.down))
    let x0 = Int(x.rounded(.down))
    let fy = Float(y - Double(y0))
    let fx = Float(x - Double(x0))
    func at(_ r: Int, _ col: Int) -> Float {
      guard r >= 0, r < rows, col >= 0, col < columns else { return fill }
      return pixels[((frame * rows + r) * columns + col) * channels + c]
    }
    let top = at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx
    let bottom = at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx
    return top * (1 - fy) + bottom * fy
  }
}
