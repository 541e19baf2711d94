/// How `Image.resized` computes each output pixel.
public enum ResizeMethod: String, Sendable, CaseIterable {
  /// Linear in each direction (triangle filter).
  case bilinear
  /// Cubic convolution (Keys; a = −0.5 when antialiased, −0.75 otherwise, as PyTorch).
  case bicubic
  /// Mean of the input pixels each output pixel covers (PyTorch's adaptive average pooling).
  case area
}

extension Image {
  /// The image resized to `rows` × `columns`, every frame and channel, as PyTorch's
  /// `interpolate(mode, align_corners=False, antialias=…)` computes it on float tensors (which
  /// torchvision's `resize(antialias=True)` calls): separable, width first, with the filter
  /// widened by the scale when shrinking so every input pixel contributes (antialiasing).
  public func resized(
    rows newRows: Int, columns newColumns: Int, method: ResizeMethod = .bilinear,
    antialias: Bool = true
  ) throws -> Image {
    guard newRows > 0, newColumns > 0, newRows <= 1 << 15, newColumns <= 1 << 15 else {
      throw ImageError.invalidArgument("resize to \(newRows)×\(newColumns)")
    }
    let horizontal = ResizeWeights(input: columns, output: newColumns, method: method, antialias: antialias)
    let vertical = ResizeWeights(input: rows, output: newRows, method: method, antialias: antialias)
    var out = [Float](repeating: 0, count: frames * newRows * newColumns * channels)
    var wide = [Float](repeating: 0, count: rows * newColumns * channels)
    for frame in 0..<frames {
      let base = frame * frameSize
      // Width first (PyTorch's order), skipped when unchanged.
      if newColumns == columns {
        for i in 0..<wide.count { wide[i] = pixels[base + i] }
      } else {
        for r in 0..<rows {
          let rowBase = base + r * columns * channels
          for x in 0..<newColumns {
            let (start, weights) = horizontal.taps[x]
            for c in 0..<channels {
              var sum: Float = 0
              for (k, w) in weights.enumerated() { sum += pixels[rowBase + (start + k) * channels + c] * w }
              wide[(r * newColumns + x) * channels + c] = sum
            }
          }
        }
      }
      let outBase = frame * newRows * newColumns * channels
      let stride = newColumns * channels
      if newRows == rows {
        for i in 0..<wide.count { out[outBase + i] = wide[i] }
      } else {
        for y in 0..<newRows {
          let (start, weights) = vertical.taps[y]
          for i in 0..<stride {
            var sum: Float = 0
            for (k, w) in weights.enumerated() { sum += wide[(start + k) * stride + i] * w }
            out[outBase + y * stride + i] = sum
          }
        }
      }
    }
    return try Image(
      rows: newRows, columns: newColumns, channels: channels, frames: frames, pixels: out, metadata: metadata)
  }

  /// torchvision's `resize(size=n)`: the shorter side becomes `shorterSide`, the longer
  /// `int(shorterSide * long / short)`.
  public func resized(shorterSide: Int, method: ResizeMethod = .bilinear, antialias: Bool = true) throws -> Image {
    guard shorterSide > 0 else { throw ImageError.invalidArgument("shorter side \(shorterSide)") }
    let short = min(rows, columns)
    let long = max(rows, columns)
    let newLong = Int(Double(shorterSide) * Double(long) / Double(short))
    return rows <= columns
      ? try resized(rows: shorterSide, columns: newLong, method: method, antialias: antialias)
      : try resized(rows: newLong, columns: shorterSide, method: method, antialias: antialias)
  }
}

/// For one axis, each output index's first input index and the weights of the inputs from
/// there: PyTorch's `_compute_indices_weights_aa` (antialiased), its linear/cubic source-index
/// rule with clamped taps (not antialiased), or adaptive pooling windows (area).
struct ResizeWeights {
  var taps: [(Int, [Float])] = []

  init(input: Int, output: Int, method: ResizeMethod, antialias: Bool) {
    let scale = Float(input) / Float(output)
    switch method {
    case .area:
      for i in 0..<output {
        let start = (i * input) / output
        let end = ((i + 1) * input + output - 1) / output
        taps.append((start, [Float](repeating: 1 / Float(end - start), count: end - start)))
      }
    case .bilinear where antialias, .bicubic where antialias:
      let interpSize: Float = method == .bilinear ? 2 : 4
      let support = scale >= 1 ? interpSize * 0.5 * scale : interpSize * 0.5
      let invScale: Float = scale >= 1 ? 1 / scale : 1
      for i in 0..<output {
        let center = scale * (Float(i) + 0.5)
        let xmin = max(Int(center - support + 0.5), 0)
        let xsize = min(Int(center + support + 0.5), input) - xmin
        var weights = (0..<max(xsize, 0)).map { j in
          ResizeWeights.filter((Float(j + xmin) - center + 0.5) * invScale, method: method)
        }
        let total = weights.reduce(0, +)
        if total != 0 { weights = weights.map { $0 / total } }
        taps.append((xmin, weights))
      }
    case .bilinear:
      for i in 0..<output {
        let source = max(scale * (Float(i) + 0.5) - 0.5, 0)
        let i0 = min(Int(source), input - 1)
        let i1 = min(i0 + 1, input - 1)
        let lambda1 = source - Float(i0)
        taps.append(i1 == i0 ? (i0, [1 - lambda1 + lambda1]) : (i0, [1 - lambda1, lambda1]))
      }
    case .bicubic:
      for i in 0..<output {
        let source = scale * (Float(i) + 0.5) - 0.5
        let floorIndex = Int(source.rounded(.down))
        let t = source - Float(floorIndex)
        let coefficients = ResizeWeights.cubicCoefficients(t, a: -0.75)
        // Taps are clamped to the image, so weights may land on the same pixel: expand them.
        var weights = [Float](repeating: 0, count: input)
        var lowest = input
        var highest = 0
        for k in 0..<4 {
          let index = min(max(floorIndex - 1 + k, 0), input - 1)
          weights[index] += coefficients[k]
          lowest = min(lowest, index)
          highest = max(highest, index)
        }
        taps.append((lowest, Array(weights[lowest...highest])))
      }
    }
  }

  /// The antialiasing filters: triangle, and Keys' cubic with a = −0.5.
  static func filter(_ x: Float, method: ResizeMethod) -> Float {
    let x = abs(x)
    if method == .bilinear { return x < 1 ? 1 - x : 0 }
    let a: Float = -0.5
    if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
    if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
    return 0
  }

  /// PyTorch's `get_cubic_upsample_coefficients`.
  static func cubicCoefficients(_ t: Float, a: Float) -> [Float] {
    func c1(_ x: Float) -> Float { ((a + 2) * x - (a + 3)) * x * x + 1 }
    func c2(_ x: Float) -> Float { ((a * x - 5 * a) * x + 8 * a) * x - 4 * a }
    return [c2(t + 1), c1(t), c1(1 - t), c2(2 - t)]
  }
}
