import Foundation
import RadVisionTasks
import Testing

/// The CSV reader against Python's `csv.reader` on a project-written text, and the permissive
/// chest X-ray metadata in ../shared/data when it is there.
@Suite("Permissive chest X-rays")
struct PermissiveChestXRayTests {
  static let metadata = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
      "shared/data/images/cxr_permissive/metadata.csv")
  static let sharedPresent = FileManager.default.fileExists(atPath: metadata.path)

  @Test func csvEqualsPythonsReader() throws {
    let fixture = try LinearProbeTests.json("csv_records.json")
    let text = try #require(fixture["text"] as? String)
    let records = try #require(fixture["records"] as? [[String]])
    #expect(PermissiveChestXRay.parseCSV(text).map(\.fields) == records)
    #expect(PermissiveChestXRay.parseCSV(text).map(\.line) == [1, 2, 3, 4, 6])
  }

  @Test(.enabled(if: sharedPresent, "../shared/data/images/cxr_permissive is absent (not part of a clone)"))
  func readsTheSharedMetadataWithAttribution() throws {
    let rows = try PermissiveChestXRay.read(metadata: Self.metadata)
    let records = PermissiveChestXRay.parseCSV(try String(contentsOf: Self.metadata, encoding: .utf8))
    #expect(rows.count == records.count - 1)
    #expect(rows.allSatisfy { $0.license.hasPrefix("CC BY") && $0.source.hasPrefix("http") })
    #expect(rows.contains { $0.isTest } && rows.contains { !$0.isTest })
    let line = try #require(
      try JSONSerialization.jsonObject(with: Data(rows[0].jsonLine.utf8)) as? [String: String])
    #expect(line["license"] == rows[0].license && line["source"] == rows[0].source)
  }
}
