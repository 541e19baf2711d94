import Foundation

/// An n-dimensional array read from NumPy's `.npy` format (version 1–3): a magic string, a
/// header dict literal giving `descr` (dtype), `fortran_order` and `shape`, then the raw
/// values. Values are held as Double in C (row-major) order, which is exact for every integer
/// and float dtype up to 32 bits and for 64-bit integers below 2^53.
public struct NumPyArray: Sendable, Equatable {
  /// The dimensions (empty for a scalar).
  public let shape: [Int]
  /// The dtype as NumPy writes it (`|u1`, `<f4`, …).
  public let dtype: String
  /// The values in row-major order.
  public let values: [Double]

  public init(shape: [Int], dtype: String, values: [Double]) throws {
    guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == values.count else {
      throw ImageError.shapeMismatch("shape \(shape) does not match \(values.count) values")
    }
    self.shape = shape
    self.dtype = dtype
    self.values = values
  }

  /// Reads the `.npy` file at `path`.
  public init(path: String) throws {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ImageError.io(path: path, reason: "cannot read the file")
    }
    try self.init(npy: [UInt8](data), file: path)
  }

  /// Parses `.npy` bytes; `file` names them in errors.
  public init(npy bytes: [UInt8], file: String) throws {
    let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
    guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
      throw ImageError.malformed(file: file, reason: "not a .npy file (bad magic)")
    }
    let major = bytes[6]
    let headerLength: Int
    let headerStart: Int
    switch major {
    case 1:
      headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
      headerStart = 10
    case 2, 3:
      guard bytes.count >= 12 else { throw ImageError.truncated(file: file, reason: ".npy header length") }
      headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
      headerStart = 12
    default:
      throw ImageError.unsupported(file: file, reason: ".npy format version \(major)")
    }
    guard headerStart + headerLength <= bytes.count else {
      throw ImageError.truncated(file: file, reason: ".npy header of \(headerLength) bytes")
    }
    let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
    let descr = try Self.field("descr", in: header, file: file)
    let fortran = try Self.field("fortran_order", in: header, file: file)
    let shapeText = try Self.field("shape", in: header, file: file)
    let shape = try shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "()"))
      .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
      .map { text -> Int in
        guard let n = Int(text), n >= 0 else { throw ImageError.malformed(file: file, reason: "shape \(shapeText)") }
        return n
      }
    let dtype = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
    let count = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).partialValue }
    let values = try Self.decode(
      bytes[(headerStart + headerLength)...], dtype: dtype, count: count, file: file)
    try self.init(
      shape: shape, dtype: dtype,
      values: fortran == "True" ? Self.fromFortranOrder(values, shape: shape) : values)
  }

  /// The text of `key`'s value in the header dict literal.
  static func field(_ key: String, in header: String, file: String) throws -> String {
    guard let keyRange = header.range(of: "'\(key)'") else {
      throw ImageError.malformed(file: file, reason: ".npy header has no '\(key)'")
    }
    var rest = header[keyRange.upperBound...].drop { $0 == " " || $0 == ":" }
    if rest.first == "(" {
      guard let close = rest.firstIndex(of: ")") else { throw ImageError.malformed(file: file, reason: "shape") }
      return String(rest[...close])
    }
    rest = rest.prefix { $0 != "," && $0 != "}" }
    return rest.trimmingCharacters(in: .whitespaces)
  }

  static func decode(_ bytes: ArraySlice<UInt8>, dtype: String, count: Int, file: String) throws -> [Double] {
    guard dtype.count >= 3, let size = Int(dtype.dropFirst(2)) else {
      throw ImageError.unsupported(file: file, reason: "dtype \(dtype)")
    }
    let order = dtype.first
    let kind = dtype.dropFirst().first
    let little = order != ">"
    guard count.multipliedReportingOverflow(by: size).overflow == false, bytes.count >= count * size else {
      throw ImageError.truncated(
        file: file, reason: "\(count) values of \(dtype) need \(count * size) bytes, have \(bytes.count)")
    }
    var out = [Double](repeating: 0, count: count)
    try bytes.withUnsafeBytes { raw in
      func load<T: FixedWidthInteger>(_: T.Type, _ i: Int) -> T {
        let word = raw.loadUnaligned(fromByteOffset: i * size, as: T.self)
        return little ? T(littleEndian: word) : T(bigEndian: word)
      }
      switch (kind, size) {
      case ("u", 1), ("b", 1): for i in 0..<count { out[i] = Double(raw[i]) }
      case ("i", 1): for i in 0..<count { out[i] = Double(Int8(bitPattern: raw[i])) }
      case ("u", 2): for i in 0..<count { out[i] = Double(load(UInt16.self, i)) }
      case ("i", 2): for i in 0..<count { out[i] = Double(load(Int16.self, i)) }
      case ("u", 4): for i in 0..<count { out[i] = Double(load(UInt32.self, i)) }
      case ("i", 4): for i in 0..<count { out[i] = Double(load(Int32.self, i)) }
      case ("u", 8): for i in 0..<count { out[i] = Double(load(UInt64.self, i)) }
      case ("i", 8): for i in 0..<count { out[i] = Double(load(Int64.self, i)) }
      case ("f", 2): for i in 0..<count { out[i] = Double(Float(Float16Bits.decode(load(UInt16.self, i)))) }
      case ("f", 4): for i in 0..<count { out[i] = Double(Float(bitPattern: load(UInt32.self, i))) }
      case ("f", 8): for i in 0..<count { out[i] = Double(bitPattern: load(UInt64.self, i)) }
      default: throw ImageError.unsupported(file: file, reason: "dtype \(dtype)")
      }
    }
    return out
  }

  /// Column-major values → row-major.
  static func fromFortranOrder(_ values: [Double], shape: [Int]) -> [Double] {
    guard shape.count > 1 else { return values }
    var out = [Double](repeating: 0, count: values.count)
    var index = [Int](repeating: 0, count: shape.count)
    for flat in 0..<values.count {
      // `flat` walks the Fortran order: first axis fastest.
      var rowMajor = 0
      for axis in 0..<shape.count { rowMajor = rowMajor * shape[axis] + index[axis] }
      out[rowMajor] = values[flat]
      for axis in 0..<shape.count {
        index[axis] += 1
        if index[axis] < shape[axis] { break }
        index[axis] = 0
      }
    }
    return out
  }

  /// Image `index` of a stack shaped (N, H, W) or (N, H, W, C), e.g. a MedMNIST split.
  public func image(_ index: Int) throws -> Image {
    guard shape.count == 3 || shape.count == 4, index >= 0, index < shape[0] else {
      throw ImageError.invalidArgument("image \(index) of an array shaped \(shape)")
    }
    let channels = shape.count == 4 ? shape[3] : 1
    let size = shape[1] * shape[2] * channels
    let isBytes = dtype.hasSuffix("u1")
    return try Image(
      rows: shape[1], columns: shape[2], channels: channels,
      pixels: values[(index * size)..<((index + 1) * size)].map { Float($0) },
      metadata: ImageMetadata(format: .npy, maximumSampleValue: isBytes ? 255 : nil))
  }
}

/// IEEE half-precision bits → Float, for `<f2` arrays.
enum Float16Bits {
  static func decode(_ bits: UInt16) -> Float {
    let sign: Float = bits & 0x8000 == 0 ? 1 : -1
    let exponent = Int((bits >> 10) & 0x1F)
    let fraction = Float(bits & 0x3FF)
    switch exponent {
    case 0: return sign * fraction * Float(pow(2.0, -24.0))
    case 31: return fraction == 0 ? sign * .infinity : .nan
    default: return sign * (1 + fraction / 1024) * Float(pow(2.0, Double(exponent - 15)))
    }
  }
}
