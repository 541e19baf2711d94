import RadTensor

/// A bounds-checked little-endian reader over a byte buffer. Every read checks the remaining
/// length first and throws `ModelFileError.truncated`, so parsers built on it cannot read past
/// the end of a damaged file.
struct ByteCursor {
  let bytes: UnsafeRawBufferPointer
  let file: String
  var offset = 0

  init(_ bytes: UnsafeRawBufferPointer, file: String, offset: Int = 0) {
    self.bytes = bytes
    self.file = file
    self.offset = offset
  }

  var remaining: Int { bytes.count - offset }

  mutating func require(_ n: Int, _ what: @autoclosure () -> String) throws {
    guard n >= 0, n <= remaining else {
      throw ModelFileError.truncated(file: file, what: what(), needed: n, available: max(remaining, 0))
    }
  }

  mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: @autoclosure () -> String) throws -> T {
    try require(MemoryLayout<T>.size, what())
    let v = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
    offset += MemoryLayout<T>.size
    return T(littleEndian: v)
  }

  mutating func readFloat(_ what: @autoclosure () -> String) throws -> Float {
    Float(bitPattern: try read(UInt32.self, what()))
  }

  mutating func readDouble(_ what: @autoclosure () -> String) throws -> Double {
    Double(bitPattern: try read(UInt64.self, what()))
  }

  /// A UTF-8 string of `length` bytes; invalid UTF-8 throws.
  mutating func readString(length: UInt64, _ what: @autoclosure () -> String) throws -> String {
    guard length <= UInt64(remaining) else {
      throw ModelFileError.truncated(
        file: file, what: what(), needed: Int(clamping: length), available: remaining)
    }
    let n = Int(length)
    let start = offset
    let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<start + n])
    let units = slice.bindMemory(to: UInt8.self)
    guard let s = String(validating: units, as: UTF8.self) else {
      throw ModelFileError.invalidUTF8(file: file, offset: start)
    }
    offset += n
    return s
  }
}
