/// A DICOM value representation: the two-letter code saying how an element's bytes are
/// encoded (`US` unsigned 16-bit, `DS` decimal string, `SQ` sequence, …). Explicit-VR files
/// write it in each element header; implicit-VR files leave it to the data dictionary.
public struct DicomVR: Hashable, Sendable, CustomStringConvertible {
  /// The two ASCII characters.
  public let code: String

  public init(_ code: String) { self.code = code }

  init?(bytes a: UInt8, _ b: UInt8) {
    guard (0x41...0x5A).contains(a), (0x41...0x5A).contains(b) else { return nil }
    self.code = String(decoding: [a, b], as: UTF8.self)
  }

  public var description: String { code }

  /// VRs whose explicit header has two reserved bytes and a 32-bit length.
  var hasLongLength: Bool {
    ["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"].contains(code)
  }

  /// Every VR of PS3.5 Table 6.2-1.
  static let known: Set<String> = [
    "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FD", "FL", "IS", "LO", "LT", "OB", "OD", "OF", "OL", "OV", "OW", "PN",
    "SH", "SL", "SQ", "SS", "ST", "SV", "TM", "UC", "UI", "UL", "UN", "UR", "US", "UT", "UV",
  ]

  public static let sq = DicomVR("SQ")
  public static let un = DicomVR("UN")
  public static let ob = DicomVR("OB")
  public static let ow = DicomVR("OW")
  public static let us = DicomVR("US")
  public static let ss = DicomVR("SS")
  public static let ul = DicomVR("UL")
  public static let sl = DicomVR("SL")
  public static let fl = DicomVR("FL")
  public static let fd = DicomVR("FD")
  public static let of = DicomVR("OF")
  public static let od = DicomVR("OD")

  /// The VR an implicit-VR file means for `tag`, for the attributes RadImaging reads (others
  /// are `UN`: kept as bytes).
  static func implicit(for tag: DicomTag) -> DicomVR {
    if DicomTag.knownSequences.contains(tag) { return .sq }
    switch tag {
    case .samplesPerPixel, .planarConfiguration, .rows, .columns, .bitsAllocated, .bitsStored, .highBit,
      .pixelRepresentation, .redPaletteDescriptor, .greenPaletteDescriptor, .bluePaletteDescriptor:
      return .us
    case .lutDescriptor: return .us
    case .lutData, .redPaletteData, .greenPaletteData, .bluePaletteData, .pixelData: return .ow
    case .floatPixelData: return .of
    case .doubleFloatPixelData: return .od
    case .metaGroupLength: return .ul
    case .windowCenter, .windowWidth, .rescaleIntercept, .rescaleSlope, .patientWeight, .radionuclideTotalDose,
      .radionuclideHalfLife:
      return DicomVR("DS")
    case .numberOfFrames: return DicomVR("IS")
    default:
      // Group lengths are UL; every text attribute RadImaging reads is handled as text
      // whatever its VR, so UN is fine for the rest.
      return tag.element == 0 ? .ul : .un
    }
  }
}
