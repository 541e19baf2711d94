import Foundation
import Testing

@testable import RadImaging

/// Truncated and corrupted DICOM files end in typed errors, never a crash: real files cut at
/// many lengths and with bytes flipped at many offsets (fuzz style, deterministic).
@Suite struct DicomRobustnessTests {
  static let files = [
    "pydicom/CT_small.dcm", "pydicom/MR_small_RLE.dcm", "pydicom-data/SC_rgb_expb.dcm", "pydicom/rtdose.dcm",
    "pydicom/SC_ybr_full_422_uncompressed.dcm", "pydicom/liver_1frame.dcm", "pydicom/image_dfl.dcm",
    "pydicom-data/mlut_18.dcm", "pydicom-data/vlut_04.dcm", "pydicom/JPEG2000.dcm", "pydicom/nested_priv_SQ.dcm",
  ]

  /// Decodes as far as `radlm image info` would; returns whether it succeeded.
  static func attempt(_ bytes: [UInt8]) -> Bool {
    do {
      let file = try DicomFile(bytes: bytes, file: "fuzz")
      let pixels = try file.modalityPixels()
      _ = try DicomValueTransforms.applyVOILUT(pixels, file.dataSet)
      return true
    } catch is ImageError {
      return false
    } catch {
      Issue.record("untyped error \(error)")
      return false
    }
  }

  @Test(arguments: files) func truncationsFailWithTypedErrors(key: String) throws {
    let bytes = [UInt8](try Data(contentsOf: try FetchedDICOM.url(key)))
    let step = max(1, bytes.count / 300)
    for cut in stride(from: 0, to: bytes.count - 1, by: step) {
      // Cutting inside the header or the pixel data cannot leave a decodable image.
      let decoded = Self.attempt(Array(bytes[0..<cut]))
      if cut < bytes.count / 2 && key != "pydicom/JPEG2000.dcm" { #expect(!decoded, "\(key) cut at \(cut)") }
    }
  }

  @Test(arguments: files) func corruptedBytesNeverCrash(key: String) throws {
    let bytes = [UInt8](try Data(contentsOf: try FetchedDICOM.url(key)))
    var generator = SeededGenerator(seed: 16)
    // Header region byte by byte (where structure lives), then random offsets anywhere.
    let headerEnd = min(bytes.count, 1_500)
    var offsets = Array(stride(from: 128, to: headerEnd, by: 3))
    offsets += (0..<150).map { _ in Int.random(in: 0..<bytes.count, using: &generator) }
    for offset in offsets {
      for pattern: UInt8 in [0xFF, 0x00, 0x80] {
        var damaged = bytes
        damaged[offset] = pattern
        _ = Self.attempt(damaged)
      }
    }
  }

  @Test func notDicomAndMissingTransferSyntaxAreClearErrors() throws {
    #expect(throws: ImageError.self) { try DicomFile(bytes: [UInt8](repeating: 0, count: 200), file: "zeros") }
    do {
      _ = try DicomFile(path: try FetchedDICOM.url("pydicom/meta_missing_tsyntax.dcm").path)
      Issue.record("a file without a transfer syntax parsed")
    } catch let error as ImageError {
      #expect(error.description.contains("Transfer Syntax UID (0002,0010)"))
    }
  }
}
