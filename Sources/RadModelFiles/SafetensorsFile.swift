import Foundation
import RadTensor

/// Where one tensor of a safetensors file lives and how it is stored.
public struct SafetensorsTensorInfo: Sendable, Equatable {
  public let name: String
  public let dtype: SafetensorsDType
  /// Shape outermost first.
  public let shape: [Int]
  /// Byte range within the whole file (the header's `data_offsets` plus the data start).
  public let fileRange: Range<Int>
  /// Number of elements.
  public var elementCount: Int { shape.reduce(1, *) }
}

/// A safetensors file, memory-mapped: an 8-byte little-endian header length, a JSON header
/// naming each tensor's dtype, shape and byte range, then the raw little-endian data. Opening
/// validates every entry (known dtype, range inside the data, byte count matching the shape, no
/// two tensors sharing bytes) so that reading a tensor later cannot fail on bad offsets.
public final class SafetensorsFile: @unchecked Sendable {
  public let url: URL
  /// The optional `__metadata__` string map.
  public let metadata: [String: String]
  /// Tensor descriptions in storage order.
  public let tensorInfos: [SafetensorsTensorInfo]
  private let file: MappedFile
  private let index: [String: Int]

  /// Opens and validates the file at `url`.
  public convenience init(url: URL) throws {
    try self.init(file: MappedFile(url: url))
  }

  /// Validates a file already mapped (or held in memory).
  public init(file: MappedFile) throws {
    self.url = URL(fileURLWithPath: file.path)
    self.file = file
    let path = file.path
    guard file.count >= 8 else {
      throw ModelFileError.truncated(file: path, what: "header length", needed: 8, available: file.count)
    }
    let headerLength = file.withBytes(0..<8) { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
    guard headerLength <= UInt64(file.count - 8) else {
      throw ModelFileError.headerLengthPastEnd(file: path, headerLength: headerLength, fileSize: file.count)
    }
    let dataStart = 8 + Int(headerLength)
    let header = try file.withBytes(8..<dataStart) { raw -> Data in
      guard String(validating: raw.bindMemory(to: UInt8.self), as: UTF8.self) != nil else {
        throw ModelFileError.invalidUTF8(file: path, offset: 8)
      }
      return Data(raw)
    }
    let entries: [String: SafetensorsHeaderEntry]
    do {
      entries = try JSONDecoder().decode([String: SafetensorsHeaderEntry].self, from: header)
    } catch let error as ModelFileError {
      throw error
    } catch {
      throw ModelFileError.malformedHeader(file: path, reason: SafetensorsFile.describe(error))
    }
    var metadata: [String: String] = [:]
    var infos: [SafetensorsTensorInfo] = []
    let dataSize = file.count - dataStart
    for (name, entry) in entries.sorted(by: { $0.key < $1.key }) {
      switch entry {
      case .metadata(let m):
        guard name == "__metadata__" else {
          throw ModelFileError.malformedHeader(file: path, reason: "entry '\(name)' has no dtype")
        }
        metadata = m
      case .tensor(let dtypeName, let shape, let offsets):
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
          throw ModelFileError.unknownDType(file: path, tensor: name, dtype: dtypeName)
        }
        guard shape.allSatisfy({ $0 >= 0 }) else {
          throw ModelFileError.malformedHeader(
            file: path, reason: "tensor '\(name)' has a negative dimension in \(shape)")
        }
        guard offsets.count == 2 else {
          throw ModelFileError.malformedHeader(
            file: path, reason: "tensor '\(name)' data_offsets must have two entries")
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin <= end, end <= UInt64(dataSize) else {
          throw ModelFileError.offsetsOutOfRange(file: path, tensor: name, begin: begin, end: end, dataSize: dataSize)
        }
        var expected = dtype.byteSize
        for d in shape {
          let (p, overflow) = expected.multipliedReportingOverflow(by: d)
          guard !overflow else {
            throw ModelFileError.malformedHeader(file: path, reason: "tensor '\(name)' shape \(shape) is too large")
          }
          expected = p
        }
        let actual = Int(end - begin)
        guard expected == actual else {
          throw ModelFileError.shapeMismatch(
            file: path, tensor: name, shape: shape, expectedBytes: expected, actualBytes: actual)
        }
        infos.append(
          SafetensorsTensorInfo(
            name: name, dtype: dtype, shape: shape,
            fileRange: dataStart + Int(begin)..<dataStart + Int(end)))
      }
    }
    infos.sort { ($0.fileRange.lowerBound, $0.name) < ($1.fileRange.lowerBound, $1.name) }
    let nonEmpty = infos.filter { !$0.fileRange.isEmpty }
    for (a, b) in zip(nonEmpty, nonEmpty.dropFirst()) where a.fileRange.overlaps(b.fileRange) {
      throw ModelFileError.overlappingTensors(file: path, first: a.name, second: b.name)
    }
    self.metadata = metadata
    self.tensorInfos = infos
    var index: [String: Int] = [:]
    for (i, t) in infos.enumerated() { index[t.name] = i }
    self.index = index
  }

  /// Tensor names in storage order.
  public var tensorNames: [String] { tensorInfos.map(\.name) }

  /// The description of tensor `name`.
  public func info(_ name: String) throws -> SafetensorsTensorInfo {
    guard let i = index[name] else { throw ModelFileError.tensorNotFound(file: url.path, name: name) }
    return tensorInfos[i]
  }

  /// Tensor `name` converted to F32 (integers are converted by value).
  public func tensor(_ name: String) throws -> Tensor {
    let info = try info(name)
    let count = info.elementCount
    let values: [Float]? = file.withBytes(info.fileRange) { raw in
      switch info.dtype {
      case .f32: return Dequantize.toFloat(raw, type: .f32, count: count)
      case .f16: return Dequantize.toFloat(raw, type: .f16, count: count)
      case .bf16: return Dequantize.toFloat(raw, type: .bf16, count: count)
      case .f64:
        return (0..<count).map {
          Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self))))
        }
      case .i64:
        return (0..<count).map { Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self))) }
      case .i32:
        return (0..<count).map { Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self))) }
      default: return nil
      }
    }
    guard let values else {
      throw ModelFileError.unsupportedDType(file: url.path, tensor: name, dtype: info.dtype.rawValue)
    }
    return Tensor(shape: info.shape, data: values)
  }

  /// The values of an integer tensor (I64, I32, I16, I8, U8, U16, U32; U64 when it fits) exactly,
  /// for index tensors such as BERT's `position_ids`.
  public func int64Values(_ name: String) throws -> [Int64] {
    let info = try info(name)
    let count = info.elementCount
    let values: [Int64]? = file.withBytes(info.fileRange) { raw in
      func load<T: FixedWidthInteger>(_: T.Type) -> [Int64]? {
        var out: [Int64] = []
        out.reserveCapacity(count)
        for i in 0..<count {
          let v = T(littleEndian: raw.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self))
          guard let w = Int64(exactly: v) else { return nil }
          out.append(w)
        }
        return out
      }
      switch info.dtype {
      case .i64: return load(Int64.self)
      case .i32: return load(Int32.self)
      case .i16: return load(Int16.self)
      case .i8: return load(Int8.self)
      case .u64: return load(UInt64.self)
      case .u32: return load(UInt32.self)
      case .u16: return load(UInt16.self)
      case .u8, .bool: return load(UInt8.self)
      default: return nil
      }
    }
    guard let values else {
      throw ModelFileError.unsupportedDType(file: url.path, tensor: name, dtype: info.dtype.rawValue + " as Int64")
    }
    return values
  }

  /// Calls `body` with the stored bytes of tensor `name`; valid only inside `body`.
  public func withRawBytes<R>(
    of name: String, _ body: (UnsafeRawBufferPointer, SafetensorsTensorInfo) throws -> R
  ) throws -> R {
    let info = try info(name)
    return try file.withBytes(info.fileRange) { try body($0, info) }
  }

  static func describe(_ error: Error) -> String {
    switch error {
    case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
      DecodingError.keyNotFound(_, let context), DecodingError.dataCorrupted(let context):
      let path = context.codingPath.map(\.stringValue).joined(separator: ".")
      return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
    default:
      return "\(error)"
    }
  }
}

/// One entry of a safetensors JSON header: a tensor, or the `__metadata__` string map.
enum SafetensorsHeaderEntry: Decodable {
  case tensor(dtype: String, shape: [Int], offsets: [UInt64])
  case metadata([String: String])

  // swift-format-ignore: AlwaysUseLowerCamelCase
  private enum Keys: String, CodingKey { case dtype, shape, data_offsets }

  init(from decoder: Decoder) throws {
    let keyed = try decoder.container(keyedBy: Keys.self)
    if keyed.contains(.dtype) {
      self = .tensor(
        dtype: try keyed.decode(String.self, forKey: .dtype),
        shape: try keyed.decode([Int].self, forKey: .shape),
        offsets: try keyed.decode([UInt64].self, forKey: .data_offsets))
    } else {
      self = .metadata(try decoder.singleValueContainer().decode([String: String].self))
    }
  }
}
