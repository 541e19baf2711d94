import Foundation
import Testing

/// `radlm inspect attention|embeddings` write PNG when the output name ends in .png.
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

  @Test func attentionAndEmbeddingsAsPNG() throws {
    let model = try TinyModels.llamaFolder()
    defer { try? FileManager.default.removeItem(at: model) }
    let heat = model.appendingPathComponent("attention.png")
    var out = try CommandRunner.run(["inspect", "attention", "--model", model.path, "--text", "the heart", "--output", heat.path])
    #expect(out.status == 0, "\(out.stderr)")
    // <s> + 9 characters + </s> = 11 tokens, 16-pixel cells, 8-pixel margins, closing grid line.
    let (width, height) = try Self.pngSize(heat)
    #expect(width == 2 * 8 + 11 * 16 + 1 && height == width)
    let words = model.appendingPathComponent("words.txt")
    try "heart\nlung\neffusion\nnormal\n".write(to: words, atomically: true, encoding: .utf8)
    let map = model.appendingPathComponent("map.png")
    out = try CommandRunner.run(["inspect", "embeddings", "--model", model.path, "--words", words.path, "--output", map.path])
    #expect(out.status == 0, "\(out.stderr)")
    #expect(try Self.pngSize(map) == (640, 640))
    // SVG stays the format of any other name.
    let svg = model.appendingPathComponent("map.svg")
    out = try CommandRunner.run(["inspect", "embeddings", "--model", model.path, "--words", words.path, "--output", svg.path])
    #expect(out.status == 0, "\(out.stderr)")
    #expect(try String(contentsOf: svg, encoding: .utf8).hasPrefix("<svg"))
  }
}
