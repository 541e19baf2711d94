/// A decoded picture as RadLM's image models see it: `frames` frames of `rows` × `columns`
/// pixels with `channels` samples each, stored as Float32 in frame, row, column, channel order
/// (interleaved, like NumPy's `(frames, rows, columns, channels)` array). Values are the file's
/// own units: raw sample values for PNG and NumPy, modality values (e.g. Hounsfield units, after
/// Rescale Slope/Intercept or the Modality LUT) for DICOM; `metadata` says where they came from.
public struct Image: Sendable, Equatable {
  /// Pixel rows (height).
  public let rows: Int
  /// Pixel columns (width).
  public let columns: Int
  /// Samples per pixel: 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA.
  public let channels: Int
  /// Frames (1 for a still picture; slices or time points of a multi-frame DICOM).
  public let frames: Int
  /// `frames * rows * columns * channels` values, frame-major, channels innermost.
  public var pixels: [Float]
  /// Where the pixels came from and how to read their values.
  public var metadata: ImageMetadata

  /// An image over `pixels`; throws `ImageError.shapeMismatch` when the count does not match
  /// the shape or a dimension is not positive.
  public init(
    rows: Int, columns: Int, channels: Int = 1, frames: Int = 1, pixels: [Float],
    metadata: ImageMetadata = ImageMetadata()
  ) throws {
    guard rows > 0, columns > 0, channels > 0, frames > 0,
      rows.multipliedReportingOverflow(by: columns).overflow == false,
      pixels.count == frames * rows * columns * channels
    else {
      throw ImageError.shapeMismatch(
        "\(frames)×\(rows)×\(columns)×\(channels) does not match \(pixels.count) values")
    }
    self.rows = rows
    self.columns = columns
    self.channels = channels
    self.frames = frames
    self.pixels = pixels
    self.metadata = metadata
  }

  /// Values in one frame.
  public var frameSize: Int { rows * columns * channels }

  /// The sample at (`frame`, `row`, `column`, `channel`).
  public subscript(frame frame: Int = 0, row row: Int, column column: Int, channel channel: Int = 0) -> Float {
    get { pixels[((frame * rows + row) * columns + column) * channels + channel] }
    set { pixels[((frame * rows + row) * columns + column) * channels + channel] = newValue }
  }

  /// Frame `index` as a single-frame image with the same metadata.
  public func frame(_ index: Int) throws -> Image {
    guard index >= 0, index < frames else {
      throw ImageError.invalidArgument("frame \(index) is out of range 0..<\(frames)")
    }
    let start = index * frameSize
    return try Image(
      rows: rows, columns: columns, channels: channels, frames: 1,
      pixels: Array(pixels[start..<(start + frameSize)]), metadata: metadata)
  }

  /// Frame `index` in channel, row, column order (the `(C, H, W)` layout of PyTorch tensors).
  public func channelsFirst(frame index: Int = 0) -> [Float] {
    let plane = rows * columns
    var out = [Float](repeating: 0, count: plane * channels)
    let base = index * frameSize
    for p in 0..<plane {
      for c in 0..<channels { out[c * plane + p] = pixels[base + p * channels + c] }
    }
    return out
  }

  /// An image from `(C, H, W)` values of one frame.
  public static func fromChannelsFirst(
    _ values: [Float], channels: Int, rows: Int, columns: Int, metadata: ImageMetadata = ImageMetadata()
  ) throws -> Image {
    guard channels > 0, values.count == channels * rows * columns else {
      throw ImageError.shapeMismatch("\(channels)×\(rows)×\(columns) does not match \(values.count) values")
    }
    let plane = rows * columns
    var out = [Float](repeating: 0, count: values.count)
    for p in 0..<plane {
      for c in 0..<channels { out[p * channels + c] = values[c * plane + p] }
    }
    return try Image(rows: rows, columns: columns, channels: channels, pixels: out, metadata: metadata)
  }
}

/// What a file said about its pixels: the format and path it was read from, and, for DICOM,
/// the attributes that give pixel values their meaning (modality, photometric interpretation,
/// rescale, default window). Fields a format does not have stay nil.
public struct ImageMetadata: Sendable, Equatable {
  /// The container format.
  public var format: ImageFormat
  /// The file read, when read from a file.
  public var path: String?
  /// Largest value a sample can take before rescaling (255 for 8-bit PNG, 65535 for 16-bit,
  /// 2^BitsStored − 1 for unsigned DICOM); used to scale raw values to [0, 1].
  public var maximumSampleValue: Double?
  /// DICOM Modality (CT, MR, CR, PT, …).
  public var modality: String?
  /// DICOM Photometric Interpretation after decoding (MONOCHROME1/2, RGB, PALETTE COLOR, …).
  public var photometric: String?
  /// DICOM Bits Stored (or the PNG bit depth).
  public var bitsStored: Int?
  /// DICOM transfer syntax UID.
  public var transferSyntax: String?
  /// DICOM Rescale Slope, when present.
  public var rescaleSlope: Double?
  /// DICOM Rescale Intercept, when present.
  public var rescaleIntercept: Double?
  /// The file's first Window Center/Width, when present.
  public var window: Window?

  public init(
    format: ImageFormat = .raw, path: String? = nil, maximumSampleValue: Double? = nil,
    modality: String? = nil, photometric: String? = nil, bitsStored: Int? = nil,
    transferSyntax: String? = nil, rescaleSlope: Double? = nil, rescaleIntercept: Double? = nil,
    window: Window? = nil
  ) {
    self.format = format
    self.path = path
    self.maximumSampleValue = maximumSampleValue
    self.modality = modality
    self.photometric = photometric
    self.bitsStored = bitsStored
    self.transferSyntax = transferSyntax
    self.rescaleSlope = rescaleSlope
    self.rescaleIntercept = rescaleIntercept
    self.window = window
  }
}

/// The file formats RadImaging reads.
public enum ImageFormat: String, Sendable, Equatable, Codable {
  /// DICOM Part 10.
  case dicom
  /// Portable Network Graphics.
  case png
  /// NumPy `.npy` array (or a member of an `.npz`).
  case npy
  /// Made in memory.
  case raw
}

/// A display window over modality values (DICOM Window Center/Width): values below
/// `center − width/2` show black, above `center + width/2` white.
public struct Window: Sendable, Equatable {
  public var center: Double
  public var width: Double
  public init(center: Double, width: Double) {
    self.center = center
    self.width = width
  }
}

/// Errors of reading, writing and transforming images; each names the file or field at fault.
public enum ImageError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Pixel count and shape disagree.
  case shapeMismatch(String)
  /// A caller-supplied value is out of range.
  case invalidArgument(String)
  /// The file is not in the expected format or is damaged.
  case malformed(file: String, reason: String)
  /// The file ends before a structure it announces.
  case truncated(file: String, reason: String)
  /// The file uses a feature RadImaging does not decode.
  case unsupported(file: String, reason: String)
  /// The file cannot be read or written.
  case io(path: String, reason: String)

  public var description: String {
    switch self {
    case .shapeMismatch(let reason): return "image shape mismatch: \(reason)"
    case .invalidArgument(let reason): return "invalid argument: \(reason)"
    case .malformed(let file, let reason): return "\(file): malformed: \(reason)"
    case .truncated(let file, let reason): return "\(file): truncated: \(reason)"
    case .unsupported(let file, let reason): return "\(file): unsupported: \(reason)"
    case .io(let path, let reason): return "\(path): \(reason)"
    }
  }
}
