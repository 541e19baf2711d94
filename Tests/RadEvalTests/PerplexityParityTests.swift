import Foundation
import RadEval
import RadModelFiles
import RadModels
import RadTensor
import RadTokenizers
import Testing

/// Strided perplexity against the loop in the transformers documentation on a tiny random GPT-2
/// (tools/reference/perplexity_fixtures.py).
struct PerplexityParityTests {
  static let folder = Fixture.directory.appendingPathComponent("perplexity")

  static func expected() throws -> [String: Any] {
    let data = try Data(contentsOf: folder.appendingPathComponent("expected.json"))
    guard let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw FixtureError.malformed("perplexity/expected.json")
    }
    return obj
  }

  static func model() throws -> (any LanguageModel, Tokenizer) {
    let dir = folder.appendingPathComponent("model")
    let model = try #require(try ModelLoader.load(directory: dir) as? any LanguageModel)
    return (model, try TokenizerJSON.load(path: dir.appendingPathComponent("tokenizer.json").path))
  }

  @Test func tokenizesLikeTransformers() throws {
    let (_, tokenizer) = try Self.model()
    let text = try String(contentsOf: Self.folder.appendingPathComponent("text.txt"), encoding: .utf8)
    #expect(tokenizer.encode(text, addSpecialTokens: true).ids == (try Self.expected()["ids"] as? [Int]))
  }

  @Test(arguments: [(32, 32), (32, 16), (32, 5), (24, 24), (32, 1)])
  func matchesTheDocumentedStridedLoop(_ maxLength: Int, _ stride: Int) throws {
    let (model, tokenizer) = try Self.model()
    let text = try String(contentsOf: Self.folder.appendingPathComponent("text.txt"), encoding: .utf8)
    let cases = try #require(try Self.expected()["cases"] as? [[String: Any]])
    let want = try #require(cases.first { ($0["max_length"] as? Int) == maxLength && ($0["stride"] as? Int) == stride })
    let got = try Perplexity(maxLength: maxLength, stride: stride).evaluate(
      model: model, tokenizer: tokenizer, text: text)
    let ppl = try #require(want["perplexity"] as? Double)
    #expect(abs(got.perplexity - ppl) / ppl <= 1e-4, "\(got.perplexity) vs transformers \(ppl)")
    #expect(abs(got.meanNLL - (want["nll"] as? Double ?? .nan)) <= 1e-5)
    #expect(got.scoredTokens == want["tokens"] as? Int)
    #expect(got.windows == want["windows"] as? Int)
  }

  @Test func badWindowsAndShortTextAreTypedErrors() throws {
    let (model, _) = try Self.model()
    #expect(throws: PerplexityError.self) { try Perplexity(maxLength: 16, stride: 17) }
    #expect(throws: PerplexityError.self) { try Perplexity(maxLength: 1, stride: 1) }
    #expect(throws: PerplexityError.self) {
      try Perplexity(maxLength: 64, stride: 8).evaluate(model: model, tokens: [1, 2, 3])
    }
    #expect(throws: PerplexityError.tooFewTokens(1)) {
      try Perplexity(maxLength: 8, stride: 8).evaluate(model: model, tokens: [1])
    }
  }

  /// The fetched SmolLM2-135M-Instruct GGUF against transformers' float32 dequantization of the
  /// same file (needs `radlm fetch smollm2`; fails with the fetch hint otherwise).
  @Test func realSmolLM2MatchesTransformers() throws {
    let url = try ModelCache().path(of: "smollm2")
    let model = try GGUFLlamaLoader.load(url: url)
    let tokenizer = try GGUFVocabulary.load(path: url.path)
    let data = try Data(contentsOf: Self.folder.appendingPathComponent("smollm2_expected.json"))
    let expected = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let text = try String(contentsOf: Self.folder.appendingPathComponent("text.txt"), encoding: .utf8)
    #expect(tokenizer.encode(text, addSpecialTokens: true).ids == expected["ids"] as? [Int])
    for want in try #require(expected["cases"] as? [[String: Any]]) {
      let m = try #require(want["max_length"] as? Int), s = try #require(want["stride"] as? Int)
      let got = try Perplexity(maxLength: m, stride: s).evaluate(model: model, tokenizer: tokenizer, text: text)
      let ppl = try #require(want["perplexity"] as? Double)
      #expect(abs(got.perplexity - ppl) / ppl <= 1e-4, "(\(m), \(s)): \(got.perplexity) vs transformers \(ppl)")
      #expect(got.scoredTokens == want["tokens"] as? Int)
    }
  }
}
