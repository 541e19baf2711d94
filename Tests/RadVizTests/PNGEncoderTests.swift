import Foundation
import RadImaging
import RadViz
import Testing

/// The PNG encoder against Python's zlib and a PNG that Pillow decodes
/// (tools/reference/png_fixtures.py).
@Suite("PNG encoder")
struct PNGEncoderTests {
  static var fixture: [String: Any] { get throws { try VizFixture.json("png.json") } }

  static func pattern(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(($0 * 31 + 7) % 256) } }

  /// The fixture script's test image.
  static func pixels(width: Int, height: Int) -> [UInt8] {
    var rgb: [UInt8] = []
    for y in 0..<height {
      for x in 0..<width {
        rgb += [UInt8((x * 50 + y) % 256), UInt8((y * 80 + x * 3) % 256), UInt8(((x + y) * 20) % 256)]
      }
    }
    return rgb
  }

  @Test func checksumsEqualZlib() throws {
    let cases = try #require(try Self.fixture["checksums"] as? [[String: Int]])
    #expect(cases.count == 7)
    for entry in cases {
      let bytes = Self.pattern(entry["length"]!)
      #expect(PNGEncoder.crc32(bytes) == UInt32(entry["crc32"]!), "crc32 of \(bytes.count) bytes")
      #expect(PNGEncoder.adler32(bytes) == UInt32(entry["adler32"]!), "adler32 of \(bytes.count) bytes")
    }
  }

  @Test func smallImageIsByteForByteThePNGPillowDecodes() throws {
    let small = try #require(try Self.fixture["small"] as? [String: Any])
    let hex = try #require(small["png_hex"] as? String)
    let expected = stride(from: 0, to: hex.count, by: 2).map { i -> UInt8 in
      let start = hex.index(hex.startIndex, offsetBy: i)
      return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)!
    }
    #expect(PNGEncoder.encode(width: 5, height: 3, rgb: Self.pixels(width: 5, height: 3)) == expected)
  }

  @Test func imageOfTwoStoredBlocksMatchesLengthAndCRC() throws {
    let large = try #require(try Self.fixture["large"] as? [String: Int])
    let png = PNGEncoder.encode(width: 200, height: 120, rgb: Self.pixels(width: 200, height: 120))
    #expect(png.count == large["length"]!)
    #expect(PNGEncoder.crc32(png) == UInt32(large["crc32"]!))
  }

  @Test func picturesPaintTheirColours() throws {
    let heat = ModelPictures.attentionImage(weights: [[1, 0], [0.5, 0.5]], cell: 10)
    #expect(heat.width == 8 * 2 + 20 + 1 && heat.height == 8 * 2 + 20 + 1)
    #expect(heat.pixel(x: 8 + 5, y: 8 + 5) == (0, 0, 255))  // weight 1: blue
    #expect(heat.pixel(x: 8 + 15, y: 8 + 5) == (255, 255, 255))  // weight 0: white
    #expect(heat.pixel(x: 8 + 5, y: 8 + 15) == ModelPictures.heatColor(0.5))
    #expect(heat.pixel(x: 8, y: 8) == (0xDD, 0xDD, 0xDD))  // grid line
    let scatter = ModelPictures.scatterImage(points: [(0, 0), (1, 1)], size: 100)
    // (0,0) goes to the lower-left corner of the plot area, (1,1) to the upper right.
    #expect(scatter.pixel(x: 60, y: 40) == (0x2A, 0x6F, 0xDB))
    #expect(scatter.pixel(x: 40, y: 60) == (0x2A, 0x6F, 0xDB))
    #expect(scatter.pixel(x: 50, y: 50) == (255, 255, 255))
    #expect(Array(scatter.png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
  }
}
