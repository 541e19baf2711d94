import Foundation
import RadModelFiles
import RadModels
import RadTensor
import RadTokenizers
import Testing

/// The two real models `radlm fetch` downloads, against the reference implementations
/// (fixtures from tools/reference/real_model_fixtures.py). Without the fetched models these
/// tests fail with a message saying which `radlm fetch` to run.
@Suite("Real models: MiniLM and SmolLM2", .serialized)
struct RealModelTests {
  /// Debug builds run the kernels unoptimised (minutes per real-model pass), so they check a
  /// prefix of the fixtures; `swift test -c release` checks all of them (120 sentences, 5 prompts,
  /// 20 quantised-decode tokens).
  #if DEBUG
    static let sentenceLimit = 24
    static let promptLimit = 2
    static let quantisedTokens = 4
  #else
    static let quantisedTokens = 20
    static let sentenceLimit = Int.max
    static let promptLimit = Int.max
  #endif

  static func realModel(_ name: String) throws -> URL {
    do {
      return try ModelCache().path(of: name)
    } catch {
      Issue.record("\(error)")
      throw error
    }
  }

  static func json(_ name: String) throws -> [String: Any] {
    let data = try Data(contentsOf: ModelFixture.root.appendingPathComponent(name))
    return try JSONSerialization.jsonObject(with: data) as! [String: Any]
  }

  @Test func miniLMSentenceEmbeddingsMatchSentenceTransformers() throws {
    let embedder = try SentenceEmbedder(directory: try Self.realModel("minilm"))
    #expect(embedder.pooling == .mean && embedder.normalize && embedder.maxLength == 256)
    let fixture = try Self.json("minilm_sentences.json")
    let allSentences = fixture["sentences"] as! [[String: Any]]
    #expect(allSentences.count >= 100)
    let sentences = Array(allSentences.prefix(Self.sentenceLimit))
    let texts = sentences.map { $0["text"] as! String }
    let expected = try SafetensorsFile(url: ModelFixture.root.appendingPathComponent("minilm_embeddings.safetensors"))
      .tensor("embeddings")
    // Tokenisation first, so a mismatch is reported where it happens.
    for (i, sentence) in sentences.enumerated() {
      #expect(embedder.tokenizer.encode(texts[i]).ids == sentence["input_ids"] as! [Int], "ids of sentence \(i)")
    }
    let vectors = try embedder.embed(texts, batchSize: 32)
    var worst: Double = 1
    for (i, vector) in vectors.enumerated() {
      let reference = Array(expected.data[(i * 384)..<((i + 1) * 384)])
      var dot = 0.0, a = 0.0, b = 0.0
      for (x, y) in zip(vector, reference) {
        dot += Double(x) * Double(y)
        a += Double(x) * Double(x)
        b += Double(y) * Double(y)
      }
      worst = min(worst, dot / (a.squareRoot() * b.squareRoot()))
    }
    #expect(worst >= 0.99999, "worst cosine \(worst)")
    // One text alone (no padding) gives the same vector as inside a padded batch.
    let single = try embedder.embed([texts[3]])[0]
    #expect(zip(single, vectors[3]).allSatisfy { abs($0 - $1) < 1e-5 })
  }

  @Test func smolLM2FromGGUFMatchesTransformersLogitsAndGreedyContinuations() throws {
    let url = try Self.realModel("smollm2")
    let model = try GGUFLlamaLoader.load(url: url)
    #expect(model.config.layers == 30 && model.config.heads == 9 && model.config.kvHeads == 3)
    #expect(model.config.tieWordEmbeddings)
    let tokenizer = try GGUFVocabulary.load(path: url.path)
    let reference = try Self.json("smollm2_reference.json")
    let prompts = reference["prompts"] as! [[String: Any]]
    #expect(prompts.count >= 4)
    let logits = try SafetensorsFile(url: ModelFixture.root.appendingPathComponent("smollm2_logits.safetensors"))
      .tensor("last_logits")
    let vocabulary = model.vocabularySize
    for (p, prompt) in prompts.prefix(Self.promptLimit).enumerated() {
      let ids = tokenizer.encodeIds(prompt["prompt"] as! String)
      #expect(ids == prompt["input_ids"] as! [Int])
      let expectedLast = Tensor(
        shape: [vocabulary], data: Array(logits.data[(p * vocabulary)..<((p + 1) * vocabulary)]))
      let cache = model.makeCache(capacity: ids.count + 20)
      let generated: [Int] = try Autograd.inferenceMode {
        let all = try model.logits(TokenBatch(ids), cache: cache)
        let last = all.slice(axis: 1, (ids.count - 1)..<ids.count).reshaped([vocabulary])
        #expect(maxAbsDifference(last, expectedLast) <= 1e-3, "prompt \(p)")
        var output = [last.argmax(axis: 0)[0]]
        while output.count < 20 {
          let next = try model.logits(TokenBatch([output.last!]), cache: cache)
          output.append(next.argmax(axis: -1)[0])
        }
        return output
      }
      #expect(generated == prompt["greedy_20_ids"] as! [Int], "greedy continuation of prompt \(p)")
    }
  }

  @Test func interleavedRotaryOnTheStoredGGUFLayoutGivesTheSameLogits() throws {
    let url = try Self.realModel("smollm2")
    let file = try GGUFFile(url: url)
    let unpermuted = try GGUFLlamaLoader.load(file)
    let permuted = try GGUFLlamaLoader.load(file, keepPermuted: true)
    let ids = TokenBatch([504, 8349, 11090, 1536, 2744])
    let (a, b) = try Autograd.inferenceMode { (try unpermuted.logits(ids), try permuted.logits(ids)) }
    #expect(maxAbsDifference(a, b) <= 1e-3)
  }

  @Test func quantisedQ4DecodingFromTheGGUFBlocksKeepsTheGreedyContinuation() throws {
    let url = try Self.realModel("smollm2")
    let file = try GGUFFile(url: url)
    let model = try GGUFLlamaLoader.load(file)
    let stats = try ModelQuantizer.quantize(model, to: .q4, gguf: file)
    #expect(stats.matrices == 30 * 7 + 1)
    let reference = try Self.json("smollm2_reference.json")
    let prompt = (reference["prompts"] as! [[String: Any]])[0]
    let ids = prompt["input_ids"] as! [Int]
    let generated: [Int] = try Autograd.inferenceMode {
      let cache = model.makeCache(capacity: ids.count + 20)
      var next = try model.lastLogits(TokenBatch(ids), cache: cache).argmax(axis: -1)[0]
      var output = [next]
      while output.count < Self.quantisedTokens {
        next = try model.lastLogits(TokenBatch([next]), cache: cache).argmax(axis: -1)[0]
        output.append(next)
      }
      return output
    }
    // The Q4_1 blocks are exactly the weights the F32 model was dequantised from.
    #expect(generated == Array((prompt["greedy_20_ids"] as! [Int]).prefix(Self.quantisedTokens)))
  }
}
