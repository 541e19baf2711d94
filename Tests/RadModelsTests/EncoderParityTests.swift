import Foundation
import RadModels
import RadTensor
import Testing

/// BERT (base model with pooler; masked-LM head) and BART (encoder–decoder with cross-attention)
/// against transformers.
@Suite("BERT and BART parity with transformers")
struct EncoderParityTests {
  static func bertBatch(_ fixture: ModelFixture) -> TokenBatch {
    var batch = TokenBatch(rows: fixture.rows("input_ids"), attentionMask: fixture.rows("attention_mask"))
    batch.tokenTypes = fixture.rows("token_type_ids")
    return batch
  }

  @Test func bertHiddenStatesPoolerAndGradients() throws {
    let fixture = try ModelFixture("bert")
    let model = try ModelLoader.load(directory: fixture.directory) as! BertModel
    let hidden = try model.hiddenStates(Self.bertBatch(fixture))
    let pooled = try model.pooled(hidden)
    #expect(maxAbsDifference(hidden, try fixture.tensor("hidden")) <= 1e-4)
    #expect(maxAbsDifference(pooled, try fixture.tensor("pooler")) <= 1e-4)
    // The fixture's loss: mean(hidden²) + sum(pooler).
    ((hidden * hidden).mean() + pooled.sum()).backward()
    try expectGradientsMatch(model, fixture)
  }

  @Test func bertMaskedLMLogitsLossAndGradients() throws {
    let fixture = try ModelFixture("bert_mlm")
    let model = try ModelLoader.load(directory: fixture.directory) as! BertModel
    let logits = try model.maskedLMLogits(Self.bertBatch(fixture))
    #expect(maxAbsDifference(logits, try fixture.tensor("logits")) <= 1e-4)
    let loss = logits.reshaped([-1, 64]).crossEntropy(targets: fixture.rows("labels").flatMap { $0 })
    #expect(abs(loss.item - fixture.number("loss")) <= 1e-5)
    loss.backward()
    try expectGradientsMatch(model, fixture)
  }

  @Test func bartEncoderDecoderLogitsLossAndGradients() throws {
    let fixture = try ModelFixture("bart")
    let model = try ModelLoader.load(directory: fixture.directory) as! BartModel
    let source = TokenBatch(rows: fixture.rows("input_ids"), attentionMask: fixture.rows("attention_mask"))
    let labels = fixture.rows("labels")
    #expect(model.decoderInputs(fromLabels: labels) == fixture.rows("decoder_input_ids"))
    do {
      let encoded = try model.encode(source)
      #expect(maxAbsDifference(encoded, try fixture.tensor("encoder_hidden")) <= 1e-4)
      let decoded = try model.decode(
        TokenBatch(rows: fixture.rows("decoder_input_ids")), encoderStates: encoded, sourceMask: source.attentionMask)
      #expect(maxAbsDifference(decoded, try fixture.tensor("decoder_hidden")) <= 1e-4)
      #expect(maxAbsDifference(model.logits(decoderStates: decoded), try fixture.tensor("logits")) <= 1e-4)
    }
    let loss = try model.loss(source: source, labels: labels)
    #expect(abs(loss.item - fixture.number("loss")) <= 1e-5)
    loss.backward()
    try expectGradientsMatch(model, fixture)
  }

  @Test func bartCachedGreedyDecodingEqualsRecomputation() throws {
    let fixture = try ModelFixture("bart")
    let model = try ModelLoader.load(directory: fixture.directory) as! BartModel
    let source = fixture.rows("input_ids")[0]
    let cached = try model.generateGreedy(source: source, maxTokens: 8)
    // Recompute the whole decoder prefix at every step.
    var recomputed: [Int] = []
    do {
      let encoded = try model.encode(TokenBatch(source))
      var prefix = [model.config.decoderStartTokenId]
      for _ in 0..<8 {
        let states = try model.decode(TokenBatch(prefix), encoderStates: encoded, sourceMask: nil)
        let next = model.logits(decoderStates: states).argmax(axis: -1).last!
        recomputed.append(next)
        prefix.append(next)
        if next == model.config.eosTokenId { break }
      }
    }
    #expect(cached == recomputed)
    #expect(!cached.isEmpty)
  }
}
