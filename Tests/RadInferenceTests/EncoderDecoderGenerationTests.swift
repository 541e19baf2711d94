import Foundation
import RadInference
import RadModels
import RadTensor
import Testing

/// BART generation through the decoder-only machinery (TextGenerator, TokenSampler) against
/// transformers' `generate` (tools/reference/seq2seq_generation_fixtures.py).
@Suite("Encoder–decoder generation")
struct EncoderDecoderGenerationTests {
  static let folder = Support.fixtures.appendingPathComponent("tiny_bart")

  static func bundle() throws -> EncoderDecoderBundle {
    guard case .encoderDecoder(let bundle) = try GenerationModel.open(path: folder.path) else {
      throw ModelError.invalidInput("tiny_bart did not open as an encoder–decoder model")
    }
    return bundle
  }

  static func cases() throws -> [[String: Any]] {
    try Support.json("bart_generation.json")["cases"] as! [[String: Any]]
  }

  static func samplingSettings(seed: UInt64 = 0) throws -> GenerationSettings {
    let sampling = try Support.json("bart_generation.json")["sampling"] as! [String: Any]
    func number(_ key: String) -> Float { Float((sampling[key] as! NSNumber).doubleValue) }
    return GenerationSettings(
      maxTokens: 12, temperature: number("temperature"), topK: Int(number("top_k")), topP: number("top_p"),
      minP: number("min_p"), repetitionPenalty: number("repetition_penalty"), seed: seed)
  }

  @Test func greedyTokensEqualTransformers() throws {
    let bundle = try Self.bundle()
    let generator = bundle.generator
    for entry in try Self.cases() {
      let text = entry["text"] as! String
      let source = bundle.tokenizer.encode(text).ids
      #expect(source == entry["source_ids"] as! [Int])
      let greedy = try generator.generate(
        sourceIds: source, settings: GenerationSettings(maxTokens: 12, eosTokenIds: bundle.eosTokenIds))
      #expect(greedy.tokens == entry["greedy"] as! [Int], "\(text)")
      #expect(greedy.text == entry["greedy_text"] as! String)
      #expect(greedy.promptTokens == source.count)
      let penalised = try generator.generate(
        sourceIds: source,
        settings: GenerationSettings(maxTokens: 12, repetitionPenalty: 1.3, eosTokenIds: bundle.eosTokenIds))
      #expect(penalised.tokens == entry["greedy_repetition_1.3"] as! [Int], "\(text) with repetition penalty")
      #expect(penalised.tokens != greedy.tokens)
    }
  }

  @Test func batchedGreedyEqualsTransformersAndSingleSources() throws {
    let bundle = try Self.bundle()
    let sources = try Self.cases().map { $0["source_ids"] as! [Int] }
    let expected = try Support.json("bart_generation.json")["batched_greedy"] as! [[Int]]
    let settings = GenerationSettings(maxTokens: 12, eosTokenIds: bundle.eosTokenIds)
    let batched = try bundle.generator.generateBatch(sourceIds: sources, settings: settings)
    #expect(batched.map(\.tokens) == expected)
    for (i, source) in sources.enumerated() {
      #expect(try bundle.generator.generate(sourceIds: source, settings: settings).tokens == batched[i].tokens)
    }
  }

  @Test func samplingDistributionsEqualTransformersProcessors() throws {
    // RNGs differ, so compare what each token is drawn from. At every step of transformers'
    // sampled sequence: our decoder's logits on the same prefix equal its raw logits, and our
    // processor chain turns its raw logits into the distribution it sampled from.
    let bundle = try Self.bundle()
    let settings = try Self.samplingSettings()
    for entry in try Self.cases() {
      let tokens = entry["sampled"] as! [Int]
      let rawLogits = (entry["sampled_logits"] as! [[NSNumber]]).map { $0.map(\.floatValue) }
      let reference = (entry["sampled_probabilities"] as! [[NSNumber]]).map { $0.map(\.floatValue) }
      #expect(reference.count == tokens.count && rawLogits.count == tokens.count)
      let decoder = try Autograd.inferenceMode {
        try bundle.model.conditionedDecoder(source: TokenBatch(entry["source_ids"] as! [Int]))
      }
      let cache = decoder.makeCache(capacity: 16)
      var sampler = TokenSampler(settings: settings)
      var history = [bundle.model.decoderStartTokenId]
      var logitError: Float = 0
      var logitScale: Float = 0
      var probabilityError: Float = 0
      for (step, token) in tokens.enumerated() {
        let logits = try Autograd.inferenceMode {
          try decoder.lastLogits(TokenBatch([history.last!]), cache: cache).data
        }
        for (a, b) in zip(logits, rawLogits[step]) {
          logitError = max(logitError, abs(a - b))
          logitScale = max(logitScale, abs(b))
        }
        let ours = sampler.distribution(logits: rawLogits[step], history: history)
        for (a, b) in zip(ours, reference[step]) { probabilityError = max(probabilityError, abs(a - b)) }
        #expect(ours.filter { $0 > 0 }.count == reference[step].filter { $0 > 0 }.count, "support at step \(step)")
        #expect(reference[step][token] > 0)
        history.append(token)
      }
      // This BART's weights have standard deviation 1 (so that greedy output varies), which makes
      // attention scores large and float32 rounding differences grow: the decoder's logits are
      // compared relative to their scale (the 0.02-scale BART of RadModelsTests meets 1e-4 absolute).
      #expect(logitError <= 1e-3 * logitScale, "max logit difference \(logitError) at scale \(logitScale)")
      #expect(probabilityError <= 1e-6)
    }
  }

  @Test func seededSamplingReproducesAndStopStringsEnd() throws {
    let bundle = try Self.bundle()
    let source = bundle.tokenizer.encode("the heart is normal").ids
    func sample(_ seed: UInt64) throws -> GenerationResult {
      try bundle.generator.generate(sourceIds: source, settings: try Self.samplingSettings(seed: seed))
    }
    let first = try sample(5)
    #expect(try sample(5).tokens == first.tokens)
    #expect(try [6, 7, 8].map { try sample($0).tokens }.contains { $0 != first.tokens })
    // A stop string from the middle of the greedy text ends generation just before it.
    let greedy = try bundle.generator.generate(sourceIds: source, settings: GenerationSettings(maxTokens: 12))
    let stop = String(Array(greedy.text)[3...4])
    let stopped = try bundle.generator.generate(
      sourceIds: source, settings: GenerationSettings(maxTokens: 12, stopStrings: [stop]))
    #expect(stopped.finishReason == .stopString)
    #expect(stopped.text == String(greedy.text[..<greedy.text.range(of: stop)!.lowerBound]))
  }
}
