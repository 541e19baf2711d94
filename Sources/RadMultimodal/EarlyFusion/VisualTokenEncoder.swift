import Foundation
import RadImaging
import RadModelFiles
import RadTensor
import RadVision

/// Which image encoder an early-fusion model uses and how images are prepared for it; stored in
/// the model folder's config.json under "vision_encoder".
public struct VisualEncoderConfiguration: Codable, Sendable, Equatable {
  /// "pixel-patches" (no weights: each patch's pixels are a token) or "efficientnet-lite0" (the
  /// head's 1280-wide feature map, one token per 32×32 region).
  public var type: String
  /// Images are resized to this side (pixels) before encoding.
  public var imageSize: Int
  /// Patch side for "pixel-patches".
  public var patchSize: Int?
  /// EfficientNet weights: a `.pth` path or the fetched name "efficientnet".
  public var weights: String?

  enum CodingKeys: String, CodingKey {
    case type
    case imageSize = "image_size"
    case patchSize = "patch_size"
    case weights
  }

  public init(type: String, imageSize: Int, patchSize: Int? = nil, weights: String? = nil) {
    self.type = type
    self.imageSize = imageSize
    self.patchSize = patchSize
    self.weights = weights
  }

  public static let encoderTypes = ["pixel-patches", "efficientnet-lite0"]
}

/// An image encoder whose output is a sequence of tokens rather than one vector: what an
/// early-fusion model projects into the language model's input space. Every token also carries
/// its patch's (row, column) position scaled to [−1, 1], so the projector knows where it lies.
public protocol VisualTokenEncoder: AnyObject, Sendable {
  var configuration: VisualEncoderConfiguration { get }
  /// Width of one token (features plus the two position values).
  var tokenWidth: Int { get }
  /// Tokens per image.
  var tokenCount: Int { get }
  /// The tokens [1, tokenCount, tokenWidth] of `image` (values as read from its file).
  func tokens(_ image: Image) throws -> Tensor
}

extension VisualTokenEncoder {
  /// The image as one grey plane of `side`² values in [0, 1].
  static func greyPlane(_ image: Image, side: Int) throws -> [Float] {
    var unit = try image.frame(0).scaledToUnit(maximum: image.metadata.maximumSampleValue ?? 255)
    if unit.channels > 1 {
      let (channels, plane) = (unit.channels, unit.rows * unit.columns)
      let colour = min(channels, 3)
      let grey = (0..<plane).map { p in
        (0..<colour).reduce(Float(0)) { $0 + unit.pixels[p * channels + $1] } / Float(colour)
      }
      unit = try Image(rows: unit.rows, columns: unit.columns, pixels: grey, metadata: unit.metadata)
    }
    if unit.rows != side || unit.columns != side { unit = try unit.resized(rows: side, columns: side) }
    return unit.pixels
  }

  /// Features [count, width] (row-major over a `rows`×`columns` grid) with the grid position appended.
  static func withPositions(_ features: [Float], width: Int, rows: Int, columns: Int) -> Tensor {
    var out: [Float] = []
    out.reserveCapacity(rows * columns * (width + 2))
    for r in 0..<rows {
      for c in 0..<columns {
        let start = (r * columns + c) * width
        out += features[start..<(start + width)]
        out.append(rows > 1 ? 2 * Float(r) / Float(rows - 1) - 1 : 0)
        out.append(columns > 1 ? 2 * Float(c) / Float(columns - 1) - 1 : 0)
      }
    }
    return Tensor(shape: [1, rows * columns, width + 2], data: out)
  }
}

/// The simplest image encoder: the image is cut into square patches and each patch's pixels,
/// centred ((v − 0.5) / 0.25), are one token. It has no weights, so a whole early-fusion model
/// is only its projector and adapter; tests and the synthetic baseline use it.
public final class PixelPatchEncoder: VisualTokenEncoder {
  public let configuration: VisualEncoderConfiguration
  let patch: Int
  let grid: Int

  public init(imageSize: Int, patchSize: Int) throws {
    guard patchSize > 0, imageSize > 0, imageSize % patchSize == 0 else {
      throw VisionLanguageError.invalidConfiguration(
        "image_size \(imageSize) must be a multiple of patch_size \(patchSize)")
    }
    configuration = VisualEncoderConfiguration(type: "pixel-patches", imageSize: imageSize, patchSize: patchSize)
    patch = patchSize
    grid = imageSize / patchSize
  }

  public var tokenWidth: Int { patch * patch + 2 }
  public var tokenCount: Int { grid * grid }

  public func tokens(_ image: Image) throws -> Tensor {
    let side = configuration.imageSize
    let plane = try Self.greyPlane(image, side: side)
    var features = [Float](repeating: 0, count: grid * grid * patch * patch)
    for gr in 0..<grid {
      for gc in 0..<grid {
        let base = (gr * grid + gc) * patch * patch
        for y in 0..<patch {
          for x in 0..<patch {
            features[base + y * patch + x] = (plane[(gr * patch + y) * side + gc * patch + x] - 0.5) / 0.25
          }
        }
      }
    }
    return Self.withPositions(features, width: patch * patch, rows: grid, columns: grid)
  }
}

/// EfficientNet-Lite0 as a token encoder: the grey image is resized, copied to three channels,
/// scaled as the network was trained ((v·255 − 127) / 128), and each cell of the head's feature
/// map (1280 wide, one per 32×32 pixels) becomes a token. The network stays frozen.
public final class EfficientNetTokenEncoder: VisualTokenEncoder, @unchecked Sendable {
  public let configuration: VisualEncoderConfiguration
  let network: EfficientNetLite

  public init(network: EfficientNetLite, imageSize: Int, weights: String) throws {
    guard imageSize >= 32, imageSize % 32 == 0 else {
      throw VisionLanguageError.invalidConfiguration(
        "image_size \(imageSize) must be a multiple of 32 for EfficientNet")
    }
    self.network = network
    configuration = VisualEncoderConfiguration(type: "efficientnet-lite0", imageSize: imageSize, weights: weights)
    for parameter in network.parameters.parameters { parameter.setTrainable(false) }
  }

  public var tokenWidth: Int { network.featureWidth + 2 }
  public var tokenCount: Int { (configuration.imageSize / 32) * (configuration.imageSize / 32) }

  public func tokens(_ image: Image) throws -> Tensor {
    let side = configuration.imageSize
    let plane = try Self.greyPlane(image, side: side).map {
      ($0 * 255 - EfficientNetLite.pixelMean) / EfficientNetLite.pixelStd
    }
    let input = Tensor(shape: [1, 3, side, side], data: plane + plane + plane)
    let map = Autograd.inferenceMode { network.featureMap(input) }  // [1, C, h, w]
    let (channels, rows, columns) = (map.shape[1], map.shape[2], map.shape[3])
    let cells = rows * columns
    var features = [Float](repeating: 0, count: cells * channels)
    let data = map.data
    for c in 0..<channels {
      for p in 0..<cells { features[p * channels + c] = data[c * cells + p] }
    }
    return Self.withPositions(features, width: channels, rows: rows, columns: columns)
  }
}

/// Builds the encoder a configuration names.
public enum VisualEncoders {
  /// `resolveWeights` turns a fetched name or relative path into a file URL.
  public static func make(
    _ configuration: VisualEncoderConfiguration, resolveWeights: (String) throws -> URL
  ) throws -> any VisualTokenEncoder {
    switch configuration.type {
    case "pixel-patches":
      return try PixelPatchEncoder(imageSize: configuration.imageSize, patchSize: configuration.patchSize ?? 8)
    case "efficientnet-lite0":
      let weights = configuration.weights ?? "efficientnet"
      let network = try EfficientNetLite(checkpoint: try resolveWeights(weights))
      return try EfficientNetTokenEncoder(network: network, imageSize: configuration.imageSize, weights: weights)
    default:
      throw VisionLanguageError.invalidConfiguration(
        "vision_encoder.type \"\(configuration.type)\" is not one of \(VisualEncoderConfiguration.encoderTypes)")
    }
  }
}
