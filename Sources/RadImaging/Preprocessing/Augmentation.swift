import Foundation

/// A seeded random number generator (SplitMix64), so augmentations repeat exactly for a seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
  var state: UInt64
  public init(seed: UInt64) { state = seed }
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// Training-time augmentations for medical images, each drawn from a seeded generator:
/// random resized crop (torchvision's area/aspect sampling with ten attempts, then a centre
/// crop), horizontal flip only where the anatomy allows it (off by default: a flipped chest
/// X-ray puts the heart on the wrong side), a small rotation, and brightness/contrast jitter.
public struct ImageAugmentation: Sendable {
  /// Output size of the random resized crop (nil: no crop).
  public var cropSize: (rows: Int, columns: Int)?
  /// Fraction of the image area a crop covers.
  public var cropScale: ClosedRange<Double> = 0.08...1
  /// Aspect ratios (width / height) of crops, sampled log-uniformly.
  public var cropRatio: ClosedRange<Double> = (3.0 / 4)...(4.0 / 3)
  /// Probability of a horizontal flip; keep 0 for lateralised anatomy.
  public var horizontalFlipProbability: Double = 0
  /// Largest rotation in degrees either way.
  public var maximumRotation: Double = 0
  /// Brightness factor range around 1 (multiplies values).
  public var brightness: Double = 0
  /// Contrast factor range around 1 (scales about the mean).
  public var contrast: Double = 0

  public init(
    cropSize: (rows: Int, columns: Int)? = nil, horizontalFlipProbability: Double = 0, maximumRotation: Double = 0,
    brightness: Double = 0, contrast: Double = 0
  ) {
    self.cropSize = cropSize
    self.horizontalFlipProbability = horizontalFlipProbability
    self.maximumRotation = maximumRotation
    self.brightness = brightness
    self.contrast = contrast
  }

  /// `image` augmented with values drawn from `generator`.
  public func apply(to image: Image, using generator: inout SeededGenerator) throws -> Image {
    var out = image
    if let size = cropSize {
      let (top, left, height, width) = cropBox(rows: image.rows, columns: image.columns, using: &generator)
      out = try out.cropped(top: top, left: left, rows: height, columns: width)
        .resized(rows: size.rows, columns: size.columns, method: .bilinear, antialias: true)
    }
    if horizontalFlipProbability > 0, Double.random(in: 0..<1, using: &generator) < horizontalFlipProbability {
      out = out.flippedHorizontally()
    }
    if maximumRotation > 0 {
      out = out.rotated(degrees: Double.random(in: -maximumRotation...maximumRotation, using: &generator))
    }
    if brightness > 0 || contrast > 0 {
      let b = Float(Double.random(in: max(0, 1 - brightness)...(1 + brightness), using: &generator))
      let c = Float(Double.random(in: max(0, 1 - contrast)...(1 + contrast), using: &generator))
      let mean = out.pixels.reduce(0, +) / Float(max(out.pixels.count, 1))
      out.pixels = out.pixels.map { (($0 * b) - mean * b) * c + mean * b }
    }
    return out
  }

  /// torchvision's `RandomResizedCrop.get_params`: up to ten draws of an area fraction and a
  /// log-uniform aspect ratio that fit, else the whole image centre-cropped to the ratio range.
  public func cropBox(rows: Int, columns: Int, using generator: inout SeededGenerator)
    -> (top: Int, left: Int, rows: Int, columns: Int)
  {
    let area = Double(rows * columns)
    let logRatio = log(cropRatio.lowerBound)...log(cropRatio.upperBound)
    for _ in 0..<10 {
      let target = area * Double.random(in: cropScale, using: &generator)
      let ratio = exp(Double.random(in: logRatio, using: &generator))
      let width = Int((target * ratio).squareRoot().rounded())
      let height = Int((target / ratio).squareRoot().rounded())
      if width > 0, height > 0, width <= columns, height <= rows {
        let top = Int.random(in: 0...(rows - height), using: &generator)
        let left = Int.random(in: 0...(columns - width), using: &generator)
        return (top, left, height, width)
      }
    }
    let ratio = Double(columns) / Double(rows)
    var width = columns
    var height = rows
    if ratio < cropRatio.lowerBound {
      height = Int((Double(width) / cropRatio.lowerBound).rounded())
    } else if ratio > cropRatio.upperBound {
      width = Int((Double(height) * cropRatio.upperBound).rounded())
    }
    return ((rows - height) / 2, (columns - width) / 2, height, width)
  }
}
