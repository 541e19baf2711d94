import Foundation
import RadArchive

/// A DICOM Part 10 file (PS3.10 section 7): a 128-byte preamble, `DICM`, the file meta
/// information (group 0002, always explicit VR little endian) naming the transfer syntax, then
/// the data set in that syntax. Parsing records every element lazily; pixels are decoded on
/// request by `pixels()` and interpreted by `modalityPixels()` and `image()`.
public struct DicomFile: Sendable {
  /// The path or name used in errors.
  public let file: String
  /// Group 0002.
  public let meta: DicomDataSet
  /// The data set after the meta information.
  public let dataSet: DicomDataSet
  /// The transfer syntax the data set is written in.
  public let transferSyntax: DicomTransferSyntax

  /// Reads and parses the file at `path`.
  public init(path: String) throws {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ImageError.io(path: path, reason: "cannot read the file")
    }
    try self.init(bytes: [UInt8](data), file: path)
  }

  /// Parses DICOM Part 10 `bytes`; `file` names them in errors.
  public init(bytes: [UInt8], file: String) throws {
    self.file = file
    guard bytes.count >= 132, bytes[128..<132].elementsEqual("DICM".utf8) else {
      throw ImageError.malformed(file: file, reason: "not a DICOM Part 10 file (no DICM marker at byte 128)")
    }
    let metaParser = DicomParser(buffer: bytes, file: file, explicitVR: true, littleEndian: true)
    let (meta, dataStart) = try metaParser.parseDataSet(
      from: 132, to: bytes.count, stopAt: DicomTag.transferSyntaxUID)
    self.meta = meta
    guard let uid = meta.string(.transferSyntaxUID) else {
      throw ImageError.malformed(file: file, reason: "the file meta information has no Transfer Syntax UID (0002,0010)")
    }
    guard let syntax = DicomTransferSyntax.named(uid) else {
      throw ImageError.unsupported(file: file, reason: "unknown transfer syntax UID \(uid)")
    }
    self.transferSyntax = syntax
    var buffer = bytes
    var start = dataStart
    if syntax.deflated {
      buffer = try DicomFile.inflate(Array(bytes[dataStart...]), file: file)
      start = 0
    }
    // Like pydicom, trust the bytes over the meta information when the first element's VR
    // field does not hold letters: some writers label implicit-VR data sets as explicit.
    var explicitVR = syntax.explicitVR
    if start + 6 <= buffer.count, DicomVR(bytes: buffer[start + 4], buffer[start + 5]) == nil {
      explicitVR = false
    } else if !explicitVR, start + 6 <= buffer.count, let vr = DicomVR(bytes: buffer[start + 4], buffer[start + 5]),
      DicomVR.known.contains(vr.code)
    {
      explicitVR = true
    }
    let parser = DicomParser(
      buffer: buffer, file: file, explicitVR: explicitVR, littleEndian: syntax.littleEndian)
    self.dataSet = try parser.parseDataSet(from: start, to: buffer.count).0
  }

  /// The data set of a deflated transfer syntax: a raw deflate stream (RFC 1951).
  static func inflate(_ bytes: [UInt8], file: String) throws -> [UInt8] {
    do {
      return try Zlib.inflate(bytes, format: .raw)
    } catch {
      throw ImageError.malformed(file: file, reason: "the deflated data set does not inflate: \(error)")
    }
  }
}

extension DicomFile {
  /// The stored pixel values as pydicom's `pixel_array` returns them (see `DicomPixelDecoder`);
  /// throws `unsupported` naming the transfer syntax for compressed data RadLM does not decode.
  public func pixels() throws -> DicomPixels {
    try DicomPixelDecoder.decode(dataSet, syntax: transferSyntax)
  }

  /// The pixel values in modality units: `pixels()` through the Modality LUT or rescale.
  public func modalityPixels() throws -> DicomPixels {
    try DicomValueTransforms.applyModalityLUT(pixels(), dataSet)
  }

  /// The modality values as an `Image` (Float32) with the file's metadata.
  public func image() throws -> Image {
    let pixels = try modalityPixels()
    return try Image(
      rows: pixels.rows, columns: pixels.columns, channels: pixels.samples, frames: pixels.frames,
      pixels: pixels.values.map { Float($0) }, metadata: metadata(photometric: pixels.photometric))
  }

  /// What the data set says about its pixels, for `Image.metadata` and `radlm image info`.
  public func metadata(photometric: String? = nil) -> ImageMetadata {
    let bitsStored = (try? dataSet.integer(.bitsStored)) ?? nil
    let signed = ((try? dataSet.integer(.pixelRepresentation)) ?? nil) == 1
    var window: Window?
    if let center = (try? dataSet.number(.windowCenter)) ?? nil, let width = (try? dataSet.number(.windowWidth)) ?? nil
    {
      window = Window(center: center, width: width)
    }
    return ImageMetadata(
      format: .dicom, path: file,
      maximumSampleValue: bitsStored.map { signed ? pow(2, Double($0 - 1)) - 1 : pow(2, Double($0)) - 1 },
      modality: dataSet.string(.modality),
      photometric: photometric ?? dataSet.string(.photometricInterpretation), bitsStored: bitsStored,
      transferSyntax: transferSyntax.uid, rescaleSlope: (try? dataSet.number(.rescaleSlope)) ?? nil,
      rescaleIntercept: (try? dataSet.number(.rescaleIntercept)) ?? nil, window: window)
  }
}
