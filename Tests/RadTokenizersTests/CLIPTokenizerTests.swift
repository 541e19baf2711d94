import Foundation
import RadModelFiles
import RadTokenizers
import Testing

/// CLIP's BPE tokenizer on the merges of `radlm fetch openclip` against open_clip's own
/// tokenization (tools/reference/clip_tokenizer_fixtures.py): radiology phrases, contractions,
/// numbers, HTML entities, accents, other scripts, emoji, special tokens, and a text longer than
/// the context.
@Suite("CLIP tokenizer")
struct CLIPTokenizerTests {
  static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/clip_tokenizer.json")

  @Test func matchesOpenCLIP() throws {
    let tokenizer = try CLIPTokenizer(mergesFile: try ModelCache().path(of: "openclip"))
    #expect(tokenizer.vocabularySize == 49_408)
    let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.fixture)) as? [String: Any])
    let cases = try #require(root["cases"] as? [[String: Any]])
    #expect(cases.count == 17)
    for entry in cases {
      let text = try #require(entry["text"] as? String)
      let expected = try #require(entry["ids"] as? [Int])
      #expect(tokenizer.tokenize([text]) == [expected], "\(text)")
    }
  }

  @Test func badMergesAreErrors() {
    #expect(throws: TokenizerError.self) { try CLIPTokenizer(mergesText: "header\na b\n") }
    #expect(throws: TokenizerError.self) {
      try CLIPTokenizer(mergesFile: URL(fileURLWithPath: "/nonexistent/bpe_simple_vocab_16e6.txt.gz"))
    }
  }
}
