import Foundation
import RadTensor

/// Builds a GGUF version 3 file, the format `GGUFFile` reads: a header of typed key/value
/// metadata and tensor descriptions, then the tensor data, each tensor starting at a multiple of
/// the alignment (32 bytes unless `general.alignment` says otherwise). Dimensions are written
/// innermost first (GGUF's `ne` order), the reverse of the numpy-order shapes given here.
/// Tensors are kept in the order added; the file appears atomically.
public struct GGUFWriter: Sendable {
  public struct PendingTensor: Sendable {
    public let name: String
    /// Outermost first, as `GGUFTensorInfo.shape`.
    public let shape: [Int]
    public let type: GGMLType
    public let bytes: [UInt8]
  }

  public private(set) var metadata: [(key: String, value: GGUFValue)] = []
  public private(set) var tensors: [PendingTensor] = []
  /// Tensor data alignment in bytes (GGUF's default 32).
  public private(set) var alignment = 32
  /// Where the file is going (for error messages).
  public let destination: String

  public init(destination: String = "(gguf)") {
    self.destination = destination
  }

  /// Aligns tensor data to `alignment` bytes (a power of two), recorded as `general.alignment`.
  public mutating func setAlignment(_ alignment: Int) throws {
    guard alignment > 0, alignment & (alignment - 1) == 0 else {
      throw ModelFileError.invalidMetadata(
        file: destination, key: "general.alignment", reason: "must be a power of two, got \(alignment)")
    }
    self.alignment = alignment
    set("general.alignment", .uint32(UInt32(alignment)))
  }

  /// Sets `key` (replacing an earlier value of the same key, keeping its place).
  public mutating func set(_ key: String, _ value: GGUFValue) {
    if let i = metadata.firstIndex(where: { $0.key == key }) {
      metadata[i].value = value
    } else {
      metadata.append((key, value))
    }
  }

  /// Adds a tensor from its stored bytes, which must be exactly what `type` needs for `shape`.
  public mutating func addTensor(_ name: String, shape: [Int], type: GGMLType, bytes: [UInt8]) throws {
    guard !tensors.contains(where: { $0.name == name }) else {
      throw ModelFileError.malformedHeader(file: destination, reason: "tensor '\(name)' added twice")
    }
    let (blockWeights, blockBytes) = type.blockGeometry
    let count = shape.reduce(1, *)
    guard shape.allSatisfy({ $0 >= 0 }), (shape.last ?? 1) % blockWeights == 0 else {
      throw ModelFileError.malformedHeader(
        file: destination,
        reason: "tensor '\(name)' has shape \(shape), but \(type) stores rows in blocks of \(blockWeights) weights")
    }
    let expected = count / blockWeights * blockBytes
    guard bytes.count == expected else {
      throw ModelFileError.shapeMismatch(
        file: destination, tensor: name, shape: shape, expectedBytes: expected, actualBytes: bytes.count)
    }
    tensors.append(PendingTensor(name: name, shape: shape, type: type, bytes: bytes))
  }

  /// Adds an F32 tensor converted to `type` (F32, F16, Q8_0 or Q4_1) as gguf-py would store it.
  public mutating func addTensor(_ name: String, _ tensor: Tensor, as type: GGMLType) throws {
    let rowLength = tensor.shape.last ?? 1
    guard let bytes = GGUFWriterQuantization.bytes(tensor.data, rowLength: rowLength, as: type) else {
      throw ModelFileError.unsupportedDType(
        file: destination, tensor: name,
        dtype: "\(type) for shape \(tensor.shape) (writable: F32, F16; Q8_0 and Q4_1 need rows of a multiple of 32)")
    }
    try addTensor(name, shape: tensor.shape, type: type, bytes: bytes)
  }

  /// The complete file.
  public func serialized() -> [UInt8] {
    var out: [UInt8] = []
    func integer<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { out += $0 } }
    func string(_ s: String) {
      integer(UInt64(s.utf8.count))
      out += s.utf8
    }
    func value(_ v: GGUFValue) {
      switch v {
      case .uint8(let x): integer(x)
      case .int8(let x): integer(x)
      case .uint16(let x): integer(x)
      case .int16(let x): integer(x)
      case .uint32(let x): integer(x)
      case .int32(let x): integer(x)
      case .uint64(let x): integer(x)
      case .int64(let x): integer(x)
      case .float32(let x): integer(x.bitPattern)
      case .float64(let x): integer(x.bitPattern)
      case .bool(let x): integer(UInt8(x ? 1 : 0))
      case .string(let s): string(s)
      case .array(let elementType, let values):
        integer(elementType.rawValue)
        integer(UInt64(values.count))
        for element in values { value(element) }
      }
    }
    func pad() { out += [UInt8](repeating: 0, count: (alignment - out.count % alignment) % alignment) }

    integer(UInt32(0x4655_4747))  // "GGUF"
    integer(UInt32(3))
    integer(UInt64(tensors.count))
    integer(UInt64(metadata.count))
    for (key, v) in metadata {
      string(key)
      integer(v.type.rawValue)
      value(v)
    }
    var offset = 0
    for t in tensors {
      string(t.name)
      integer(UInt32(t.shape.count))
      for d in t.shape.reversed() { integer(UInt64(d)) }
      integer(t.type.rawValue)
      integer(UInt64(offset))
      offset += (t.bytes.count + alignment - 1) / alignment * alignment
    }
    pad()
    out.reserveCapacity(out.count + offset)
    for t in tensors {
      out += t.bytes
      pad()
    }
    return out
  }

  /// Writes the file to `url` atomically.
  public func write(to url: URL) throws {
    try AtomicFile.write(serialized(), to: url)
  }
}
