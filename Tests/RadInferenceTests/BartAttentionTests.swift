import Foundation
import RadModels
import RadTensor
import RadTokenizers
import Testing

/// BART's three kinds of attention (encoder self-attention, causal decoder self-attention and
/// cross-attention from decoder to encoder) recorded by `AttentionProbe`, against transformers'
/// `output_attentions` on a tiny BART (tools/reference/bart_attention_fixtures.py).
@Suite("BART attention weights")
struct BartAttentionTests {
  @Test func everyLayerAndHeadMatchesTransformers() throws {
    let fixture = try Support.json("bart_attention/attention.json")
    let folder = Support.fixtures.appendingPathComponent("bart_attention")
    let bart = try #require(try ModelLoader.load(directory: folder) as? BartModel)
    let tokenizer = try TokenizerFiles.load(path: folder.path)
    let source = tokenizer.encode(fixture["source"] as! String).ids
    #expect(source == fixture["input_ids"] as? [Int])
    let labels = tokenizer.encode(fixture["target"] as! String).ids
    #expect(labels == fixture["labels"] as? [Int])
    let decoderIds = bart.decoderInputs(fromLabels: [labels])[0]
    #expect(decoderIds == fixture["decoder_input_ids"] as? [Int])

    let encoderProbe = AttentionProbe(), selfProbe = AttentionProbe(), crossProbe = AttentionProbe()
    try Autograd.inferenceMode {
      let states = try bart.encode(TokenBatch(source), probe: encoderProbe)
      _ = try bart.decode(
        TokenBatch(decoderIds), encoderStates: states, sourceMask: nil, selfAttentionProbe: selfProbe,
        crossAttentionProbe: crossProbe)
    }
    let cases: [(String, AttentionProbe, Int, Int)] = [
      ("encoder", encoderProbe, source.count, source.count), ("decoder", selfProbe, decoderIds.count, decoderIds.count),
      ("cross", crossProbe, decoderIds.count, source.count),
    ]
    for (kind, probe, queries, keys) in cases {
      let expected = try #require(fixture[kind] as? [[[[Double]]]])
      #expect(probe.weights.count == expected.count && expected.count == 2, "\(kind)")
      for (layer, heads) in expected.enumerated() {
        let weights = try #require(probe.weights[layer], "\(kind) layer \(layer)")
        #expect(weights.shape == [1, heads.count, queries, keys], "\(kind) layer \(layer)")
        let reference = heads.flatMap { $0.flatMap { $0 } }.map(Float.init)
        let error = zip(weights.data, reference).map { abs($0 - $1) }.max() ?? .infinity
        #expect(weights.count == reference.count && error <= 1e-5, "\(kind) layer \(layer): \(error)")
      }
    }
    // The decoder's self-attention is causal; cross-attention rows spread over the whole source.
    let decoderWeights = try #require(selfProbe.weights[0])
    #expect(decoderWeights.data[1] == 0)
    let crossWeights = try #require(crossProbe.weights[1])
    let firstRow = crossWeights.data[0..<source.count]
    #expect(abs(firstRow.reduce(0, +) - 1) < 1e-5 && firstRow.last! > 0)
  }
}
