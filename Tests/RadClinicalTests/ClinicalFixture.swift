import Foundation
import RadModelFiles

/// Reads the committed fixtures written by tools/reference/*.py and finds fetched data.
enum ClinicalFixture {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

  static func json(_ name: String) throws -> [String: Any] {
    let data = try Data(contentsOf: directory.appendingPathComponent(name))
    guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw FixtureError.malformed(name)
    }
    return object
  }

  /// A fetched file; the test command fetches these first (scripts/test.sh), so a missing one is
  /// a failure that names the fetch to run.
  static func fetched(_ name: String) throws -> URL { try ModelCache().path(of: name) }
}

enum FixtureError: Error { case malformed(String) }
