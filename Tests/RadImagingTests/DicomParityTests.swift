import Foundation
import Testing

@testable import RadImaging

/// RadImaging's DICOM reader against pydicom 3.0.2 on every file of pydicom's test data and
/// pydicom-data 1.0.0 (fixture from tools/reference/dicom_fixtures.py).
@Suite struct DicomParityTests {
  struct Fixture: Decodable {
    let files: [String: FileEntry]
    let windows: [WindowEntry]
  }

  struct FileEntry: Decodable {
    let status: String
    let transferSyntax: String?
    let shape: [Int]?
    let integer: Bool?
    let crc32: UInt32?
    let min: Double?
    let max: Double?
    let mean: Double?
    let sampleIndices: [Int]?
    let sampleValues: [Double]?

    enum CodingKeys: String, CodingKey {
      case status, shape, integer, crc32, min, max, mean
      case transferSyntax = "transfer_syntax"
      case sampleIndices = "sample_indices"
      case sampleValues = "sample_values"
    }
  }

  struct WindowEntry: Decodable {
    let key: String
    let function: String
    let kind: String
    let center: Double
    let width: Double
    let min: Double
    let max: Double
    let mean: Double
    let sampleIndices: [Int]
    let sampleValues: [Double]

    enum CodingKeys: String, CodingKey {
      case key, function, kind, center, width, min, max, mean
      case sampleIndices = "sample_indices"
      case sampleValues = "sample_values"
    }
  }

  static func fixture() throws -> Fixture { try Fixtures.json("dicom_pydicom.json", as: Fixture.self) }

  @Test func everyDecodedFileEqualsPydicomAfterModalityLUT() throws {
    let fixture = try Self.fixture()
    var decoded = 0
    for (key, entry) in fixture.files.sorted(by: { $0.key < $1.key }) where entry.status == "decoded" {
      let pixels: DicomPixels
      do {
        pixels = try DicomFile(path: try FetchedDICOM.url(key).path).modalityPixels()
      } catch {
        Issue.record("\(key): \(error)")
        continue
      }
      #expect(
        [pixels.frames, pixels.rows, pixels.columns, pixels.samples] == entry.shape, "\(key) shape")
      #expect(pixels.isInteger == entry.integer, "\(key) integer")
      #expect(checksum(pixels.values, integer: pixels.isInteger) == entry.crc32, "\(key) checksum")
      #expect(pixels.values.min() == entry.min && pixels.values.max() == entry.max, "\(key) range")
      let mean = pixels.values.reduce(0, +) / Double(pixels.values.count)
      #expect(abs(mean - (entry.mean ?? .nan)) <= 1e-6 * Swift.max(1, abs(mean)), "\(key) mean")
      for (index, value) in zip(entry.sampleIndices ?? [], entry.sampleValues ?? []) {
        #expect(pixels.values[index] == value, "\(key)[\(index)]")
      }
      decoded += 1
    }
    #expect(decoded == fixture.files.values.filter { $0.status == "decoded" }.count)
    #expect(decoded >= 100)
  }

  @Test func compressedFilesFailNamingTheirTransferSyntax() throws {
    for (key, entry) in try Self.fixture().files where entry.status == "unsupported" {
      let syntax = try #require(entry.transferSyntax)
      do {
        _ = try DicomFile(path: try FetchedDICOM.url(key).path).pixels()
        Issue.record("\(key) decoded although pydicom needs a plugin")
      } catch let error as ImageError {
        guard case .unsupported(_, let reason) = error else {
          Issue.record("\(key): \(error)")
          continue
        }
        let name = try #require(DicomTransferSyntax.named(syntax)).name
        #expect(reason.contains(syntax) && reason.contains(name), "\(key): \(reason)")
      }
    }
  }

  @Test func filesPydicomRejectsFailWithTypedErrors() throws {
    for (key, entry) in try Self.fixture().files where entry.status == "error" {
      #expect(throws: ImageError.self, "\(key)") {
        _ = try DicomFile(path: try FetchedDICOM.url(key).path).modalityPixels()
      }
    }
  }

  @Test func windowedValuesEqualPydicomApplyVOILUT() throws {
    for entry in try Self.fixture().windows {
      let file = try DicomFile(path: try FetchedDICOM.url(entry.key).path)
      let modality = try file.modalityPixels()
      let out: DicomPixels
      if entry.kind == "voi_lut" {
        out = try DicomValueTransforms.applyVOILUT(modality, file.dataSet)
      } else {
        let range = try DicomValueTransforms.outputRange(file.dataSet)
        let function = try #require(DicomValueTransforms.VOIFunction(rawValue: entry.function))
        out = try DicomValueTransforms.window(
          modality, center: entry.center, width: entry.width, function: function, yMin: range.lowerBound,
          yMax: range.upperBound, photometric: modality.photometric)
      }
      let label = "\(entry.key) \(entry.kind) \(entry.function)"
      #expect(abs(out.values.min()! - entry.min) <= 1e-6 && abs(out.values.max()! - entry.max) <= 1e-6, "\(label)")
      let mean = out.values.reduce(0, +) / Double(out.values.count)
      #expect(abs(mean - entry.mean) <= 1e-6 * Swift.max(1, abs(mean)), "\(label) mean")
      for (index, value) in zip(entry.sampleIndices, entry.sampleValues) {
        #expect(abs(out.values[index] - value) <= 1e-6 * Swift.max(1, abs(value)), "\(label)[\(index)]")
      }
    }
  }
}

/// PET SUVbw on project-made PET files (tools/reference/pet_suv_fixtures.py): decay corrected
/// to START (explicit VR) and to ADMIN (implicit VR, so the sequence is found without a VR).
@Suite struct PETStandardizedUptakeTests {
  struct Fixture: Decodable { let cases: [Case] }
  struct Case: Decodable {
    let file: String
    let suv: [Double]
  }

  @Test func bodyWeightSUVEqualsTheReference() throws {
    let cases = try Fixtures.json("pet_suv.json", as: Fixture.self).cases
    #expect(cases.count == 2)
    for item in cases {
      let file = try DicomFile(path: Fixtures.folder.appendingPathComponent("pet/\(item.file)").path)
      let suv = try PETStandardizedUptake.bodyWeight(file)
      #expect(suv.values.count == item.suv.count)
      for (ours, reference) in zip(suv.values, item.suv) {
        #expect(abs(ours - reference) <= 1e-12 * max(1, abs(reference)), "\(item.file)")
      }
    }
  }

  @Test func nonPETFilesAreRefused() throws {
    let ct = try DicomFile(path: try FetchedDICOM.url("pydicom/CT_small.dcm").path)
    #expect(throws: ImageError.self) { try PETStandardizedUptake.bodyWeight(ct) }
  }
}
