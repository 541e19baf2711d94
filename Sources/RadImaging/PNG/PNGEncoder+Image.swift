import Foundation

import RadArchive

/// Images of any channel count and 8- or 16-bit samples: grey, grey + alpha, RGB or RGBA rows
/// with filter type 0, compressed with zlib (the RGB writer above keeps its stored blocks), so
/// what `PNGDecoder` reads back equals what was written.
extension PNGEncoder {
  /// PNG bytes of `image`'s frame `frame`; samples are rounded and clamped to the bit depth.
  public static func encode(_ image: Image, frame: Int = 0, bitDepth: Int = 8) throws -> [UInt8] {
    guard bitDepth == 8 || bitDepth == 16 else { throw ImageError.invalidArgument("PNG bit depth \(bitDepth)") }
    guard frame >= 0, frame < image.frames else {
      throw ImageError.invalidArgument("frame \(frame) is out of range 0..<\(image.frames)")
    }
    let colorType: UInt8
    switch image.channels {
    case 1: colorType = 0
    case 2: colorType = 4
    case 3: colorType = 2
    case 4: colorType = 6
    default: throw ImageError.invalidArgument("\(image.channels) channels cannot be written as PNG")
    }
    let maximum = Float(bitDepth == 8 ? 255 : 65_535)
    let rowSamples = image.columns * image.channels
    let bytesPerSample = bitDepth / 8
    var raw = [UInt8](repeating: 0, count: image.rows * (1 + rowSamples * bytesPerSample))
    let base = frame * image.frameSize
    var at = 0
    for r in 0..<image.rows {
      raw[at] = 0  // filter type None
      at += 1
      for i in 0..<rowSamples {
        let value = image.pixels[base + r * rowSamples + i]
        let clamped = value.isNaN ? 0 : min(max(value.rounded(), 0), maximum)
        let sample = UInt16(clamped)
        if bytesPerSample == 2 {
          raw[at] = UInt8(sample >> 8)
          raw[at + 1] = UInt8(sample & 0xFF)
        } else {
          raw[at] = UInt8(sample)
        }
        at += bytesPerSample
      }
    }
    var header: [UInt8] = []
    appendBigEndian(UInt32(image.columns), to: &header)
    appendBigEndian(UInt32(image.rows), to: &header)
    header += [UInt8(bitDepth), colorType, 0, 0, 0]
    var png = PNGDecoder.signature
    appendChunk("IHDR", header, to: &png)
    appendChunk("IDAT", try deflated(raw), to: &png)
    appendChunk("IEND", [], to: &png)
    return png
  }

  /// Writes `image` to `path` atomically (a temporary file renamed into place).
  public static func write(_ image: Image, to path: String, frame: Int = 0, bitDepth: Int = 8) throws {
    let bytes = try encode(image, frame: frame, bitDepth: bitDepth)
    // Atomic: a reader never sees half a file.
    do {
      try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      throw ImageError.io(path: path, reason: "cannot write: \(error.localizedDescription)")
    }
  }

  static func deflated(_ raw: [UInt8]) throws -> [UInt8] {
    do {
      return try Zlib.deflate(raw, format: .zlib, level: 6)
    } catch {
      throw ImageError.io(path: "PNG", reason: "zlib deflate failed: \(error)")
    }
  }
}
