import Foundation

/// Turns a decoded file into 8-bit pixels for viewing (`radlm image convert`): DICOM grey
/// images through an explicit window, else the file's VOI LUT or window, else the frame's
/// value range; MONOCHROME1 inverted so that higher values show darker; PALETTE COLOR through
/// its red/green/blue lookup tables; colour and other formats scaled by their sample range.
public enum DisplayImage {
  /// Frame `frame` of the file at `path` as 8-bit grey or RGB values (0…255).
  public static func render(path: String, window: Window? = nil, frame: Int = 0) throws -> Image {
    let bytes = try ImageFile.contents(path)
    guard try ImageFile.format(of: bytes, file: path) == .dicom else {
      let image = try ImageFile.read(path).frame(frame)
      return try scaled(image, maximum: image.metadata.maximumSampleValue)
    }
    let file = try DicomFile(bytes: bytes, file: path)
    let all = try file.modalityPixels()
    guard frame >= 0, frame < all.frames else {
      throw ImageError.invalidArgument("frame \(frame) is out of range 0..<\(all.frames) of \(path)")
    }
    let size = all.rows * all.columns * all.samples
    var pixels = all
    pixels.values = Array(all.values[(frame * size)..<((frame + 1) * size)])
    let metadata = file.metadata(photometric: all.photometric)
    let photometric = all.photometric
    if photometric == "PALETTE COLOR" {
      return try palette(pixels, file.dataSet, metadata: metadata)
    }
    guard photometric.hasPrefix("MONOCHROME") else {
      let image = try Image(
        rows: pixels.rows, columns: pixels.columns, channels: pixels.samples, pixels: pixels.values.map { Float($0) },
        metadata: metadata)
      return try scaled(image, maximum: metadata.maximumSampleValue)
    }
    var display: [Double]
    if let window {
      display = try DicomValueTransforms.window(
        pixels, center: window.center, width: window.width, function: .linear, yMin: 0, yMax: 255,
        photometric: photometric, file: path
      ).values
    } else if file.dataSet.sequence(.voiLUTSequence).first?.contains(.lutData) == true {
      let lut = try DicomValueTransforms.applyVOILUT(pixels, file.dataSet)
      let bits = (try? file.dataSet.sequence(.voiLUTSequence)[0].numbers(.lutDescriptor)?[2]) ?? nil
      let top = pow(2, bits ?? 8) - 1
      display = lut.values.map { $0 / top * 255 }
    } else if metadata.window != nil {
      let range = try DicomValueTransforms.outputRange(file.dataSet)
      let windowed = try DicomValueTransforms.applyWindowing(pixels, file.dataSet)
      display = windowed.values.map { ($0 - range.lowerBound) / max(range.upperBound - range.lowerBound, 1e-12) * 255 }
    } else {
      let low = pixels.values.min() ?? 0
      let high = pixels.values.max() ?? 0
      display = pixels.values.map { high > low ? ($0 - low) / (high - low) * 255 : 0 }
    }
    if photometric == "MONOCHROME1" { display = display.map { 255 - $0 } }
    return try Image(
      rows: pixels.rows, columns: pixels.columns, channels: 1,
      pixels: display.map { Float(min(max($0.rounded(), 0), 255)) }, metadata: metadata)
  }

  /// `image` mapped from 0…`maximum` (or its own range when unknown) to 0…255.
  static func scaled(_ image: Image, maximum: Double?) throws -> Image {
    var out = image
    let low = maximum == nil ? (image.pixels.min() ?? 0) : 0
    let high = maximum.map { Float($0) } ?? (image.pixels.max() ?? 0)
    out.pixels = image.pixels.map { high > low ? min(max((($0 - low) / (high - low) * 255).rounded(), 0), 255) : 0 }
    if out.channels == 2 || out.channels == 4 {
      // Drop alpha for display.
      out = try out.dropAlpha()
    }
    out.metadata.maximumSampleValue = 255
    return out
  }

  /// PALETTE COLOR indices through the Red/Green/Blue Palette Color LUTs (PS3.3 C.7.6.3.1.5).
  static func palette(_ pixels: DicomPixels, _ dataSet: DicomDataSet, metadata: ImageMetadata) throws -> Image {
    let file = dataSet.file
    var tables: [[Double]] = []
    var first = 0.0
    var bits = 16.0
    for (descriptorTag, dataTag) in [
      (DicomTag.redPaletteDescriptor, DicomTag.redPaletteData),
      (.greenPaletteDescriptor, .greenPaletteData), (.bluePaletteDescriptor, .bluePaletteData),
    ] {
      guard let descriptor = try dataSet.integers(descriptorTag), descriptor.count == 3,
        var data = try dataSet.integers(dataTag), !data.isEmpty
      else {
        throw ImageError.malformed(file: file, reason: "PALETTE COLOR image without \(descriptorTag) and \(dataTag)")
      }
      guard (0...65_535).contains(descriptor[0]), [8, 16].contains(descriptor[2]) else {
        throw ImageError.malformed(file: file, reason: "palette descriptor \(descriptor)")
      }
      first = Double(descriptor[1])
      bits = Double(descriptor[2])
      let entries = descriptor[0] == 0 ? 65_536 : descriptor[0]
      if bits == 8 && data.count * 2 >= entries && data.count < entries {
        // 8-bit entries packed two per 16-bit word.
        data = data.flatMap { [$0 & 0xFF, ($0 >> 8) & 0xFF] }
      }
      guard data.count >= entries else {
        throw ImageError.truncated(file: file, reason: "\(dataTag) has \(data.count) of \(entries) entries")
      }
      tables.append(data.prefix(entries).map { Double($0) })
    }
    let top = pow(2, bits) - 1
    var out = [Float](repeating: 0, count: pixels.values.count * 3)
    for (i, value) in pixels.values.enumerated() {
      for c in 0..<3 {
        let table = tables[c]
        let index = value.isNaN ? 0 : Int(min(max(value - first, 0), Double(table.count - 1)))
        out[i * 3 + c] = Float((table[index] / top * 255).rounded())
      }
    }
    var metadata = metadata
    metadata.photometric = "RGB"
    return try Image(rows: pixels.rows, columns: pixels.columns, channels: 3, pixels: out, metadata: metadata)
  }
}

extension Image {
  /// Grey + alpha → grey, RGBA → RGB.
  func dropAlpha() throws -> Image {
    let kept = channels - 1
    var out = [Float]()
    out.reserveCapacity(pixels.count / channels * kept)
    for p in 0..<(pixels.count / channels) { out += pixels[(p * channels)..<(p * channels + kept)] }
    return try Image(rows: rows, columns: columns, channels: kept, frames: frames, pixels: out, metadata: metadata)
  }
}
