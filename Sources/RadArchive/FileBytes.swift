import Foundation

/// Reads a whole file into memory with errors that name it.
enum FileBytes {
  static func read(_ path: String) throws(ArchiveError) -> [UInt8] {
    guard FileManager.default.fileExists(atPath: path) else { throw ArchiveError(file: path, "no such file") }
    do {
      return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe))
    } catch {
      throw ArchiveError(file: path, "cannot read: \(error.localizedDescription)")
    }
  }
}

extension Array where Element == UInt8 {
  /// Little-endian unsigned integer of `width` bytes at `offset` (the caller checks the bounds).
  func littleEndian(at offset: Int, width: Int) -> UInt64 {
    var value: UInt64 = 0
    for index in stride(from: width - 1, through: 0, by: -1) {
      value = value << 8 | UInt64(self[offset + index])
    }
    return value
  }
}
