/// A DICOM transfer syntax: how the data set after the file meta information is encoded
/// (implicit or explicit VR, byte order, deflate) and how pixel data is compressed. RadImaging
/// decodes native (uncompressed) and RLE Lossless pixel data; the other syntaxes it knows by
/// name so that errors can say which one a file uses.
public struct DicomTransferSyntax: Sendable, Equatable {
  /// The UID, e.g. `1.2.840.10008.1.2.1`.
  public let uid: String
  /// The standard's name for it.
  public let name: String
  /// Whether element headers carry the VR.
  public let explicitVR: Bool
  /// Whether numbers are little endian.
  public let littleEndian: Bool
  /// Whether the data set is a raw deflate stream.
  public let deflated: Bool
  /// How pixel data is stored.
  public let pixelEncoding: PixelEncoding

  /// Pixel data encodings.
  public enum PixelEncoding: Sendable, Equatable {
    /// Uncompressed samples.
    case native
    /// Encapsulated RLE Lossless frames.
    case rle
    /// Encapsulated in a codec RadImaging does not decode (JPEG, JPEG-LS, JPEG 2000, …).
    case undecodable
  }

  /// The syntax with `uid`, or nil when the UID is not a transfer syntax RadImaging knows.
  public static func named(_ uid: String) -> DicomTransferSyntax? {
    if let native = natives.first(where: { $0.uid == uid }) { return native }
    guard let name = compressedNames[uid] else { return nil }
    let isRLE = uid == "1.2.840.10008.1.2.5"
    return DicomTransferSyntax(
      uid: uid, name: name, explicitVR: true, littleEndian: true, deflated: false,
      pixelEncoding: isRLE ? .rle : .undecodable)
  }

  public static let implicitVRLittleEndian = DicomTransferSyntax(
    uid: "1.2.840.10008.1.2", name: "Implicit VR Little Endian", explicitVR: false, littleEndian: true,
    deflated: false, pixelEncoding: .native)
  public static let explicitVRLittleEndian = DicomTransferSyntax(
    uid: "1.2.840.10008.1.2.1", name: "Explicit VR Little Endian", explicitVR: true, littleEndian: true,
    deflated: false, pixelEncoding: .native)
  public static let deflatedExplicitVRLittleEndian = DicomTransferSyntax(
    uid: "1.2.840.10008.1.2.1.99", name: "Deflated Explicit VR Little Endian", explicitVR: true,
    littleEndian: true, deflated: true, pixelEncoding: .native)
  public static let explicitVRBigEndian = DicomTransferSyntax(
    uid: "1.2.840.10008.1.2.2", name: "Explicit VR Big Endian", explicitVR: true, littleEndian: false,
    deflated: false, pixelEncoding: .native)

  static let natives = [
    implicitVRLittleEndian, explicitVRLittleEndian, deflatedExplicitVRLittleEndian, explicitVRBigEndian,
  ]

  /// Encapsulated syntaxes (PS3.6 Table A-1), named as pydicom names them.
  static let compressedNames: [String: String] = [
    "1.2.840.10008.1.2.5": "RLE Lossless",
    "1.2.840.10008.1.2.4.50": "JPEG Baseline (Process 1)",
    "1.2.840.10008.1.2.4.51": "JPEG Extended (Process 2 and 4)",
    "1.2.840.10008.1.2.4.57": "JPEG Lossless, Non-Hierarchical (Process 14)",
    "1.2.840.10008.1.2.4.70":
      "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])",
    "1.2.840.10008.1.2.4.80": "JPEG-LS Lossless Image Compression",
    "1.2.840.10008.1.2.4.81": "JPEG-LS Lossy (Near-Lossless) Image Compression",
    "1.2.840.10008.1.2.4.90": "JPEG 2000 Image Compression (Lossless Only)",
    "1.2.840.10008.1.2.4.91": "JPEG 2000 Image Compression",
    "1.2.840.10008.1.2.4.92": "JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)",
    "1.2.840.10008.1.2.4.93": "JPEG 2000 Part 2 Multi-component Image Compression",
    "1.2.840.10008.1.2.4.94": "JPIP Referenced",
    "1.2.840.10008.1.2.4.95": "JPIP Referenced Deflate",
    "1.2.840.10008.1.2.4.100": "MPEG2 Main Profile / Main Level",
    "1.2.840.10008.1.2.4.101": "MPEG2 Main Profile / High Level",
    "1.2.840.10008.1.2.4.102": "MPEG-4 AVC/H.264 High Profile / Level 4.1",
    "1.2.840.10008.1.2.4.103": "MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1",
    "1.2.840.10008.1.2.4.104": "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video",
    "1.2.840.10008.1.2.4.105": "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video",
    "1.2.840.10008.1.2.4.106": "MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2",
    "1.2.840.10008.1.2.4.107": "HEVC/H.265 Main Profile / Level 5.1",
    "1.2.840.10008.1.2.4.108": "HEVC/H.265 Main 10 Profile / Level 5.1",
    "1.2.840.10008.1.2.4.110": "JPEG XL Lossless",
    "1.2.840.10008.1.2.4.111": "JPEG XL JPEG Recompression",
    "1.2.840.10008.1.2.4.112": "JPEG XL",
    "1.2.840.10008.1.2.4.201": "High-Throughput JPEG 2000 Image Compression (Lossless Only)",
    "1.2.840.10008.1.2.4.202": "High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)",
    "1.2.840.10008.1.2.4.203": "High-Throughput JPEG 2000 Image Compression",
    "1.2.840.10008.1.2.8.1": "Deflated Image Frame Compression",
  ]
}
