import Foundation
import RadTensor

/// A file (or set of files) of named tensors that RadLM can list and read as F32: safetensors,
/// a sharded safetensors index, or GGUF. Tools such as `radlm inspect` work through this protocol
/// so they need not care which container a model came in.
public protocol TensorArchive: AnyObject, Sendable {
  /// The file the archive was opened from.
  var url: URL { get }
  /// Tensor names in storage order.
  var tensorNames: [String] { get }
  /// The stored element type's name as the format spells it (`F16`, `BF16`, `Q4_1`).
  func storedTypeName(of name: String) throws -> String
  /// Shape outermost first.
  func shape(of name: String) throws -> [Int]
  /// The tensor converted to F32.
  func tensor(_ name: String) throws -> Tensor
}

/// Opens tensor archives by content: GGUF by its magic bytes, a `.json` file as a sharded
/// safetensors index, anything else as safetensors.
public enum TensorArchives {
  public static func open(_ url: URL) throws -> any TensorArchive {
    if url.pathExtension.lowercased() == "json" {
      return try ShardedSafetensors(indexURL: url)
    }
    let file = try MappedFile(url: url)
    let isGGUF = file.count >= 4 && file.withBytes(0..<4) { $0.loadUnaligned(as: UInt32.self) } == GGUFFile.magic
    return isGGUF ? try GGUFFile(url: url) : try SafetensorsFile(url: url)
  }
}

extension GGUFFile: TensorArchive {
  public func storedTypeName(of name: String) throws -> String { "\(try info(name).type)" }
  public func shape(of name: String) throws -> [Int] { try info(name).shape }
}

extension SafetensorsFile: TensorArchive {
  public func storedTypeName(of name: String) throws -> String { try info(name).dtype.rawValue }
  public func shape(of name: String) throws -> [Int] { try info(name).shape }
}

extension ShardedSafetensors: TensorArchive {
  public func storedTypeName(of name: String) throws -> String { try info(name).dtype.rawValue }
  public func shape(of name: String) throws -> [Int] { try info(name).shape }
}
