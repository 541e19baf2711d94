import Foundation
import RadTokenizers
import Testing

/// The BPE trainer reproduces `tokenizers`' BpeTrainer (byte-level pre-tokenizer without prefix
/// space, 256-byte initial alphabet): same vocabulary ids and the same merges in the same order.
@Suite struct TrainerParityTests {
  struct Reference {
    let vocab: [String: Int]
    let merges: [[String]]
  }

  static func reference(_ name: String) throws -> Reference {
    let o =
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Fixtures.path(name))))
      as! [String: Any]
    let m = o["model"] as! [String: Any]
    return Reference(vocab: m["vocab"] as! [String: Int], merges: m["merges"] as! [[String]])
  }

  @Test(arguments: [300, 1000])
  func matchesTokenizersBpeTrainer(_ vocabSize: Int) throws {
    let ref = try Self.reference("trained_bpe_v\(vocabSize).json")
    let trainer = BPETrainer(vocabSize: vocabSize, minFrequency: 2, specialTokens: ["<|endoftext|>", "<pad>"])
    let tok = try trainer.train(files: [Fixtures.path("trainer_corpus_roco_ccby.txt")])
    guard case .bpe(let model) = tok.model else { Issue.record("not BPE"); return }
    #expect(model.vocabularySize == ref.vocab.count)
    var vocabMismatch = 0
    for (t, id) in ref.vocab where model.vocab[t].map(Int.init) != id { vocabMismatch += 1 }
    #expect(vocabMismatch == 0)
    let got = model.merges.map { [model.idToToken[Int($0.0)], model.idToToken[Int($0.1)]] }
    #expect(got.count == ref.merges.count)
    let firstDiff = zip(got, ref.merges).enumerated().first { $0.element.0 != $0.element.1 }
    #expect(firstDiff == nil, "first differing merge: \(String(describing: firstDiff))")
  }

  @Test func seenAlphabetAndMinimumFrequencyStop() throws {
    // No initial alphabet (only characters seen in the corpus) and training stopped by the
    // minimum frequency long before the vocabulary size.
    let ref = try Self.reference("trained_bpe_minfreq40_seen_alphabet.json")
    let trainer = BPETrainer(vocabSize: 5000, minFrequency: 40, specialTokens: [], initialAlphabet: [])
    let tok = try trainer.train(files: [Fixtures.path("trainer_corpus_roco_ccby.txt")])
    guard case .bpe(let model) = tok.model else { Issue.record("not BPE"); return }
    #expect(model.vocabularySize == ref.vocab.count)
    #expect(ref.vocab.count < 5000)
    #expect(model.vocab == ref.vocab.mapValues { Int32($0) })
    let got = model.merges.map { [model.idToToken[Int($0.0)], model.idToToken[Int($0.1)]] }
    #expect(got == ref.merges)
  }

  @Test func savedTrainedTokenizerRoundTrips() throws {
    let tok = try BPETrainer(vocabSize: 400, minFrequency: 2, specialTokens: ["<|endoftext|>"])
      .train(files: [Fixtures.path("trainer_corpus_roco_ccby.txt")])
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("radtok-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("tokenizer.json").path
    try TokenizerJSON.save(tok, path: path)
    let back = try TokenizerJSON.load(path: path)
    for text in ["Axial CT shows a 3 x 2.1 cm mass.<|endoftext|>", "T2/FLAIR hyperintensity, SUVmax 4.2", "L4-L5 ✅ 日本"]
    {
      #expect(back.encode(text).ids == tok.encode(text).ids)
      #expect(try back.decode(back.encode(text).ids, skipSpecialTokens: false) == text)
    }
  }
}
