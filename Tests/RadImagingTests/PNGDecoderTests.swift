import Foundation
import Testing

@testable import RadImaging

/// The PNG reader against PngSuite-style files written by Pillow and by
/// tools/reference/png_reader_fixtures.py (read back by Pillow there).
@Suite struct PNGDecoderTests {
  struct Cases: Decodable { let cases: [Case] }
  struct Case: Decodable, CustomTestStringConvertible {
    let file: String
    let rows: Int
    let columns: Int
    let channels: Int
    let values: [Int]
    var testDescription: String { file }
  }

  static func cases() throws -> [Case] { try Fixtures.json("png_cases.json", as: Cases.self).cases }

  @Test func readsEveryCasePixelForPixel() throws {
    let cases = try Self.cases()
    #expect(cases.count >= 30)
    for item in cases {
      let path = Fixtures.folder.appendingPathComponent("png").appendingPathComponent(item.file).path
      let image = try PNGDecoder.decode(path: path)
      #expect(
        image.rows == item.rows && image.columns == item.columns && image.channels == item.channels, "\(item.file)")
      #expect(image.pixels == item.values.map { Float($0) }, "\(item.file)")
      #expect(image.metadata.format == .png && image.metadata.path == path)
    }
  }

  @Test func corruptedFilesGiveTypedErrors() throws {
    let path = Fixtures.folder.appendingPathComponent("png/pillow_rgb8.png").path
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    // Every truncation and a flipped byte at many offsets: an error or (for bytes after IEND
    // or in ancillary data that still passes its CRC) an image, never a crash.
    for cut in stride(from: 0, to: bytes.count, by: 7) {
      #expect(throws: ImageError.self) { _ = try PNGDecoder.decode(Array(bytes[0..<cut])) }
    }
    for offset in stride(from: 0, to: bytes.count, by: 5) {
      var damaged = bytes
      damaged[offset] ^= 0x5A
      #expect(throws: ImageError.self, "byte \(offset)") { _ = try PNGDecoder.decode(damaged) }
    }
  }
}

/// PNGEncoder's image writer read back by PNGDecoder: every channel count at 8 and 16 bits.
@Suite struct PNGRoundTripTests {
  @Test(arguments: [(1, 8), (1, 16), (2, 8), (3, 8), (3, 16), (4, 16)])
  func writesWhatItReads(channels: Int, bitDepth: Int) throws {
    let maximum = bitDepth == 8 ? 255 : 65_535
    var generator = SeededGenerator(seed: UInt64(channels * 100 + bitDepth))
    let pixels = (0..<(7 * 5 * channels)).map { _ in Float(Int.random(in: 0...maximum, using: &generator)) }
    let image = try Image(rows: 7, columns: 5, channels: channels, pixels: pixels)
    let back = try PNGDecoder.decode(try PNGEncoder.encode(image, bitDepth: bitDepth))
    #expect(back.rows == 7 && back.columns == 5 && back.channels == channels)
    #expect(back.pixels == pixels)
    #expect(back.metadata.maximumSampleValue == Double(maximum))
  }

  @Test func clampsAndRoundsAndWritesAtomically() throws {
    let image = try Image(rows: 1, columns: 4, pixels: [-3, 0.4, 254.6, 1000])
    #expect(try PNGDecoder.decode(try PNGEncoder.encode(image)).pixels == [0, 0, 255, 255])
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("radimaging-\(UUID().uuidString).png").path
    try PNGEncoder.write(image, to: path)
    #expect(try PNGDecoder.decode(path: path).pixels == [0, 0, 255, 255])
    try? FileManager.default.removeItem(atPath: path)
    #expect(throws: ImageError.self) { try PNGEncoder.encode(image, bitDepth: 4) }
  }
}
