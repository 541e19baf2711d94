import Foundation
import RadArchive
import RadTensor

/// Where one tensor of a PyTorch checkpoint lives: its storage, element type, offset and strides.
public struct TorchTensorInfo: Sendable, Equatable {
  public let name: String
  /// Torch's storage class name without "Storage" (`Float`, `Half`, `BFloat16`, `Long`, …).
  public let storageType: String
  public let storageKey: String
  /// Offset into the storage, in elements.
  public let storageOffset: Int
  public let shape: [Int]
  /// Strides in elements (a transposed or channels-last view has non-row-major strides).
  public let strides: [Int]
  public var elementCount: Int { shape.reduce(1, *) }
}

/// A PyTorch `.pth`/`.pt` state dict read without Python: the pickle that maps names to tensors
/// (`torch._utils._rebuild_tensor_v2` calls on persistent storage ids) and the raw storages,
/// either in the legacy single-stream layout (before torch 1.6, and what
/// `_use_new_zipfile_serialization=False` writes) or the zip layout (`archive/data.pkl` plus
/// `archive/data/KEY` members; read through `zipMember`). Tensors come out as F32 in row-major
/// order whatever their strides.
public final class TorchCheckpoint: @unchecked Sendable {
  public let url: URL
  /// Tensor descriptions in the state dict's order.
  public let tensorInfos: [TorchTensorInfo]
  /// Raw little-endian bytes of each storage by key.
  private let storages: [String: [UInt8]]
  private let index: [String: Int]

  /// The magic number torch's legacy format pickles first (0x1950a86a20f9469cfc6c, little-endian).
  static let legacyMagic: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]

  /// Opens a checkpoint in either layout (zip members through RadArchive's `ZipArchive`).
  public convenience init(url: URL) throws {
    let bytes: [UInt8]
    do {
      bytes = [UInt8](try Data(contentsOf: url))
    } catch {
      throw ModelFileError.io(file: url.path, reason: "cannot read: \(error.localizedDescription)")
    }
    if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
      let archive: ZipArchive
      do {
        archive = try ZipArchive(bytes: bytes, path: url.path)
      } catch {
        throw ModelFileError.malformedHeader(file: url.path, reason: "zip archive: \(error.reason)")
      }
      try self.init(url: url, memberNames: archive.entryNames) { name in
        do {
          return try archive.data(named: name)
        } catch {
          throw ModelFileError.malformedHeader(file: url.path, reason: "zip member \(name): \(error)")
        }
      }
    } else {
      try self.init(legacyBytes: bytes, url: url)
    }
  }

  /// Parses the legacy layout held in memory: magic, protocol version and system-info pickles, the
  /// state-dict pickle, a pickled list of storage keys, then per key an int64 element count and
  /// the storage's bytes.
  public convenience init(legacyBytes bytes: [UInt8], url: URL) throws {
    let path = url.path
    if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
      throw ModelFileError.badMagic(file: path, found: "a zip archive, not the legacy stream")
    }
    var reader = PickleReader(bytes: bytes, file: path)
    guard bytes.count > 2, bytes[0] == 0x80, case .largeInt(let magic) = try reader.read(), magic == Self.legacyMagic
    else {
      throw ModelFileError.badMagic(file: path, found: "no torch legacy magic number")
    }
    var rest = PickleReader(bytes: bytes, file: path, offset: reader.offset)
    _ = try rest.read()  // protocol version (1001)
    rest = PickleReader(bytes: bytes, file: path, offset: rest.offset)
    _ = try rest.read()  // system information
    var main = PickleReader(bytes: bytes, file: path, offset: rest.offset)
    let root = try main.read()
    var keysReader = PickleReader(bytes: bytes, file: path, offset: main.offset)
    guard let keys = try keysReader.read().elements else {
      throw ModelFileError.malformedHeader(file: path, reason: "storage key list is not a list")
    }
    let infos = try Self.tensors(in: root, file: path)
    let sizes = Self.elementSizes(infos)
    var storages: [String: [UInt8]] = [:]
    var offset = keysReader.offset
    for keyValue in keys {
      guard case .string(let key) = keyValue else {
        throw ModelFileError.malformedHeader(file: path, reason: "storage key is not a string")
      }
      guard offset + 8 <= bytes.count else {
        throw ModelFileError.truncated(
          file: path, what: "storage \(key) size", needed: 8, available: bytes.count - offset)
      }
      var count: UInt64 = 0
      for i in 0..<8 { count |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
      offset += 8
      let elementSize = sizes[key] ?? 4
      let (byteCount, overflow) = Int(clamping: count).multipliedReportingOverflow(by: elementSize)
      guard !overflow, byteCount <= bytes.count - offset else {
        throw ModelFileError.truncated(
          file: path, what: "storage \(key)", needed: overflow ? Int.max : byteCount, available: bytes.count - offset)
      }
      storages[key] = Array(bytes[offset..<(offset + byteCount)])
      offset += byteCount
    }
    try self.init(url: url, infos: infos, storages: storages)
  }

  /// Parses the zip layout: `memberNames` lists the archive's members and `member` returns one's
  /// bytes (stored or inflated by the caller's zip reader).
  public convenience init(url: URL, memberNames: [String], member: (String) throws -> [UInt8]) throws {
    let path = url.path
    guard let pickleName = memberNames.first(where: { $0 == "data.pkl" || $0.hasSuffix("/data.pkl") }) else {
      throw ModelFileError.malformedHeader(file: path, reason: "zip archive has no data.pkl member")
    }
    let prefix = String(pickleName.dropLast("data.pkl".count))
    var reader = PickleReader(bytes: try member(pickleName), file: path)
    let infos = try Self.tensors(in: try reader.read(), file: path)
    var storages: [String: [UInt8]] = [:]
    for key in Set(infos.map(\.storageKey)) {
      let name = prefix + "data/" + key
      guard memberNames.contains(name) else {
        throw ModelFileError.malformedHeader(file: path, reason: "storage member \(name) is missing")
      }
      storages[key] = try member(name)
    }
    try self.init(url: url, infos: infos, storages: storages)
  }

  private init(url: URL, infos: [TorchTensorInfo], storages: [String: [UInt8]]) throws {
    // Every view must lie inside its storage, so reading a tensor later cannot fail on bounds.
    for info in infos {
      guard let storage = storages[info.storageKey] else {
        throw ModelFileError.malformedHeader(
          file: url.path, reason: "tensor '\(info.name)' names missing storage \(info.storageKey)")
      }
      let size = Self.elementSize(info.storageType) ?? 1
      let last =
        info.elementCount == 0 ? 0 : zip(info.shape, info.strides).reduce(info.storageOffset) { $0 + ($1.0 - 1) * $1.1 }
      let needed = (last + 1) * size
      guard info.storageOffset >= 0, info.strides.allSatisfy({ $0 >= 0 }),
        info.elementCount == 0 || needed <= storage.count
      else {
        throw ModelFileError.shapeMismatch(
          file: url.path, tensor: info.name, shape: info.shape, expectedBytes: needed, actualBytes: storage.count)
      }
    }
    self.url = url
    self.tensorInfos = infos
    self.storages = storages
    self.index = Dictionary(infos.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
  }

  public var tensorNames: [String] { tensorInfos.map(\.name) }

  public func info(_ name: String) throws -> TorchTensorInfo {
    guard let i = index[name] else { throw ModelFileError.tensorNotFound(file: url.path, name: name) }
    return tensorInfos[i]
  }

  /// Bytes per element of a torch storage type, nil when RadLM does not convert it.
  static func elementSize(_ type: String) -> Int? {
    switch type {
    case "Float", "Int": return 4
    case "Half", "BFloat16", "Short": return 2
    case "Long", "Double": return 8
    case "Byte", "Char", "Bool": return 1
    default: return nil
    }
  }

  private static func elementSizes(_ infos: [TorchTensorInfo]) -> [String: Int] {
    var sizes: [String: Int] = [:]
    for info in infos { sizes[info.storageKey] = elementSize(info.storageType) ?? 1 }
    return sizes
  }

  /// Tensor `name` as F32 in row-major order (integers and doubles converted by value).
  public func tensor(_ name: String) throws -> Tensor {
    let info = try info(name)
    guard let storage = storages[info.storageKey], let size = Self.elementSize(info.storageType) else {
      throw ModelFileError.unsupportedDType(file: url.path, tensor: name, dtype: info.storageType)
    }
    // Storage element of each output value, walking the view in row-major order (an odometer
    // over its strides).
    var elements = [Int](repeating: 0, count: info.elementCount)
    if info.elementCount > 0 {
      var position = [Int](repeating: 0, count: info.shape.count)
      var element = info.storageOffset
      for i in 0..<info.elementCount {
        elements[i] = element
        var axis = info.shape.count - 1
        while axis >= 0 {
          position[axis] += 1
          element += info.strides[axis]
          if position[axis] < info.shape[axis] { break }
          element -= info.strides[axis] * info.shape[axis]
          position[axis] = 0
          axis -= 1
        }
      }
    }
    let values: [Float] = storage.withUnsafeBytes { raw in
      func load<T: FixedWidthInteger>(_: T.Type, _ convert: (T) -> Float) -> [Float] {
        elements.map { convert(T(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * size, as: T.self))) }
      }
      switch info.storageType {
      case "Float": return load(UInt32.self) { Float(bitPattern: $0) }
      case "Half": return load(UInt16.self) { Float(Float16(bitPattern: $0)) }
      case "BFloat16": return load(UInt16.self) { Float(bitPattern: UInt32($0) << 16) }
      case "Double": return load(UInt64.self) { Float(Double(bitPattern: $0)) }
      case "Long": return load(Int64.self) { Float($0) }
      case "Int": return load(Int32.self) { Float($0) }
      case "Short": return load(Int16.self) { Float($0) }
      case "Char": return load(Int8.self) { Float($0) }
      default: return load(UInt8.self) { Float($0) }
      }
    }
    return Tensor(shape: info.shape, data: values)
  }

  /// Finds every `name → tensor` entry of the pickled state dict (a dict, possibly wrapped by a
  /// BUILD that sets `_metadata`).
  static func tensors(in root: PickleValue, file: String) throws -> [TorchTensorInfo] {
    var dict = root
    if case .built(let object, _) = dict { dict = object }
    guard case .dict(let entries) = dict else {
      throw ModelFileError.malformedHeader(file: file, reason: "the pickle is not a state dict (a dict of tensors)")
    }
    var infos: [TorchTensorInfo] = []
    for entry in entries {
      guard case .string(let name) = entry.key else {
        throw ModelFileError.malformedHeader(file: file, reason: "state-dict key is not a string")
      }
      infos.append(try tensorInfo(entry.value, name: name, file: file))
    }
    return infos
  }

  /// Decodes `_rebuild_tensor_v2(storage, offset, size, stride, …)` (also inside
  /// `_rebuild_parameter(tensor, …)`).
  static func tensorInfo(_ value: PickleValue, name: String, file: String) throws -> TorchTensorInfo {
    func bad(_ reason: String) -> ModelFileError {
      .malformedHeader(file: file, reason: "tensor '\(name)': \(reason)")
    }
    var value = value
    if case .built(let object, _) = value { value = object }
    guard case .reduce(let callable, let arguments) = value, case .global(let module, let function) = callable,
      let args = arguments.elements
    else { throw bad("not a tensor") }
    if module == "torch._utils", function == "_rebuild_parameter" {
      guard let first = args.first else { throw bad("_rebuild_parameter without data") }
      return try tensorInfo(first, name: name, file: file)
    }
    guard module == "torch._utils", function == "_rebuild_tensor_v2" || function == "_rebuild_tensor", args.count >= 4
    else { throw bad("built by \(module).\(function), which RadLM does not read") }
    guard case .persistent(let id) = args[0], let fields = id.elements, fields.count >= 3,
      case .global(_, let storageClass) = fields[1], case .string(let key) = fields[2]
    else { throw bad("storage reference is not ('storage', type, key, …)") }
    let storageType = storageClass.hasSuffix("Storage") ? String(storageClass.dropLast("Storage".count)) : storageClass
    guard elementSize(storageType) != nil else {
      throw ModelFileError.unsupportedDType(file: file, tensor: name, dtype: storageClass)
    }
    guard let offset = args[1].integer, let shape = args[2].elements?.compactMap(\.integer),
      let strides = args[3].elements?.compactMap(\.integer), shape.count == strides.count,
      shape.count == args[2].elements?.count, shape.allSatisfy({ $0 >= 0 })
    else { throw bad("offset, size or stride malformed") }
    return TorchTensorInfo(
      name: name, storageType: storageType, storageKey: key, storageOffset: offset, shape: shape, strides: strides)
  }
}

extension TorchCheckpoint: TensorArchive {
  public func storedTypeName(of name: String) throws -> String { try info(name).storageType }
  public func shape(of name: String) throws -> [Int] { try info(name).shape }
}
