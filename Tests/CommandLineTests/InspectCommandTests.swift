import Foundation
import Testing

/// `radlm inspect attention|embeddings` write labelled PNG when the output name ends in .png.
@Suite("radlm inspect (PNG output)", .serialized)
struct InspectCommandTests {
  /// Width and height from a PNG's IHDR chunk, after checking the signature and chunk order.
  static func pngSize(_ url: URL) throws -> (Int, Int) {
    let bytes = [UInt8](try Data(contentsOf: url))
    #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    #expect(String(decoding: bytes[12..<16], as: UTF8.self) == "IHDR")
    #expect(String(decoding: bytes[(bytes.count - 8)..<(bytes.count - 4)], as: UTF8.self) == "IEND")
    func int(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
    return (int(16), int(20))
  }

  /// RGB rows of a PNG as RadLM writes it (filter 0, stored deflate blocks), for counting the
  /// label ink (#222222) the pictures carry.
  static func inkPixels(_ url: URL) throws -> Int {
    let bytes = [UInt8](try Data(contentsOf: url))
    func int(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
    var zlib: [UInt8] = []
    var at = 8
    while at + 8 <= bytes.count {
      let length = int(at)
      if String(decoding: bytes[(at + 4)..<(at + 8)], as: UTF8.self) == "IDAT" { zlib += bytes[(at + 8)..<(at + 8 + length)] }
      at += 12 + length
    }
    var raw: [UInt8] = []
    var p = 2
    while p + 5 <= zlib.count {
      let final = zlib[p] & 1 == 1
      let length = Int(zlib[p + 1]) | Int(zlib[p + 2]) << 8
      raw += zlib[(p + 5)..<(p + 5 + length)]
      p += 5 + length
      if final { break }
    }
    let width = int(16)
    var ink = 0
    for row in stride(from: 0, to: raw.count, by: 1 + 3 * width) {
      for x in 0..<width where raw[row + 1 + 3 * x] == 0x22 && raw[row + 2 + 3 * x] == 0x22 && raw[row + 3 + 3 * x] == 0x22 { ink += 1 }
    }
    return ink
  }

  @Test func attentionAndEmbeddingsAsPNG() throws {
    let model = try TinyModels.llamaFolder()
    defer { try? FileManager.default.removeItem(at: model) }
    let heat = model.appendingPathComponent("attention.png")
    var out = try CommandRunner.run(["inspect", "attention", "--model", model.path, "--text", "the heart", "--output", heat.path])
    #expect(out.status == 0, "\(out.stderr)")
    // <s> + 9 characters + </s> = 11 tokens, 16-pixel cells, 8-pixel margins, closing grid line,
    // plus labels: "</s>" (23 pixels + 4) left of the rows and above the columns, a 15-pixel title band.
    let (width, height) = try Self.pngSize(heat)
    #expect(width == 2 * 8 + 27 + 11 * 16 + 1 && height == 2 * 8 + 15 + 27 + 11 * 16 + 1)
    #expect(try Self.inkPixels(heat) > 300)
    let words = model.appendingPathComponent("words.txt")
    try "heart\nlung\neffusion\nnormal\n".write(to: words, atomically: true, encoding: .utf8)
    let map = model.appendingPathComponent("map.png")
    out = try CommandRunner.run(["inspect", "embeddings", "--model", model.path, "--words", words.path, "--output", map.path])
    #expect(out.status == 0, "\(out.stderr)")
    #expect(try Self.pngSize(map) == (640, 640))
    #expect(try Self.inkPixels(map) > 200)
    // SVG stays the format of any other name.
    let svg = model.appendingPathComponent("map.svg")
    out = try CommandRunner.run(["inspect", "embeddings", "--model", model.path, "--words", words.path, "--output", svg.path])
    #expect(out.status == 0, "\(out.stderr)")
    #expect(try String(contentsOf: svg, encoding: .utf8).hasPrefix("<svg"))
  }
}
