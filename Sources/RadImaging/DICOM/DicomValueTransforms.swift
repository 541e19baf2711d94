import Foundation

/// The DICOM grey-scale pipeline after decoding (PS3.3 C.11, PS3.4 N.2.1.1): the Modality LUT
/// or Rescale Slope/Intercept turns stored values into modality units; the VOI LUT or window
/// (functions LINEAR, LINEAR_EXACT, SIGMOID) maps them onto a display range. Each function
/// follows pydicom 3's `pydicom.pixels.processing` step for step so results agree exactly.
public enum DicomValueTransforms {
  /// pydicom's `apply_modality_lut`: the first Modality LUT Sequence item if present (values
  /// below its first mapped value take entry 0, above the table the last entry), else
  /// `value * slope + intercept` in Double when both rescale attributes are present, else the
  /// values unchanged.
  public static func applyModalityLUT(_ pixels: consuming DicomPixels, _ dataSet: DicomDataSet) throws -> DicomPixels {
    var out = pixels
    if let item = dataSet.sequence(.modalityLUTSequence).first {
      let lut = try LookupTable(item, dataSet: dataSet)
      out.values = out.values.map { lut.look(up: $0) }
      out.isInteger = true
      return out
    }
    if let slope = try dataSet.number(.rescaleSlope), let intercept = try dataSet.number(.rescaleIntercept) {
      out.values.withUnsafeMutableBufferPointer { values in
        for i in values.indices { values[i] = values[i] * slope + intercept }
      }
      out.isInteger = false
    }
    return out
  }

  /// pydicom's `apply_voi_lut(prefer_lut=True)`: the VOI LUT Sequence item `index` if it has a
  /// descriptor and data, else the window `index`, else the values unchanged.
  public static func applyVOILUT(_ pixels: DicomPixels, _ dataSet: DicomDataSet, index: Int = 0) throws
    -> DicomPixels
  {
    let items = dataSet.sequence(.voiLUTSequence)
    if let item = items.first, item.contains(.lutDescriptor), item.contains(.lutData) {
      guard index < items.count else {
        throw ImageError.invalidArgument("VOI LUT index \(index) of \(items.count)")
      }
      let lut = try LookupTable(items[index], dataSet: dataSet)
      guard [8, 10, 11, 12, 13, 14, 15, 16].contains(lut.bits) else {
        throw ImageError.unsupported(file: dataSet.file, reason: "\(lut.bits) bits per VOI LUT entry")
      }
      var out = pixels
      out.values = pixels.values.map { lut.look(up: $0) }
      out.isInteger = true
      return out
    }
    if dataSet.contains(.windowCenter) && dataSet.contains(.windowWidth) {
      return try applyWindowing(pixels, dataSet, index: index)
    }
    return pixels
  }

  /// pydicom's `apply_windowing` with the data set's window `index`, function and output range.
  public static func applyWindowing(_ pixels: DicomPixels, _ dataSet: DicomDataSet, index: Int = 0) throws
    -> DicomPixels
  {
    guard let centers = try dataSet.numbers(.windowCenter), let widths = try dataSet.numbers(.windowWidth),
      index < centers.count, index < widths.count
    else { return pixels }
    let function = try VOIFunction(dataSet.string(.voiLUTFunction) ?? "LINEAR", file: dataSet.file)
    let range = try outputRange(dataSet)
    return try window(
      pixels, center: centers[index], width: widths[index], function: function, yMin: range.lowerBound,
      yMax: range.upperBound, photometric: pixels.photometric, file: dataSet.file)
  }

  /// The windowing output range pydicom uses: the Modality LUT's range, else the stored range
  /// (Bits Stored, Pixel Representation) through the rescale.
  public static func outputRange(_ dataSet: DicomDataSet) throws -> ClosedRange<Double> {
    var yMin: Double
    var yMax: Double
    let bitsStored = try dataSet.integer(.bitsStored) ?? 8
    if let item = dataSet.sequence(.modalityLUTSequence).first,
      let descriptor = try item.integers(.lutDescriptor), descriptor.count == 3
    {
      yMin = 0
      yMax = pow(2, Double(descriptor[2])) - 1
    } else if try dataSet.integer(.pixelRepresentation) ?? 0 == 0 {
      yMin = 0
      yMax = pow(2, Double(bitsStored)) - 1
    } else {
      yMin = -pow(2, Double(bitsStored - 1))
      yMax = pow(2, Double(bitsStored - 1)) - 1
    }
    if let slope = try dataSet.number(.rescaleSlope), let intercept = try dataSet.number(.rescaleIntercept) {
      yMin = yMin * slope + intercept
      yMax = yMax * slope + intercept
    }
    return yMin...max(yMin, yMax)
  }

  /// VOI LUT functions (PS3.3 C.11.2.1.3).
  public enum VOIFunction: String, Sendable, CaseIterable {
    case linear = "LINEAR"
    case linearExact = "LINEAR_EXACT"
    case sigmoid = "SIGMOID"

    init(_ text: String, file: String) throws {
      guard let function = VOIFunction(rawValue: text.uppercased()) else {
        throw ImageError.unsupported(file: file, reason: "VOI LUT Function '\(text)'")
      }
      self = function
    }
  }

  /// Windows `pixels` onto `yMin...yMax` with `function`, exactly as pydicom's `apply_windowing`
  /// (LINEAR uses center − 0.5 and width − 1; values at or below the lower edge map to yMin).
  public static func window(
    _ pixels: DicomPixels, center: Double, width: Double, function: VOIFunction, yMin: Double, yMax: Double,
    photometric: String = "MONOCHROME2", file: String = "window"
  ) throws -> DicomPixels {
    guard photometric == "MONOCHROME1" || photometric == "MONOCHROME2" else {
      throw ImageError.unsupported(file: file, reason: "windowing a \(photometric) image (only MONOCHROME1/2)")
    }
    let yRange = yMax - yMin
    var out = pixels
    out.isInteger = false
    switch function {
    case .linear, .linearExact:
      var c = center
      var w = width
      if function == .linear {
        guard width >= 1 else { throw ImageError.invalidArgument("window width \(width) < 1 for LINEAR") }
        c -= 0.5
        w -= 1
      } else {
        guard width > 0 else { throw ImageError.invalidArgument("window width \(width) <= 0 for LINEAR_EXACT") }
      }
      let low = c - w / 2
      let high = c + w / 2
      out.values.withUnsafeMutableBufferPointer { values in
        for i in values.indices {
          let v = values[i]
          if v <= low {
            values[i] = yMin
          } else if v > high {
            values[i] = yMax
          } else {
            values[i] = ((v - c) / w + 0.5) * yRange + yMin
          }
        }
      }
    case .sigmoid:
      guard width > 0 else { throw ImageError.invalidArgument("window width \(width) <= 0 for SIGMOID") }
      out.values.withUnsafeMutableBufferPointer { values in
        for i in values.indices { values[i] = yRange / (1 + exp(-4 * (values[i] - center) / width)) + yMin }
      }
    }
    return out
  }

  /// A Modality or VOI lookup table item: LUT Descriptor (entries, first mapped value, bits)
  /// and LUT Data.
  struct LookupTable {
    let entries: Int
    let firstMapped: Double
    let bits: Int
    let data: [Double]

    init(_ item: DicomDataSet, dataSet: DicomDataSet) throws {
      guard let descriptor = try item.integers(.lutDescriptor), descriptor.count == 3,
        let data = try item.numbers(.lutData), !data.isEmpty
      else {
        throw ImageError.malformed(
          file: dataSet.file, reason: "LUT item without LUT Descriptor (0028,3002) and LUT Data")
      }
      guard (0...65_535).contains(descriptor[0]), (1...32).contains(descriptor[2]) else {
        throw ImageError.malformed(file: dataSet.file, reason: "LUT Descriptor \(descriptor)")
      }
      entries = descriptor[0] == 0 ? 65_536 : descriptor[0]
      // The first mapped value may be written as US although it is signed (PS3.3 C.11.1.1).
      var first = Double(descriptor[1])
      if first >= 32_768, try dataSet.integer(.pixelRepresentation) == 1 {
        first -= 65_536
      }
      firstMapped = first
      bits = descriptor[2]
      guard data.count >= entries else {
        throw ImageError.truncated(file: dataSet.file, reason: "LUT Data has \(data.count) of \(entries) entries")
      }
      self.data = Array(data.prefix(entries))
    }

    func look(up value: Double) -> Double {
      guard !value.isNaN else { return data[0] }
      let index = value >= firstMapped ? value - firstMapped : 0
      return data[Int(min(max(index, 0), Double(entries - 1)))]
    }
  }
}
