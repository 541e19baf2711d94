import Foundation
import RadModelFiles
import RadVision
import Testing

/// The ImageNet class names read from the fetched open_clip package equal the tuple Python
/// loads from the same file (tools/reference/image_task_fixtures.py).
@Suite("ImageNet class names")
struct ImageNetClassNamesTests {
  @Test func equalPythonsTuple() throws {
    let url = ImageNetClassNames.metadataFile(besideMerges: try ModelCache().path(of: "openclip"))
    let names = try ImageNetClassNames.read(url)
    let data = try Data(contentsOf: EfficientNetLiteTests.fixtures.appendingPathComponent("imagenet_class_names.json"))
    let expected = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["names"] as? [String])
    #expect(names == expected)
  }

  @Test func fileWithoutTheTupleIsNamed() throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("no-names-\(UUID().uuidString).py")
    try Data("TEMPLATES = ()\n".utf8).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    #expect { try ImageNetClassNames.read(url) } throws: { "\($0)".contains("IMAGENET_CLASSNAMES") }
  }
}
