import Foundation
import Testing

@testable import RadImaging

/// The `.npy` reader against files numpy 2.4.6 wrote (tools/reference/numpy_fixtures.py).
@Suite struct NumPyArrayTests {
  struct Fixture: Decodable { let arrays: [Entry] }
  struct Entry: Decodable {
    let file: String
    let shape: [Int]
    let dtype: String
    let values: [Double]
  }

  @Test func readsEveryDtypeOrderAndVersion() throws {
    let fixture = try Fixtures.json("numpy.json", as: Fixture.self)
    #expect(fixture.arrays.count == 10)
    for entry in fixture.arrays {
      let array = try NumPyArray(path: Fixtures.folder.appendingPathComponent("numpy/\(entry.file)").path)
      #expect(array.shape == entry.shape, "\(entry.file)")
      #expect(array.dtype == entry.dtype, "\(entry.file)")
      // The fixture prints each value as a Python float (exact for every dtype here).
      #expect(array.values == entry.values, "\(entry.file)")
    }
  }

  @Test func stacksBecomeImages() throws {
    let stack = try NumPyArray(path: Fixtures.folder.appendingPathComponent("numpy/u1_stack.npy").path)
    let second = try stack.image(1)
    #expect(second.rows == 5 && second.columns == 4 && second.channels == 1)
    #expect(second.pixels == stack.values[20..<40].map { Float($0) })
    #expect(second.metadata.maximumSampleValue == 255)
    let rgb = try ImageFile.read(Fixtures.folder.appendingPathComponent("numpy/rgb_image.npy").path)
    #expect(rgb.rows == 4 && rgb.columns == 3 && rgb.channels == 3)
    #expect(throws: ImageError.self) { try stack.image(3) }
  }

  @Test func damagedFilesGiveTypedErrors() throws {
    let bytes = [UInt8](try Fixtures.data("numpy/f8_fortran.npy"))
    for cut in stride(from: 0, to: bytes.count - 1, by: 9) {
      #expect(throws: ImageError.self) { try NumPyArray(npy: Array(bytes[0..<cut]), file: "cut") }
    }
    var wrongType = bytes
    if let range = String(decoding: bytes, as: UTF8.self).range(of: "<f8") {
      let at = String(decoding: bytes, as: UTF8.self).utf8.distance(
        from: String(decoding: bytes, as: UTF8.self).utf8.startIndex, to: range.lowerBound)
      wrongType[at + 1] = UInt8(ascii: "c")
    }
    #expect(throws: ImageError.self) { try NumPyArray(npy: wrongType, file: "complex") }
  }
}

/// `.npz` archives (stored and deflated) and the MedMNIST copies in ../shared when present.
@Suite struct NumPyArchiveTests {
  struct Fixture: Decodable { let npz: [String: Entry] }
  struct Entry: Decodable {
    let shape: [Int]
    let values: [Double]
  }

  @Test(arguments: ["medmnist_like_stored.npz", "medmnist_like_deflated.npz"])
  func readsStoredAndDeflatedArchives(name: String) throws {
    let expected = try Fixtures.json("numpy.json", as: Fixture.self).npz
    let archive = try NumPyArchive(path: Fixtures.folder.appendingPathComponent("numpy/\(name)").path)
    #expect(Set(archive.names) == Set(expected.keys))
    for (key, entry) in expected {
      let array = try archive.array(key)
      #expect(array.shape == entry.shape && array.values == entry.values, "\(name) \(key)")
    }
    #expect(throws: ImageError.self) { try archive.array("val_images") }
  }

  @Test func readsTheSharedMedMNISTCopiesWhenPresent() throws {
    let folder = CommandLinePaths.sharedData.appendingPathComponent("images/medmnist")
    let path = folder.appendingPathComponent("breastmnist.npz").path
    guard FileManager.default.fileExists(atPath: path) else {
      print("skipping: \(path) is absent (../shared/data is not part of a clone)")
      return
    }
    let archive = try NumPyArchive(path: path)
    let images = try archive.array("train_images")
    let labels = try archive.array("train_labels")
    #expect(images.shape.count == 3 && images.shape[1] == 28 && images.shape[2] == 28)
    #expect(labels.shape[0] == images.shape[0])
    #expect(Set(labels.values).isSubset(of: [0, 1]))
    let first = try images.image(0)
    #expect(first.rows == 28 && first.pixels.allSatisfy { $0 >= 0 && $0 <= 255 })
  }
}
