/// A DICOM attribute tag: a (group, element) pair of 16-bit numbers, written `(0028,0010)`.
/// Tags order the elements of a data set; the constants below are the attributes RadImaging
/// reads to decode and interpret pixels.
public struct DicomTag: Hashable, Comparable, Sendable, CustomStringConvertible {
  public let group: UInt16
  public let element: UInt16

  public init(_ group: UInt16, _ element: UInt16) {
    self.group = group
    self.element = element
  }

  /// The tag as one 32-bit number (group in the high half), DICOM's sort key.
  public var value: UInt32 { UInt32(group) << 16 | UInt32(element) }

  public static func < (lhs: DicomTag, rhs: DicomTag) -> Bool { lhs.value < rhs.value }

  public var description: String {
    func hex(_ v: UInt16) -> String {
      let digits = String(v, radix: 16, uppercase: true)
      return String(repeating: "0", count: 4 - digits.count) + digits
    }
    return "(\(hex(group)),\(hex(element)))"
  }

  // File meta information.
  public static let transferSyntaxUID = DicomTag(0x0002, 0x0010)
  public static let metaGroupLength = DicomTag(0x0002, 0x0000)
  // Patient and study.
  public static let modality = DicomTag(0x0008, 0x0060)
  public static let seriesTime = DicomTag(0x0008, 0x0031)
  public static let acquisitionTime = DicomTag(0x0008, 0x0032)
  public static let seriesDate = DicomTag(0x0008, 0x0021)
  public static let acquisitionDate = DicomTag(0x0008, 0x0022)
  public static let patientWeight = DicomTag(0x0010, 0x1030)
  // Image pixel module.
  public static let samplesPerPixel = DicomTag(0x0028, 0x0002)
  public static let photometricInterpretation = DicomTag(0x0028, 0x0004)
  public static let planarConfiguration = DicomTag(0x0028, 0x0006)
  public static let numberOfFrames = DicomTag(0x0028, 0x0008)
  public static let rows = DicomTag(0x0028, 0x0010)
  public static let columns = DicomTag(0x0028, 0x0011)
  public static let bitsAllocated = DicomTag(0x0028, 0x0100)
  public static let bitsStored = DicomTag(0x0028, 0x0101)
  public static let highBit = DicomTag(0x0028, 0x0102)
  public static let pixelRepresentation = DicomTag(0x0028, 0x0103)
  public static let windowCenter = DicomTag(0x0028, 0x1050)
  public static let windowWidth = DicomTag(0x0028, 0x1051)
  public static let rescaleIntercept = DicomTag(0x0028, 0x1052)
  public static let rescaleSlope = DicomTag(0x0028, 0x1053)
  public static let voiLUTFunction = DicomTag(0x0028, 0x1056)
  public static let modalityLUTSequence = DicomTag(0x0028, 0x3000)
  public static let lutDescriptor = DicomTag(0x0028, 0x3002)
  public static let lutData = DicomTag(0x0028, 0x3006)
  public static let voiLUTSequence = DicomTag(0x0028, 0x3010)
  public static let redPaletteDescriptor = DicomTag(0x0028, 0x1101)
  public static let greenPaletteDescriptor = DicomTag(0x0028, 0x1102)
  public static let bluePaletteDescriptor = DicomTag(0x0028, 0x1103)
  public static let redPaletteData = DicomTag(0x0028, 0x1201)
  public static let greenPaletteData = DicomTag(0x0028, 0x1202)
  public static let bluePaletteData = DicomTag(0x0028, 0x1203)
  // PET.
  public static let units = DicomTag(0x0054, 0x1001)
  public static let correctedImage = DicomTag(0x0028, 0x0051)
  public static let decayCorrection = DicomTag(0x0054, 0x1102)
  public static let radiopharmaceuticalInformationSequence = DicomTag(0x0054, 0x0016)
  public static let radiopharmaceuticalStartTime = DicomTag(0x0018, 0x1072)
  public static let radiopharmaceuticalStartDateTime = DicomTag(0x0018, 0x1078)
  public static let radionuclideTotalDose = DicomTag(0x0018, 0x1074)
  public static let radionuclideHalfLife = DicomTag(0x0018, 0x1075)
  // Pixel data and the delimiters of undefined-length structures.
  public static let floatPixelData = DicomTag(0x7FE0, 0x0008)
  public static let doubleFloatPixelData = DicomTag(0x7FE0, 0x0009)
  public static let pixelData = DicomTag(0x7FE0, 0x0010)
  public static let item = DicomTag(0xFFFE, 0xE000)
  public static let itemDelimitation = DicomTag(0xFFFE, 0xE00D)
  public static let sequenceDelimitation = DicomTag(0xFFFE, 0xE0DD)

  /// Tags whose value is a sequence, for implicit-VR files (which do not write the VR): the
  /// sequences RadImaging reads. Other sequences with a defined length stay unparsed bytes.
  static let knownSequences: Set<DicomTag> = [
    modalityLUTSequence, voiLUTSequence, radiopharmaceuticalInformationSequence,
  ]
}
