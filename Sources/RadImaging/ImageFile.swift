import Foundation

/// Reads any image file RadImaging knows, choosing the format by its first bytes: DICOM Part 10
/// (`DICM` at byte 128), PNG (its signature) or NumPy `.npy` (`\x93NUMPY`). This is what the
/// CLI and the vision models call to turn a path into an `Image`.
public enum ImageFile {
  /// The format of the file at `path`, from its first bytes.
  public static func format(of bytes: [UInt8], file: String) throws -> ImageFormat {
    if bytes.count >= 132, bytes[128..<132].elementsEqual("DICM".utf8) { return .dicom }
    if bytes.count >= 8, Array(bytes[0..<8]) == PNGDecoder.signature { return .png }
    if bytes.count >= 6, bytes[0] == 0x93, bytes[1..<6].elementsEqual("NUMPY".utf8) { return .npy }
    throw ImageError.unsupported(file: file, reason: "not a DICOM Part 10, PNG or .npy file")
  }

  static func contents(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ImageError.io(path: path, reason: "cannot read the file")
    }
    return [UInt8](data)
  }

  /// The image in `path`: DICOM modality values, PNG samples, or a `.npy` array shaped
  /// (H, W), (H, W, C) or (N, H, W) as frames.
  public static func read(_ path: String) throws -> Image {
    let bytes = try contents(path)
    switch try format(of: bytes, file: path) {
    case .dicom: return try DicomFile(bytes: bytes, file: path).image()
    case .png:
      var image = try PNGDecoder.decode(bytes, file: path)
      image.metadata.path = path
      return image
    default:
      let array = try NumPyArray(npy: bytes, file: path)
      var image = try array.asImage(file: path)
      image.metadata.path = path
      return image
    }
  }
}

extension NumPyArray {
  /// The array as an image: (H, W) grey, (H, W, C) with C ≤ 4, or (N, H, W) frames.
  func asImage(file: String) throws -> Image {
    let isBytes = dtype.hasSuffix("u1")
    let metadata = ImageMetadata(format: .npy, maximumSampleValue: isBytes ? 255 : nil)
    let pixels = values.map { Float($0) }
    switch shape.count {
    case 2: return try Image(rows: shape[0], columns: shape[1], pixels: pixels, metadata: metadata)
    case 3 where shape[2] <= 4:
      return try Image(rows: shape[0], columns: shape[1], channels: shape[2], pixels: pixels, metadata: metadata)
    case 3: return try Image(rows: shape[1], columns: shape[2], frames: shape[0], pixels: pixels, metadata: metadata)
    default: throw ImageError.unsupported(file: file, reason: "array of shape \(shape) is not an image")
    }
  }
}

/// The summary `radlm image info` prints: the format, the DICOM attributes that give pixel
/// values their meaning, and statistics of the pixel values after the modality rescale over
/// all frames. Absent attributes are nil (JSON null).
public struct ImageInfo: Sendable, Equatable {
  public var format: String
  public var modality: String?
  public var rows: Int
  public var columns: Int
  public var frames: Int
  public var transferSyntax: String?
  public var photometric: String?
  public var bitsStored: Int?
  public var rescaleSlope: Double?
  public var rescaleIntercept: Double?
  public var pixelMin: Double
  public var pixelMax: Double
  public var pixelMean: Double

  /// One JSON object with the keys in the order the issue lists them (JSONEncoder does not
  /// keep key order on Linux); absent values are null.
  public var json: String {
    func text(_ value: String?) -> String {
      guard let value else { return "null" }
      let printable = String(String.UnicodeScalarView(value.unicodeScalars.filter { $0.value >= 0x20 }))
      let escaped = printable.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
      return "\"\(escaped)\""
    }
    func number(_ value: Double?) -> String {
      guard let value else { return "null" }
      guard value.isFinite else { return "null" }
      return value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
    let fields: [(String, String)] = [
      ("format", text(format)), ("modality", text(modality)), ("rows", String(rows)), ("columns", String(columns)),
      ("frames", String(frames)), ("transfer_syntax", text(transferSyntax)), ("photometric", text(photometric)),
      ("bits_stored", bitsStored.map(String.init) ?? "null"), ("rescale_slope", number(rescaleSlope)),
      ("rescale_intercept", number(rescaleIntercept)), ("pixel_min", number(pixelMin)),
      ("pixel_max", number(pixelMax)), ("pixel_mean", number(pixelMean)),
    ]
    return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
  }

  /// The summary of the file at `path`. DICOM statistics use the exact (Double) modality
  /// values.
  public static func of(path: String) throws -> ImageInfo {
    let bytes = try ImageFile.contents(path)
    if try ImageFile.format(of: bytes, file: path) == .dicom {
      let file = try DicomFile(bytes: bytes, file: path)
      let pixels = try file.modalityPixels()
      let metadata = file.metadata(photometric: pixels.photometric)
      let (low, high, mean) = statistics(pixels.values)
      return ImageInfo(
        format: "dicom", modality: metadata.modality, rows: pixels.rows, columns: pixels.columns,
        frames: pixels.frames, transferSyntax: metadata.transferSyntax, photometric: metadata.photometric,
        bitsStored: metadata.bitsStored, rescaleSlope: metadata.rescaleSlope,
        rescaleIntercept: metadata.rescaleIntercept, pixelMin: low, pixelMax: high, pixelMean: mean)
    }
    let image = try ImageFile.read(path)
    let (low, high, mean) = statistics(image.pixels.map { Double($0) })
    return ImageInfo(
      format: image.metadata.format.rawValue, modality: nil, rows: image.rows, columns: image.columns,
      frames: image.frames, transferSyntax: nil, photometric: image.metadata.photometric,
      bitsStored: image.metadata.bitsStored, rescaleSlope: nil, rescaleIntercept: nil, pixelMin: low,
      pixelMax: high, pixelMean: mean)
  }

  static func statistics(_ values: [Double]) -> (Double, Double, Double) {
    guard let first = values.first else { return (.nan, .nan, .nan) }
    var low = first
    var high = first
    var sum = 0.0
    for value in values {
      low = min(low, value)
      high = max(high, value)
      sum += value
    }
    return (low, high, sum / Double(values.count))
  }
}
