#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Foundation
import RadTensor

/// A read-only memory mapping of a whole file. Model files are large and read mostly once, so
/// mapping them lets the kernel page in only the bytes a tensor needs; the class owns the mapping
/// and unmaps it when the last reader lets go, which keeps every pointer handed out valid.
public final class MappedFile: @unchecked Sendable {
  /// The path the mapping was made from (used in error messages).
  public let path: String
  /// Number of bytes in the file.
  public let count: Int
  private let base: UnsafeRawPointer?
  /// Whether `base` is an mmap (else heap memory from `init(copying:path:)`).
  private let isMapped: Bool

  /// Maps the file at `url`; throws `ModelFileError.io` when it cannot be opened or mapped.
  public init(url: URL) throws {
    path = url.path
    let fd = open(url.path, O_RDONLY)
    guard fd >= 0 else {
      throw ModelFileError.io(file: url.path, reason: "cannot open: \(String(cString: strerror(errno)))")
    }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else {
      throw ModelFileError.io(file: url.path, reason: "cannot stat: \(String(cString: strerror(errno)))")
    }
    guard (info.st_mode & S_IFMT) == S_IFREG else {
      throw ModelFileError.io(file: url.path, reason: "not a regular file")
    }
    count = Int(info.st_size)
    isMapped = true
    if count == 0 {
      base = nil
      return
    }
    let mapped = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0)
    guard let mapped, mapped != MAP_FAILED else {
      throw ModelFileError.io(file: url.path, reason: "cannot map: \(String(cString: strerror(errno)))")
    }
    base = UnsafeRawPointer(mapped)
  }

  /// Holds a copy of `bytes` in memory, for files that arrive as data rather than a path (and
  /// for tests that build many small files); `path` is only used in error messages.
  public init(copying bytes: [UInt8], path: String) {
    self.path = path
    count = bytes.count
    isMapped = false
    if bytes.isEmpty {
      base = nil
    } else {
      let memory = UnsafeMutableRawPointer.allocate(byteCount: bytes.count, alignment: 64)
      bytes.withUnsafeBytes { source in
        if let from = source.baseAddress { memory.copyMemory(from: from, byteCount: source.count) }
      }
      base = UnsafeRawPointer(memory)
    }
  }

  deinit {
    guard let base else { return }
    if isMapped {
      munmap(UnsafeMutableRawPointer(mutating: base), count)
    } else {
      UnsafeMutableRawPointer(mutating: base).deallocate()
    }
  }

  /// Calls `body` with the bytes `range` of the file; the caller has already checked the range.
  public func withBytes<R>(
    _ range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws -> R
  ) rethrows -> R {
    precondition(range.lowerBound >= 0 && range.upperBound <= count, "range checked by caller")
    guard let base else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
    return try body(UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count))
  }

  /// All bytes of the file.
  public func withAllBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    try withBytes(0..<count, body)
  }
}
