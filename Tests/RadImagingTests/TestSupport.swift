import Foundation
import RadArchive
import RadModelFiles
import Testing

@testable import RadImaging

/// Fixture files of this test target.
enum Fixtures {
  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

  static func data(_ name: String) throws -> Data {
    try Data(contentsOf: folder.appendingPathComponent(name))
  }

  static func json<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
    try JSONDecoder().decode(T.self, from: data(name))
  }
}

/// The fetched pydicom test-file folders (`radlm fetch pydicom pydicom-data`), by fixture prefix.
enum FetchedDICOM {
  static func folders() throws -> [String: URL] {
    let cache = ModelCache()
    return ["pydicom": try cache.path(of: "pydicom"), "pydicom-data": try cache.path(of: "pydicom-data")]
  }

  static func url(_ key: String) throws -> URL {
    let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
    guard parts.count == 2, let base = try folders()[parts[0]] else { throw ImageError.invalidArgument(key) }
    return base.appendingPathComponent(parts[1])
  }
}

/// CRC-32 of little-endian int64 or float64 values, the fixture checksum.
func checksum(_ values: [Double], integer: Bool) -> UInt32 {
  var bytes = [UInt8](repeating: 0, count: values.count * 8)
  for (i, value) in values.enumerated() {
    let bits = integer ? UInt64(bitPattern: Int64(value)) : value.bitPattern
    for k in 0..<8 { bytes[i * 8 + k] = UInt8(truncatingIfNeeded: bits >> (8 * UInt64(k))) }
  }
  return Zlib.crc32(bytes)
}

/// Folders beside the repository.
enum CommandLinePaths {
  /// `../shared/data` of the repository (absent in a user's clone).
  static let sharedData = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data")
}
