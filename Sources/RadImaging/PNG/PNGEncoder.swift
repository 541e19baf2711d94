/// Writes 8-bit RGB images as PNG files without any image library: the pixel rows, each
/// prefixed by filter type 0, go into a zlib stream made of stored (uncompressed) deflate
/// blocks with an Adler-32 trailer, wrapped in IHDR/IDAT/IEND chunks that each end in a CRC-32
/// (PNG specification, RFC 1950, RFC 1951). Files are larger than compressed ones, but every
/// viewer reads them and the encoder stays a page long.
public enum PNGEncoder {
  /// PNG bytes of a `width`×`height` image; `rgb` holds 3 bytes per pixel, row by row.
  public static func encode(width: Int, height: Int, rgb: [UInt8]) -> [UInt8] {
    precondition(
      width > 0 && height > 0 && rgb.count == width * height * 3, "RGB buffer does not match \(width)×\(height)")
    var raw: [UInt8] = []
    raw.reserveCapacity((width * 3 + 1) * height)
    for y in 0..<height {
      raw.append(0)  // filter type None
      raw += rgb[(y * width * 3)..<((y + 1) * width * 3)]
    }
    var header: [UInt8] = []
    appendBigEndian(UInt32(width), to: &header)
    appendBigEndian(UInt32(height), to: &header)
    header += [8, 2, 0, 0, 0]  // bit depth 8, colour type RGB, deflate, no filter variants, no interlace
    var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    appendChunk("IHDR", header, to: &png)
    appendChunk("IDAT", zlibStored(raw), to: &png)
    appendChunk("IEND", [], to: &png)
    return png
  }

  /// A zlib stream (RFC 1950) holding `data` in stored deflate blocks of at most 65 535 bytes.
  public static func zlibStored(_ data: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0x78, 0x01]  // deflate, 32 KiB window; check bits make 0x7801 a multiple of 31
    var start = 0
    repeat {
      let length = min(65_535, data.count - start)
      let final: UInt8 = start + length == data.count ? 1 : 0
      out.append(final)  // BFINAL, BTYPE 00 (stored)
      out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
      out += data[start..<(start + length)]
      start += length
    } while start < data.count
    appendBigEndian(adler32(data), to: &out)
    return out
  }

  /// CRC-32 (ISO 3309, reflected polynomial 0xEDB88320), as PNG chunks and zlib.crc32 use.
  public static func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes { crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
    return crc ^ 0xFFFF_FFFF
  }

  /// Adler-32 (RFC 1950): two running sums modulo 65 521, reduced every 5 552 bytes so that
  /// 32-bit sums cannot overflow.
  public static func adler32(_ bytes: [UInt8]) -> UInt32 {
    var a: UInt32 = 1
    var b: UInt32 = 0
    var index = 0
    while index < bytes.count {
      let end = min(index + 5552, bytes.count)
      for i in index..<end {
        a &+= UInt32(bytes[i])
        b &+= a
      }
      a %= 65_521
      b %= 65_521
      index = end
    }
    return b << 16 | a
  }

  static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
    var c = UInt32(n)
    for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
  }

  static func appendBigEndian(_ value: UInt32, to bytes: inout [UInt8]) {
    bytes += [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
  }

  static func appendChunk(_ type: String, _ data: [UInt8], to png: inout [UInt8]) {
    appendBigEndian(UInt32(data.count), to: &png)
    let body = Array(type.utf8) + data
    png += body
    appendBigEndian(crc32(body), to: &png)
  }
}
