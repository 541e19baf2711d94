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
      if String(decoding: bytes[(at + 4)..<(at + 8)], as: UTF8.self) == "IDAT" {
        zlib += bytes[(at + 8)..<(at + 8 + length)]
      }
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
      for x in 0..<width
      where raw[row + 1 + 3 * x] == 0x22 && raw[row + 2 + 3 * x] == 0x22 && raw[row + 3 + 3 * x] == 0x22 { ink += 1 }
    }
    return ink
  }

  @Test func attentionAndEmbeddingsAsPNG() throws {
    let model = try TinyModels.llamaFolder()
    defer { try? FileManager.default.removeItem(at: model) }
    let heat = model.appendingPathComponent("attention.png")
    var out = try CommandRunner.run([
      "inspect", "attention", "--model", model.path, "--text", "the heart", "--output", heat.path,
    ])
    #expect(out.status == 0, "\(out.stderr)")
    // <s> + 9 characters + </s> = 11 tokens, 16-pixel cells, 8-pixel margins, closing grid line,
    // plus labels: "</s>" (23 pixels + 4) left of the rows and above the columns, a 15-pixel title band.
    let (width, height) = try Self.pngSize(heat)
    #expect(width == 2 * 8 + 27 + 11 * 16 + 1 && height == 2 * 8 + 15 + 27 + 11 * 16 + 1)
    #expect(try Self.inkPixels(heat) > 300)
    let words = model.appendingPathComponent("words.txt")
    try "heart\nlung\neffusion\nnormal\n".write(to: words, atomically: true, encoding: .utf8)
    let map = model.appendingPathComponent("map.png")
    out = try CommandRunner.run([
      "inspect", "embeddings", "--model", model.path, "--words", words.path, "--output", map.path,
    ])
    #expect(out.status == 0, "\(out.stderr)")
    #expect(try Self.pngSize(map) == (640, 640))
    #expect(try Self.inkPixels(map) > 200)
    // SVG stays the format of any other name.
    let svg = model.appendingPathComponent("map.svg")
    out = try CommandRunner.run([
      "inspect", "embeddings", "--model", model.path, "--words", words.path, "--output", svg.path,
    ])
    #expect(out.status == 0, "\(out.stderr)")
    #expect(try String(contentsOf: svg, encoding: .utf8).hasPrefix("<svg"))
  }

  /// BART's encoder, decoder and cross-attention through the CLI's JSON output, against
  /// transformers' output_attentions (tools/reference/bart_attention_fixtures.py).
  @Test(arguments: [("cross", -1, 3), ("encoder", 0, 1), ("decoder", 1, 0)])
  func bartAttentionKindsMatchTransformers(kind: String, layer: Int, head: Int) throws {
    let bart = CommandRunner.repositoryRoot.appendingPathComponent("Tests/RadInferenceTests/Fixtures/bart_attention")
    let fixture = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: bart.appendingPathComponent("attention.json")))
        as? [String: Any])
    let scratch = CommandRunner.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let json = scratch.appendingPathComponent("attention.json")
    let out = try CommandRunner.run([
      "inspect", "attention", "--model", bart.path, "--text", fixture["source"] as! String,
      "--target", fixture["target"] as! String, "--kind", kind, "--layer=\(layer)", "--head", "\(head)", "--output",
      json.path,
    ])
    #expect(out.status == 0, "\(out.stderr)")
    let written = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
    let weights = try #require(written["weights"] as? [[Double]])
    let layers = try #require(fixture[kind] as? [[[[Double]]]])
    let expected = layers[layer < 0 ? layers.count + layer : layer][head]
    #expect(weights.count == expected.count && weights.first?.count == expected.first?.count)
    let error = zip(weights.joined(), expected.joined()).map { abs($0 - $1) }.max() ?? .infinity
    #expect(error <= 1e-5, "\(kind): \(error)")
    let sourceCount = (fixture["input_ids"] as! [Int]).count,
      targetCount = (fixture["decoder_input_ids"] as! [Int]).count
    #expect((written["key_tokens"] as? [String])?.count == (kind == "decoder" ? targetCount : sourceCount))
    #expect((written["query_tokens"] as? [String])?.count == (kind == "encoder" ? sourceCount : targetCount))
    #expect(written["kind"] as? String == kind)
    // The same picture as PNG and SVG.
    for name in ["attention.png", "attention.svg"] {
      let picture = scratch.appendingPathComponent(name)
      let run = try CommandRunner.run([
        "inspect", "attention", "--model", bart.path, "--text", fixture["source"] as! String,
        "--target", fixture["target"] as! String, "--kind", kind, "--output", picture.path,
      ])
      #expect(run.status == 0, "\(run.stderr)")
    }
    #expect(try Self.inkPixels(scratch.appendingPathComponent("attention.png")) > 300)
  }

  @Test func attentionKindsAreCheckedAgainstTheModel() throws {
    var out = try CommandRunner.run([
      "inspect", "attention", "--model", TinyModels.bart.path, "--text", "a", "--kind", "cross",
    ])
    #expect(out.status != 0 && out.stderr.contains("--target"))
    out = try CommandRunner.run([
      "inspect", "attention", "--model", TinyModels.bart.path, "--text", "a", "--kind", "sideways",
    ])
    #expect(out.status != 0 && out.stderr.contains("--kind"))
    let llama = try TinyModels.llamaFolder()
    defer { try? FileManager.default.removeItem(at: llama) }
    out = try CommandRunner.run([
      "inspect", "attention", "--model", llama.path, "--text", "a", "--target", "b", "--output", "/tmp/never.svg",
    ])
    #expect(out.status != 0 && out.stderr.contains("encoder–decoder"))
    out = try CommandRunner.run([
      "inspect", "attention", "--model", TinyModels.bart.path, "--text", "a", "--layer", "5", "--output",
      "/tmp/never.svg",
    ])
    #expect(out.status != 0 && out.stderr.contains("--layer 5"))
    #expect(!FileManager.default.fileExists(atPath: "/tmp/never.svg"))
  }
}
