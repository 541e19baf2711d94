import Foundation

/// Reference values written by tools/reference/*.py into this target's Fixtures folder.
enum VizFixture {
  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

  static func json(_ name: String) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(name)))
    guard let dictionary = object as? [String: Any] else { throw CocoaError(.fileReadCorruptFile) }
    return dictionary
  }
}
