import Foundation
import RadTensor

/// Where one tensor of a GGUF file lives and how it is stored.
public struct GGUFTensorInfo: Sendable, Equatable {
  public let name: String
  /// Shape outermost first (numpy order): the reverse of GGUF's `ne`, whose first entry is the
  /// row length.
  public let shape: [Int]
  /// Storage type.
  public let type: GGMLType
  /// Byte offset from the start of the file.
  public let fileOffset: Int
  /// Number of stored bytes.
  public let byteCount: Int
  /// Number of weights.
  public var elementCount: Int { shape.reduce(1, *) }
}

/// A GGUF model file (versions 2 and 3), memory-mapped: the llama.cpp container that holds a
/// model's hyper-parameters and tokenizer as typed key/values and its weights as F32, F16 or
/// block-quantised tensors. Opening validates the whole header (every string, every tensor's
/// byte range and alignment); tensors are dequantised to F32 only when asked for.
public final class GGUFFile: @unchecked Sendable {
  public let url: URL
  public let version: UInt32
  /// Key/value metadata in file order.
  public let metadata: [(key: String, value: GGUFValue)]
  /// Tensor descriptions in file order.
  public let tensorInfos: [GGUFTensorInfo]
  /// Data alignment (`general.alignment`, default 32).
  public let alignment: Int
  /// Byte offset of the tensor data section.
  public let dataOffset: Int
  private let file: MappedFile
  private let metadataIndex: [String: Int]
  private let tensorIndex: [String: Int]

  static let magic: UInt32 = 0x4655_4747  // "GGUF" little-endian
  /// Nesting limit for arrays of arrays: deeper is certainly a damaged file, and the limit keeps
  /// recursion bounded.
  static let maxArrayDepth = 16

  /// Opens and validates the file at `url`.
  public convenience init(url: URL) throws {
    try self.init(file: MappedFile(url: url))
  }

  /// Validates a file already mapped (or held in memory).
  public init(file: MappedFile) throws {
    self.url = URL(fileURLWithPath: file.path)
    self.file = file
    let path = file.path
    let parsed = try file.withAllBytes { bytes in try GGUFFile.parse(bytes, path: path) }
    (version, metadata, tensorInfos, alignment, dataOffset) = parsed
    var mIndex: [String: Int] = [:]
    for (i, kv) in metadata.enumerated() { mIndex[kv.key] = i }
    metadataIndex = mIndex
    var tIndex: [String: Int] = [:]
    for (i, t) in tensorInfos.enumerated() { tIndex[t.name] = i }
    tensorIndex = tIndex
  }

  /// Tensor names in file order.
  public var tensorNames: [String] { tensorInfos.map(\.name) }

  /// The metadata value for `key`, if present.
  public subscript(key: String) -> GGUFValue? {
    metadataIndex[key].map { metadata[$0].value }
  }

  /// The description of tensor `name`.
  public func info(_ name: String) throws -> GGUFTensorInfo {
    guard let i = tensorIndex[name] else {
      throw ModelFileError.tensorNotFound(file: url.path, name: name)
    }
    return tensorInfos[i]
  }

  /// Tensor `name` dequantised to F32, shaped outermost first.
  public func tensor(_ name: String) throws -> Tensor {
    let info = try info(name)
    guard info.type.isDequantizable else {
      throw ModelFileError.unsupportedDType(file: url.path, tensor: name, dtype: "\(info.type)")
    }
    let values = file.withBytes(info.fileOffset..<info.fileOffset + info.byteCount) { raw in
      Dequantize.toFloat(raw, type: info.type, count: info.elementCount)
    }
    guard let values else {
      // Unreachable for a validated header; kept as an error rather than a trap.
      throw ModelFileError.shapeMismatch(
        file: url.path, tensor: name, shape: info.shape, expectedBytes: info.byteCount,
        actualBytes: info.byteCount)
    }
    return Tensor(shape: info.shape, data: values)
  }

  /// Calls `body` with the stored (possibly quantised) bytes of tensor `name`, for kernels that
  /// compute on blocks directly. The buffer is valid only inside `body`.
  public func withRawBytes<R>(
    of name: String, _ body: (UnsafeRawBufferPointer, GGUFTensorInfo) throws -> R
  ) throws -> R {
    let info = try info(name)
    return try file.withBytes(info.fileOffset..<info.fileOffset + info.byteCount) { try body($0, info) }
  }

  /// A copy of the stored bytes of tensor `name`.
  public func rawBytes(of name: String) throws -> [UInt8] {
    try withRawBytes(of: name) { raw, _ in [UInt8](raw) }
  }

  // MARK: Parsing

  private static func parse(_ bytes: UnsafeRawBufferPointer, path: String) throws -> (
    UInt32, [(String, GGUFValue)], [GGUFTensorInfo], Int, Int
  ) {
    var c = ByteCursor(bytes, file: path)
    guard bytes.count >= 4 else {
      throw ModelFileError.truncated(file: path, what: "magic", needed: 4, available: bytes.count)
    }
    let magicValue = try c.read(UInt32.self, "magic")
    guard magicValue == magic else {
      let shown = (0..<4).map { String(format: "%02x", bytes[$0]) }.joined()
      throw ModelFileError.badMagic(file: path, found: "0x" + shown)
    }
    let version = try c.read(UInt32.self, "version")
    guard version == 2 || version == 3 else {
      throw ModelFileError.unsupportedVersion(file: path, version: version)
    }
    let tensorCount = try c.read(UInt64.self, "tensor count")
    let kvCount = try c.read(UInt64.self, "metadata count")
    // Every key/value needs at least 12 bytes and every tensor info at least 24: larger counts
    // cannot fit, and checking first avoids reserving absurd capacities.
    guard kvCount <= UInt64(c.remaining / 12) else {
      throw ModelFileError.truncated(
        file: path, what: "\(kvCount) metadata entries", needed: Int(clamping: kvCount &* 12),
        available: c.remaining)
    }
    var metadata: [(String, GGUFValue)] = []
    metadata.reserveCapacity(Int(kvCount))
    for i in 0..<Int(kvCount) {
      let keyLength = try c.read(UInt64.self, "length of metadata key \(i)")
      let key = try c.readString(length: keyLength, "metadata key \(i)")
      let rawType = try c.read(UInt32.self, "type of metadata '\(key)'")
      guard let type = GGUFValueType(rawValue: rawType) else {
        throw ModelFileError.invalidMetadata(file: path, key: key, reason: "unknown value type \(rawType)")
      }
      let value = try readValue(&c, type: type, key: key, depth: 0)
      metadata.append((key, value))
    }
    var alignment = 32
    if let entry = metadata.last(where: { $0.0 == "general.alignment" }) {
      guard let a = entry.1.intValue, a > 0, a & (a - 1) == 0 else {
        throw ModelFileError.invalidMetadata(
          file: path, key: "general.alignment", reason: "must be a power of two, got \(entry.1)")
      }
      alignment = a
    }
    guard tensorCount <= UInt64(c.remaining / 24) else {
      throw ModelFileError.truncated(
        file: path, what: "\(tensorCount) tensor infos", needed: Int(clamping: tensorCount &* 24),
        available: c.remaining)
    }
    var raw: [(name: String, dims: [Int], type: GGMLType, offset: UInt64)] = []
    raw.reserveCapacity(Int(tensorCount))
    for i in 0..<Int(tensorCount) {
      let nameLength = try c.read(UInt64.self, "length of tensor name \(i)")
      let name = try c.readString(length: nameLength, "tensor name \(i)")
      let nDims = try c.read(UInt32.self, "rank of tensor '\(name)'")
      guard nDims <= 8 else {
        throw ModelFileError.malformedHeader(file: path, reason: "tensor '\(name)' has rank \(nDims) (at most 8)")
      }
      var dims: [Int] = []
      for _ in 0..<Int(nDims) {
        let d = try c.read(UInt64.self, "dimensions of tensor '\(name)'")
        guard d <= UInt64(Int32.max) else {
          throw ModelFileError.malformedHeader(file: path, reason: "tensor '\(name)' has dimension \(d)")
        }
        dims.append(Int(d))
      }
      let rawType = try c.read(UInt32.self, "type of tensor '\(name)'")
      guard let type = GGMLType(rawValue: rawType) else {
        throw ModelFileError.unknownDType(file: path, tensor: name, dtype: "GGML type \(rawType)")
      }
      let offset = try c.read(UInt64.self, "data offset of tensor '\(name)'")
      raw.append((name, dims, type, offset))
    }
    let dataOffset = (c.offset + alignment - 1) / alignment * alignment
    let dataSize = max(bytes.count - dataOffset, 0)
    var infos: [GGUFTensorInfo] = []
    infos.reserveCapacity(raw.count)
    var seen = Set<String>()
    for t in raw {
      guard seen.insert(t.name).inserted else {
        throw ModelFileError.malformedHeader(file: path, reason: "tensor '\(t.name)' appears twice")
      }
      var count = 1
      for d in t.dims {
        let (product, overflow) = count.multipliedReportingOverflow(by: d)
        guard !overflow else {
          throw ModelFileError.malformedHeader(file: path, reason: "tensor '\(t.name)' is too large")
        }
        count = product
      }
      let shape = Array(t.dims.reversed())
      let (blockWeights, blockBytes) = t.type.blockGeometry
      let rowLength = t.dims.first ?? 1
      guard rowLength % blockWeights == 0 else {
        throw ModelFileError.malformedHeader(
          file: path,
          reason:
            "tensor '\(t.name)' has shape \(shape), but \(t.type) stores rows in blocks of \(blockWeights) weights")
      }
      let (byteCount, bytesOverflow) = (count / blockWeights).multipliedReportingOverflow(by: blockBytes)
      guard !bytesOverflow else {
        throw ModelFileError.malformedHeader(file: path, reason: "tensor '\(t.name)' is too large")
      }
      guard t.offset % UInt64(alignment) == 0 else {
        throw ModelFileError.misalignedTensor(file: path, tensor: t.name, offset: t.offset, alignment: alignment)
      }
      let end = t.offset.addingReportingOverflow(UInt64(byteCount))
      guard !end.overflow, end.partialValue <= UInt64(dataSize) else {
        throw ModelFileError.offsetsOutOfRange(
          file: path, tensor: t.name, begin: t.offset, end: end.partialValue, dataSize: dataSize)
      }
      infos.append(
        GGUFTensorInfo(
          name: t.name, shape: shape, type: t.type, fileOffset: dataOffset + Int(t.offset),
          byteCount: byteCount))
    }
    let byStart = infos.filter { $0.byteCount > 0 }.sorted { $0.fileOffset < $1.fileOffset }
    for (a, b) in zip(byStart, byStart.dropFirst()) where a.fileOffset + a.byteCount > b.fileOffset {
      throw ModelFileError.overlappingTensors(file: path, first: a.name, second: b.name)
    }
    return (version, metadata, infos, alignment, dataOffset)
  }

  private static func readValue(
    _ c: inout ByteCursor, type: GGUFValueType, key: String, depth: Int
  ) throws -> GGUFValue {
    let what = "value of metadata '\(key)'"
    switch type {
    case .uint8: return .uint8(try c.read(UInt8.self, what))
    case .int8: return .int8(try c.read(Int8.self, what))
    case .uint16: return .uint16(try c.read(UInt16.self, what))
    case .int16: return .int16(try c.read(Int16.self, what))
    case .uint32: return .uint32(try c.read(UInt32.self, what))
    case .int32: return .int32(try c.read(Int32.self, what))
    case .uint64: return .uint64(try c.read(UInt64.self, what))
    case .int64: return .int64(try c.read(Int64.self, what))
    case .float32: return .float32(try c.readFloat(what))
    case .float64: return .float64(try c.readDouble(what))
    case .bool:
      let b = try c.read(UInt8.self, what)
      guard b <= 1 else {
        throw ModelFileError.invalidMetadata(file: c.file, key: key, reason: "bool byte \(b)")
      }
      return .bool(b == 1)
    case .string:
      let length = try c.read(UInt64.self, "string length of metadata '\(key)'")
      return .string(try c.readString(length: length, what))
    case .array:
      guard depth < maxArrayDepth else {
        throw ModelFileError.invalidMetadata(file: c.file, key: key, reason: "arrays nested too deeply")
      }
      let rawElement = try c.read(UInt32.self, "array type of metadata '\(key)'")
      guard let elementType = GGUFValueType(rawValue: rawElement) else {
        throw ModelFileError.invalidMetadata(
          file: c.file, key: key, reason: "unknown array element type \(rawElement)")
      }
      let count = try c.read(UInt64.self, "array length of metadata '\(key)'")
      // Each element takes at least one byte, so a longer array cannot fit in what remains.
      guard count <= UInt64(c.remaining) else {
        throw ModelFileError.truncated(
          file: c.file, what: "array of \(count) elements in metadata '\(key)'",
          needed: Int(clamping: count), available: c.remaining)
      }
      var values: [GGUFValue] = []
      values.reserveCapacity(Int(count))
      for _ in 0..<Int(count) {
        values.append(try readValue(&c, type: elementType, key: key, depth: depth + 1))
      }
      return .array(elementType: elementType, values: values)
    }
  }
}
