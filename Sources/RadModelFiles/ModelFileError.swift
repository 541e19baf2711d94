import RadTensor

/// Everything that can be wrong with a model file we read or write, each case naming the file and
/// the problem. Loaders throw these instead of trapping, so a damaged download or a file from a
/// newer tool surfaces as a readable message rather than a crash.
public enum ModelFileError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The file could not be opened, mapped, created or renamed.
  case io(file: String, reason: String)
  /// The file ends before a structure that must be there.
  case truncated(file: String, what: String, needed: Int, available: Int)
  /// The safetensors header claims more bytes than the file has.
  case headerLengthPastEnd(file: String, headerLength: UInt64, fileSize: Int)
  /// The header is not well formed (bad JSON, missing field, wrong field type).
  case malformedHeader(file: String, reason: String)
  /// A tensor's byte range lies outside the data section.
  case offsetsOutOfRange(file: String, tensor: String, begin: UInt64, end: UInt64, dataSize: Int)
  /// A dtype or GGML type id the format does not define.
  case unknownDType(file: String, tensor: String, dtype: String)
  /// A known dtype this reader cannot convert to F32.
  case unsupportedDType(file: String, tensor: String, dtype: String)
  /// Two tensors claim the same bytes.
  case overlappingTensors(file: String, first: String, second: String)
  /// The shape needs a different number of bytes than the tensor's byte range holds.
  case shapeMismatch(file: String, tensor: String, shape: [Int], expectedBytes: Int, actualBytes: Int)
  /// The file does not start with the format's magic bytes.
  case badMagic(file: String, found: String)
  /// A format version this reader does not understand.
  case unsupportedVersion(file: String, version: UInt32)
  /// A string in the file is not valid UTF-8.
  case invalidUTF8(file: String, offset: Int)
  /// A GGUF tensor's data offset is not a multiple of the file's alignment.
  case misalignedTensor(file: String, tensor: String, offset: UInt64, alignment: Int)
  /// A metadata value or GGUF value type that is not valid.
  case invalidMetadata(file: String, key: String, reason: String)
  /// A tensor name that is not in the file.
  case tensorNotFound(file: String, name: String)

  public var description: String {
    switch self {
    case .io(let file, let reason):
      return "\(file): \(reason)"
    case .truncated(let file, let what, let needed, let available):
      return "\(file): truncated file: \(what) needs \(needed) bytes but only \(available) remain"
    case .headerLengthPastEnd(let file, let headerLength, let fileSize):
      return
        "\(file): header length \(headerLength) runs past the end of the file (\(fileSize) bytes)"
    case .malformedHeader(let file, let reason):
      return "\(file): malformed header: \(reason)"
    case .offsetsOutOfRange(let file, let tensor, let begin, let end, let dataSize):
      return
        "\(file): tensor '\(tensor)' has offsets [\(begin), \(end)) out of range of the \(dataSize)-byte data section"
    case .unknownDType(let file, let tensor, let dtype):
      return "\(file): tensor '\(tensor)' has unknown dtype \(dtype)"
    case .unsupportedDType(let file, let tensor, let dtype):
      return "\(file): tensor '\(tensor)' has dtype \(dtype), which cannot be converted to F32"
    case .overlappingTensors(let file, let first, let second):
      return "\(file): tensors '\(first)' and '\(second)' overlap"
    case .shapeMismatch(let file, let tensor, let shape, let expectedBytes, let actualBytes):
      return
        "\(file): tensor '\(tensor)' has shape \(shape) needing \(expectedBytes) bytes, but its data holds \(actualBytes)"
    case .badMagic(let file, let found):
      return "\(file): bad magic \(found): not a file of the expected format"
    case .unsupportedVersion(let file, let version):
      return "\(file): unsupported format version \(version)"
    case .invalidUTF8(let file, let offset):
      return "\(file): invalid UTF-8 in string at byte \(offset)"
    case .misalignedTensor(let file, let tensor, let offset, let alignment):
      return
        "\(file): tensor '\(tensor)' data offset \(offset) is not a multiple of the alignment \(alignment)"
    case .invalidMetadata(let file, let key, let reason):
      return "\(file): metadata '\(key)': \(reason)"
    case .tensorNotFound(let file, let name):
      return "\(file): no tensor named '\(name)'"
    }
  }
}
