/// Decoded DICOM pixel values in NumPy's `(frames, rows, columns, samples)` order, as Double
/// so that 32-bit integers and rescaled values are exact. `isInteger` says whether the values
/// are integers in pydicom's sense (an integer array, not one made float by a rescale).
public struct DicomPixels: Sendable, Equatable {
  public let frames: Int
  public let rows: Int
  public let columns: Int
  public let samples: Int
  public var values: [Double]
  public var isInteger: Bool
  /// Photometric interpretation of `values` (YBR is converted to RGB as pydicom does).
  public var photometric: String
}

/// The Image Pixel module attributes (PS3.3 C.7.6.3) that say how pixel data is laid out.
public struct DicomPixelLayout: Sendable, Equatable {
  public var rows: Int
  public var columns: Int
  public var samples: Int
  public var frames: Int
  public var bitsAllocated: Int
  public var bitsStored: Int
  public var signed: Bool
  public var planarConfiguration: Int
  public var photometric: String
  /// (7FE0,0010), (7FE0,0008) float or (7FE0,0009) double pixel data.
  public var pixelTag: DicomTag

  /// Reads the layout of `dataSet`; throws naming the first missing or impossible attribute.
  public init(_ dataSet: DicomDataSet) throws {
    let file = dataSet.file
    func required(_ tag: DicomTag, _ name: String) throws -> Int {
      guard let value = try dataSet.integer(tag) else {
        throw ImageError.malformed(file: file, reason: "missing \(name) \(tag)")
      }
      return value
    }
    if dataSet.contains(.pixelData) {
      pixelTag = .pixelData
    } else if dataSet.contains(.floatPixelData) {
      pixelTag = .floatPixelData
    } else if dataSet.contains(.doubleFloatPixelData) {
      pixelTag = .doubleFloatPixelData
    } else {
      throw ImageError.malformed(file: file, reason: "no Pixel Data (7FE0,0010)")
    }
    rows = try required(.rows, "Rows")
    columns = try required(.columns, "Columns")
    samples = try dataSet.integer(.samplesPerPixel) ?? 1
    frames = try dataSet.integer(.numberOfFrames) ?? 1
    switch pixelTag {
    case .floatPixelData: bitsAllocated = 32
    case .doubleFloatPixelData: bitsAllocated = 64
    default: bitsAllocated = try required(.bitsAllocated, "Bits Allocated")
    }
    bitsStored = try dataSet.integer(.bitsStored) ?? bitsAllocated
    signed = try (dataSet.integer(.pixelRepresentation) ?? 0) == 1
    planarConfiguration = try dataSet.integer(.planarConfiguration) ?? 0
    photometric = dataSet.string(.photometricInterpretation) ?? (samples == 1 ? "MONOCHROME2" : "RGB")
    guard rows > 0, columns > 0, rows <= 65_535, columns <= 65_535 else {
      throw ImageError.malformed(file: file, reason: "Rows × Columns \(rows)×\(columns) is not a valid image size")
    }
    guard [1, 3, 4].contains(samples) else {
      throw ImageError.unsupported(file: file, reason: "Samples per Pixel \(samples)")
    }
    guard frames > 0, frames <= 1 << 20 else {
      throw ImageError.malformed(file: file, reason: "Number of Frames \(frames)")
    }
    guard [1, 8, 16, 32, 64].contains(bitsAllocated) else {
      throw ImageError.unsupported(file: file, reason: "Bits Allocated \(bitsAllocated)")
    }
    // Bounds the sizes computed from these attributes (a corrupted header must not overflow).
    guard Double(rows) * Double(columns) * Double(samples) * Double(frames) * Double(bitsAllocated) < 0x1p40 else {
      throw ImageError.malformed(file: file, reason: "\(frames) frames of \(rows)×\(columns)×\(samples) are too large")
    }
    guard bitsStored >= 1, bitsStored <= bitsAllocated else {
      throw ImageError.malformed(file: file, reason: "Bits Stored \(bitsStored) with Bits Allocated \(bitsAllocated)")
    }
  }

  /// Samples in one frame.
  var samplesPerFrame: Int { rows * columns * samples }
}
