import CZlib

/// DEFLATE compression (RFC 1951) in the three wrappings files use: zlib streams (PNG, deflated
/// DICOM needs raw), raw deflate (zip members, deflated DICOM) and gzip (`.gz`, `.tgz`). It calls
/// the system zlib, so every stream zlib writes or accepts is handled the same way here.
public enum Zlib {
  /// How the deflate data is wrapped.
  public enum Format: Sendable {
    /// RFC 1950 header and Adler-32 trailer.
    case zlib
    /// Bare RFC 1951 data.
    case raw
    /// RFC 1952 header and CRC-32 trailer; concatenated members are read one after another.
    case gzip

    var windowBits: Int32 {
      switch self {
      case .zlib: return 15
      case .raw: return -15
      case .gzip: return 31
      }
    }
  }

  /// Decompresses a whole stream. Trailing bytes after the end of a zlib or raw stream are
  /// ignored (deflated DICOM pads to an even length); a stream that ends early is an error.
  public static func inflate(_ bytes: [UInt8], format: Format = .zlib) throws(ArchiveError) -> [UInt8] {
    var output: [UInt8] = []
    output.reserveCapacity(max(bytes.count * 3, 4096))
    var offset = 0
    repeat {
      let consumed = try inflateMember(bytes, from: offset, format: format, into: &output)
      offset += consumed
      // gzip files may hold several members back to back; skip zero padding between them.
      guard format == .gzip else { break }
      while offset < bytes.count && bytes[offset] == 0 { offset += 1 }
    } while offset < bytes.count
    return output
  }

  /// Inflates one stream starting at `start`, appending to `output`; returns the bytes consumed.
  private static func inflateMember(
    _ bytes: [UInt8], from start: Int, format: Format, into output: inout [UInt8]
  ) throws(ArchiveError) -> Int {
    var stream = z_stream()
    var status = inflateInit2_(&stream, format.windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    guard status == Z_OK else { throw ArchiveError("zlib could not start inflating (status \(status))") }
    defer { inflateEnd(&stream) }
    let chunk = 1 << 16
    var buffer = [UInt8](repeating: 0, count: chunk)
    let remaining = bytes.count - start
    status = bytes.withUnsafeBufferPointer { input -> Int32 in
      stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress.map { $0 + start })
      stream.avail_in = UInt32(clamping: remaining)
      var result: Int32 = Z_OK
      repeat {
        let produced = buffer.withUnsafeMutableBufferPointer { out -> Int in
          stream.next_out = out.baseAddress
          stream.avail_out = UInt32(chunk)
          result = CZlib.inflate(&stream, Z_NO_FLUSH)
          return chunk - Int(stream.avail_out)
        }
        output.append(contentsOf: buffer[0..<produced])
        if result == Z_BUF_ERROR && stream.avail_in == 0 { break }
      } while result == Z_OK
      return result
    }
    switch status {
    case Z_STREAM_END:
      return remaining - Int(stream.avail_in)
    case Z_BUF_ERROR, Z_OK:
      throw ArchiveError("compressed data ends early (truncated \(format) stream)")
    case Z_DATA_ERROR:
      let message = stream.msg.map { String(cString: $0) } ?? "invalid data"
      throw ArchiveError("corrupt \(format) stream: \(message)")
    default:
      throw ArchiveError("zlib failed while inflating (status \(status))")
    }
  }

  /// Compresses `bytes` at `level` (0 = stored … 9 = smallest; 6 is zlib's default).
  public static func deflate(_ bytes: [UInt8], format: Format = .zlib, level: Int32 = 6) throws(ArchiveError)
    -> [UInt8]
  {
    guard (0...9).contains(level) else { throw ArchiveError("compression level \(level) is outside 0...9") }
    var stream = z_stream()
    let status = deflateInit2_(
      &stream, level, Z_DEFLATED, format.windowBits, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
      Int32(MemoryLayout<z_stream>.size))
    guard status == Z_OK else { throw ArchiveError("zlib could not start deflating (status \(status))") }
    defer { deflateEnd(&stream) }
    let bound = Int(deflateBound(&stream, UInt(bytes.count))) + 32
    var output = [UInt8](repeating: 0, count: bound)
    let result = bytes.withUnsafeBufferPointer { input in
      output.withUnsafeMutableBufferPointer { out -> Int32 in
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
        stream.avail_in = UInt32(clamping: input.count)
        stream.next_out = out.baseAddress
        stream.avail_out = UInt32(clamping: out.count)
        return CZlib.deflate(&stream, Z_FINISH)
      }
    }
    guard result == Z_STREAM_END else { throw ArchiveError("zlib failed while deflating (status \(result))") }
    output.removeSubrange(Int(stream.total_out)...)
    return output
  }

  /// CRC-32 (ISO 3309), as PNG chunks, gzip and zip use; `initial` continues a running value.
  public static func crc32(_ bytes: [UInt8], initial: UInt32 = 0) -> UInt32 {
    bytes.withUnsafeBufferPointer { buffer in
      var value = UInt(initial)
      var start = 0
      repeat {  // zlib takes 32-bit lengths: feed larger buffers in pieces
        let count = min(buffer.count - start, 1 << 30)
        value = CZlib.crc32(value, buffer.baseAddress.map { $0 + start }, UInt32(count))
        start += count
      } while start < buffer.count
      return UInt32(truncatingIfNeeded: value)
    }
  }

  /// Adler-32, the zlib stream checksum.
  public static func adler32(_ bytes: [UInt8], initial: UInt32 = 1) -> UInt32 {
    bytes.withUnsafeBufferPointer { buffer in
      var value = UInt(initial)
      var start = 0
      repeat {
        let count = min(buffer.count - start, 1 << 30)
        value = CZlib.adler32(value, buffer.baseAddress.map { $0 + start }, UInt32(count))
        start += count
      } while start < buffer.count
      return UInt32(truncatingIfNeeded: value)
    }
  }
}
