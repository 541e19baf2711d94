import Foundation
import RadArchive

/// Reads PNG files (ISO/IEC 15948): every colour type and bit depth (grey 1/2/4/8/16, grey +
/// alpha, RGB and RGBA 8/16, palette 1/2/4/8 with tRNS transparency), all five scanline
/// filters, and Adam7 interlacing. Samples keep their integer values (a 4-bit grey pixel is
/// 0…15, `maximumSampleValue` 15); palette images become RGB, or RGBA when tRNS is present.
public enum PNGDecoder {
  /// The PNG file's 8-byte signature.
  public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

  /// Decodes the PNG file at `path`.
  public static func decode(path: String) throws -> Image {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ImageError.io(path: path, reason: "cannot read the file")
    }
    var image = try decode([UInt8](data), file: path)
    image.metadata.path = path
    return image
  }

  /// The image header (IHDR) fields.
  struct Header {
    var width: Int
    var height: Int
    var bitDepth: Int
    var colorType: Int
    var interlaced: Bool

    /// Samples per pixel in the file (palette indices count as one).
    var samples: Int {
      switch colorType {
      case 0, 3: return 1
      case 4: return 2
      case 2: return 3
      default: return 4
      }
    }
    var bitsPerPixel: Int { samples * bitDepth }
    /// Bytes from a pixel to the one left of it for filtering (at least 1).
    var filterStride: Int { max(1, bitsPerPixel / 8) }
    func rowBytes(_ width: Int) -> Int { (width * bitsPerPixel + 7) / 8 }
  }

  /// Decodes PNG `bytes`; `file` names them in errors.
  public static func decode(_ bytes: [UInt8], file: String = "PNG") throws -> Image {
    guard bytes.count >= 8, Array(bytes[0..<8]) == signature else {
      throw ImageError.malformed(file: file, reason: "not a PNG file (bad signature)")
    }
    var header: Header?
    var palette: [UInt8] = []
    var transparency: [UInt8] = []
    var compressed: [UInt8] = []
    var offset = 8
    var ended = false
    while offset < bytes.count && !ended {
      guard offset + 12 <= bytes.count else {
        throw ImageError.truncated(file: file, reason: "chunk header at byte \(offset)")
      }
      let length =
        Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
      let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
      guard length <= bytes.count - offset - 12 else {
        throw ImageError.truncated(file: file, reason: "\(type) chunk of \(length) bytes at byte \(offset)")
      }
      let body = Array(bytes[(offset + 8)..<(offset + 8 + length)])
      let stored =
        UInt32(bytes[offset + 8 + length]) << 24 | UInt32(bytes[offset + 9 + length]) << 16
        | UInt32(bytes[offset + 10 + length]) << 8 | UInt32(bytes[offset + 11 + length])
      guard Zlib.crc32(Array(bytes[(offset + 4)..<(offset + 8 + length)])) == stored else {
        throw ImageError.malformed(file: file, reason: "\(type) chunk at byte \(offset) fails its CRC")
      }
      switch type {
      case "IHDR":
        header = try parseHeader(body, file: file)
      case "PLTE":
        guard length % 3 == 0, length <= 768 else {
          throw ImageError.malformed(file: file, reason: "PLTE of \(length) bytes")
        }
        palette = body
      case "tRNS": transparency = body
      case "IDAT": compressed += body
      case "IEND": ended = true
      default:
        // Unknown critical chunks (upper-case first letter) change the meaning of the data.
        if let first = type.utf8.first, first < 0x61 {
          throw ImageError.unsupported(file: file, reason: "critical chunk \(type)")
        }
      }
      offset += 12 + length
    }
    guard let header else { throw ImageError.malformed(file: file, reason: "no IHDR chunk") }
    guard !compressed.isEmpty else { throw ImageError.truncated(file: file, reason: "no IDAT data") }
    let raw: [UInt8]
    do {
      raw = try Zlib.inflate(compressed, format: .zlib)
    } catch {
      throw ImageError.malformed(file: file, reason: "image data does not inflate: \(error)")
    }
    let samples = try unfilter(raw, header: header, file: file)
    return try makeImage(samples, header: header, palette: palette, transparency: transparency, file: file)
  }

  static func parseHeader(_ body: [UInt8], file: String) throws -> Header {
    guard body.count == 13 else { throw ImageError.malformed(file: file, reason: "IHDR of \(body.count) bytes") }
    let width = Int(body[0]) << 24 | Int(body[1]) << 16 | Int(body[2]) << 8 | Int(body[3])
    let height = Int(body[4]) << 24 | Int(body[5]) << 16 | Int(body[6]) << 8 | Int(body[7])
    let header = Header(
      width: width, height: height, bitDepth: Int(body[8]), colorType: Int(body[9]), interlaced: body[12] == 1)
    let allowed: [Int: [Int]] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
    guard let depths = allowed[header.colorType], depths.contains(header.bitDepth) else {
      throw ImageError.malformed(
        file: file, reason: "colour type \(header.colorType) with bit depth \(header.bitDepth)")
    }
    guard width > 0, height > 0, width <= 1 << 24, height <= 1 << 24, width * height <= 1 << 28 else {
      throw ImageError.malformed(file: file, reason: "image size \(width)×\(height)")
    }
    guard body[10] == 0, body[11] == 0, body[12] <= 1 else {
      throw ImageError.malformed(file: file, reason: "unknown compression, filter or interlace method")
    }
    return header
  }

  /// Adam7 passes: (first column, first row, column step, row step).
  static let adam7: [(Int, Int, Int, Int)] = [
    (0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2),
  ]

  /// Undoes the scanline filters (and interlacing) and unpacks samples: `width * height *
  /// samples` integers in row order.
  static func unfilter(_ raw: [UInt8], header: Header, file: String) throws -> [UInt16] {
    var out = [UInt16](repeating: 0, count: header.width * header.height * header.samples)
    let passes = header.interlaced ? adam7 : [(0, 0, 1, 1)]
    var offset = 0
    for (x0, y0, dx, dy) in passes {
      let passWidth = (header.width - x0 + dx - 1) / dx
      let passHeight = (header.height - y0 + dy - 1) / dy
      guard passWidth > 0, passHeight > 0 else { continue }
      let rowBytes = header.rowBytes(passWidth)
      var previous = [UInt8](repeating: 0, count: rowBytes)
      var current = [UInt8](repeating: 0, count: rowBytes)
      for row in 0..<passHeight {
        guard offset + 1 + rowBytes <= raw.count else {
          throw ImageError.truncated(file: file, reason: "image data ends in row \(row) of pass \(x0),\(y0)")
        }
        let filter = raw[offset]
        for i in 0..<rowBytes { current[i] = raw[offset + 1 + i] }
        offset += 1 + rowBytes
        try applyFilter(filter, &current, previous: previous, stride: header.filterStride, file: file)
        unpack(current, into: &out, header: header, row: y0 + row * dy, x0: x0, dx: dx, count: passWidth)
        swap(&previous, &current)
      }
    }
    return out
  }

  static func applyFilter(_ filter: UInt8, _ row: inout [UInt8], previous: [UInt8], stride: Int, file: String) throws {
    let n = row.count
    switch filter {
    case 0: break
    case 1: for i in stride..<max(stride, n) { row[i] &+= row[i - stride] }
    case 2: for i in 0..<n { row[i] &+= previous[i] }
    case 3:
      for i in 0..<n {
        let left = i >= stride ? Int(row[i - stride]) : 0
        row[i] &+= UInt8((left + Int(previous[i])) / 2)
      }
    case 4:
      for i in 0..<n {
        let a = i >= stride ? Int(row[i - stride]) : 0
        let b = Int(previous[i])
        let c = i >= stride ? Int(previous[i - stride]) : 0
        let p = a + b - c
        let pa = abs(p - a)
        let pb = abs(p - b)
        let pc = abs(p - c)
        row[i] &+= UInt8(pa <= pb && pa <= pc ? a : (pb <= pc ? b : c))
      }
    default: throw ImageError.malformed(file: file, reason: "unknown filter type \(filter)")
    }
  }

  /// Writes the samples of one unfiltered row into `out` at the pass's positions.
  static func unpack(_ row: [UInt8], into out: inout [UInt16], header: Header, row y: Int, x0: Int, dx: Int, count: Int)
  {
    let samples = header.samples
    for i in 0..<count {
      let base = (y * header.width + x0 + i * dx) * samples
      for s in 0..<samples {
        let index = i * samples + s
        switch header.bitDepth {
        case 16: out[base + s] = UInt16(row[2 * index]) << 8 | UInt16(row[2 * index + 1])
        case 8: out[base + s] = UInt16(row[index])
        default:
          let bit = index * header.bitDepth
          let shift = 8 - header.bitDepth - bit % 8
          out[base + s] = UInt16((row[bit / 8] >> UInt8(shift)) & UInt8((1 << header.bitDepth) - 1))
        }
      }
    }
  }

  static func makeImage(_ samples: [UInt16], header: Header, palette: [UInt8], transparency: [UInt8], file: String)
    throws -> Image
  {
    var metadata = ImageMetadata(format: .png, bitsStored: header.bitDepth)
    guard header.colorType == 3 else {
      metadata.maximumSampleValue = Double((1 << header.bitDepth) - 1)
      metadata.photometric = ["MONOCHROME2", "", "RGB", "", "MONOCHROME2+ALPHA", "", "RGBA"][header.colorType]
      return try Image(
        rows: header.height, columns: header.width, channels: header.samples, pixels: samples.map { Float($0) },
        metadata: metadata)
    }
    guard !palette.isEmpty else { throw ImageError.malformed(file: file, reason: "palette image without PLTE") }
    let entries = palette.count / 3
    let channels = transparency.isEmpty ? 3 : 4
    var pixels = [Float](repeating: 0, count: samples.count * channels)
    for (i, index) in samples.enumerated() {
      let entry = Int(index)
      guard entry < entries else {
        throw ImageError.malformed(file: file, reason: "palette index \(entry) beyond \(entries) entries")
      }
      for c in 0..<3 { pixels[i * channels + c] = Float(palette[entry * 3 + c]) }
      if channels == 4 { pixels[i * 4 + 3] = entry < transparency.count ? Float(transparency[entry]) : 255 }
    }
    metadata.maximumSampleValue = 255
    metadata.bitsStored = 8
    metadata.photometric = channels == 4 ? "RGBA" : "RGB"
    return try Image(rows: header.height, columns: header.width, channels: channels, pixels: pixels, metadata: metadata)
  }
}
