import Foundation
import RadImaging
import RadModelFiles
import Testing

/// `radlm image info|convert` on pydicom's test files (`radlm fetch pydicom`): the JSON keys the
/// issue lists, pixel statistics equal to pydicom's (the RadImaging fixture), PNG output, and
/// exit 64 with a one-line message for bad options.
@Suite("radlm image", .serialized)
struct ImageCommandTests {
  static func testFile(_ name: String) throws -> String {
    try ModelCache().path(of: "pydicom").appendingPathComponent(name).path
  }

  /// pydicom's statistics for a file, from Tests/RadImagingTests/Fixtures/dicom_pydicom.json.
  static func pydicomStatistics(_ key: String) throws -> [String: Double] {
    let url = CommandRunner.repositoryRoot.appendingPathComponent("Tests/RadImagingTests/Fixtures/dicom_pydicom.json")
    let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    let files = try #require(root["files"] as? [String: [String: Any]])
    let entry = try #require(files[key])
    return [
      "min": try #require(entry["min"] as? Double), "max": try #require(entry["max"] as? Double),
      "mean": try #require(entry["mean"] as? Double),
    ]
  }

  @Test func infoJSONHasExactlyTheIssueKeysAndPydicomStatistics() throws {
    let output = try CommandRunner.run(["image", "info", try Self.testFile("CT_small.dcm"), "--json"])
    #expect(output.status == 0, "\(output.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
    let keys: Set<String> = [
      "format", "modality", "rows", "columns", "frames", "transfer_syntax", "photometric", "bits_stored",
      "rescale_slope", "rescale_intercept", "pixel_min", "pixel_max", "pixel_mean",
    ]
    #expect(Set(object.keys) == keys)
    #expect(object["format"] as? String == "dicom" && object["modality"] as? String == "CT")
    #expect(object["rows"] as? Int == 128 && object["columns"] as? Int == 128 && object["frames"] as? Int == 1)
    #expect(object["transfer_syntax"] as? String == "1.2.840.10008.1.2.1")
    #expect(object["rescale_slope"] as? Double == 1 && object["rescale_intercept"] as? Double == -1024)
    let expected = try Self.pydicomStatistics("pydicom/CT_small.dcm")
    #expect(object["pixel_min"] as? Double == expected["min"] && object["pixel_max"] as? Double == expected["max"])
    let mean = try #require(object["pixel_mean"] as? Double)
    #expect(abs(mean - expected["mean"]!) < 1e-6)
  }

  @Test func infoOnAPNGHasNullDICOMFields() throws {
    let png = CommandRunner.repositoryRoot.appendingPathComponent("Tests/RadImagingTests/Fixtures/png/pillow_rgb8.png")
    let output = try CommandRunner.run(["image", "info", png.path, "--json"])
    #expect(output.status == 0, "\(output.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
    #expect(object["format"] as? String == "png" && object["modality"] is NSNull && object["rows"] as? Int == 11)
  }

  @Test func convertWritesAWindowedFrame() throws {
    let folder = CommandRunner.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let out = folder.appendingPathComponent("ct.png").path
    let output = try CommandRunner.run([
      "image", "convert", try Self.testFile("CT_small.dcm"), out, "--window", "40,400",
    ])
    #expect(output.status == 0, "\(output.stderr)")
    let image = try PNGDecoder.decode(path: out)
    #expect(image.rows == 128 && image.columns == 128 && image.channels == 1)
    // Soft-tissue window: air is black, and some pixels are white (bone) or in between.
    #expect(image.pixels.min() == 0 && image.pixels.contains { $0 > 0 && $0 < 255 })
    let frame = folder.appendingPathComponent("frame.png").path
    let multi = try ModelCache().path(of: "pydicom-data").appendingPathComponent("emri_small.dcm").path
    #expect(try CommandRunner.run(["image", "convert", multi, frame, "--frame", "9"]).status == 0)
    #expect(try PNGDecoder.decode(path: frame).rows == 64)
    let beyond = try CommandRunner.run(["image", "convert", multi, frame, "--frame", "10"])
    #expect(beyond.status != 0 && beyond.stderr.contains("frame 10"))
  }

  @Test(arguments: [
    (["--window", "40"], "--window"), (["--window", "40,0"], "--window"), (["--frame", "-1"], "--frame"),
  ])
  func badOptionsExit64NamingTheOption(arguments: [String], option: String) throws {
    let output = try CommandRunner.run(
      ["image", "convert", try Self.testFile("CT_small.dcm"), "/tmp/x.png"] + arguments)
    #expect(output.status == 64 && output.stderr.contains(option), "\(output.stderr)")
  }

  @Test func compressedFilesFailNamingTheTransferSyntax() throws {
    let output = try CommandRunner.run(["image", "info", try Self.testFile("JPEG2000.dcm")])
    #expect(output.status != 0)
    #expect(output.stderr.contains("JPEG 2000 Image Compression") && output.stderr.contains("1.2.840.10008.1.2.4.91"))
    let missing = try CommandRunner.run(["image", "info", "/nonexistent.dcm"])
    #expect(missing.status == 64 && missing.stderr.contains("FILE"))
  }
}
