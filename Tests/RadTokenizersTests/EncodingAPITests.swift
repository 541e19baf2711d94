import Foundation
import RadTokenizers
import Testing

/// Encoding API behaviour beyond id parity: round trips, streaming decode, truncation, padding,
/// batches, saving and the errors bad input produces.
@Suite struct EncodingAPITests {
  // swift-format-ignore: NeverUseForceTry
  static let smol = try! TokenizerJSON.load(path: Fixtures.path("smollm2_tokenizer.json"))
  // swift-format-ignore: NeverUseForceTry
  static let gpt2 = try! TokenizerFiles.load(path: Fixtures.path("gpt2_vocab.json"))
  // swift-format-ignore: NeverUseForceTry
  static let minilm = try! TokenizerJSON.load(path: Fixtures.path("minilm_tokenizer.json"))

  /// Random valid UTF-8 strings from a seeded generator: ASCII, Latin, CJK, emoji, combining
  /// marks, controls, white space.
  static func randomStrings(count: Int, seed: UInt64) -> [String] {
    var state = seed
    func next() -> UInt64 {
      state = state &* 6364136223846793005 &+ 1442695040888963407
      return state >> 33
    }
    let ranges: [ClosedRange<UInt32>] = [
      0x20...0x7E, 0x00...0x1F, 0xA0...0x24F, 0x300...0x36F, 0x400...0x4FF,
      0x3040...0x30FF, 0x4E00...0x9FFF, 0xAC00...0xD7A3, 0x1F300...0x1FAFF, 0x10000...0x10FFFF,
    ]
    return (0..<count).map { _ in
      var v = String.UnicodeScalarView()
      for _ in 0..<Int(next() % 40) {
        let r = ranges[Int(next() % UInt64(ranges.count))]
        let c = r.lowerBound + UInt32(next() % UInt64(r.upperBound - r.lowerBound + 1))
        if let s = Unicode.Scalar(c) { v.append(s) }
      }
      return String(v)
    }
  }

  /// Whether every byte of `s` has a token (SmolLM2's vocabulary lacks 21 byte characters, such
  /// as the lead bytes 0xF1 and 0xF2; `tokenizers` drops those bytes too).
  static func representable(_ s: String, _ tok: Tokenizer) -> Bool {
    s.utf8.allSatisfy { tok.tokenToId(ByteLevelAlphabet.encode([$0])) != nil }
  }

  @Test func gpt2HasEveryByte() {
    #expect((0...255).allSatisfy { Self.gpt2.tokenToId(ByteLevelAlphabet.encode([UInt8($0)])) != nil })
  }

  @Test(arguments: ["smollm2", "gpt2"])
  func byteLevelRoundTripIsExact(_ name: String) throws {
    let tok = name == "gpt2" ? Self.gpt2 : Self.smol
    let inputs = Self.randomStrings(count: 3000, seed: 7).filter { Self.representable($0, tok) }
    #expect(inputs.count >= 1000)
    for s in inputs {
      let ids = tok.encodeIds(s)
      #expect(try tok.decode(ids) == s, "\(s.debugDescription)")
    }
  }

  @Test func offsetsCoverTheirText() throws {
    // Every non-empty byte-level token's span holds text whose bytes include the token's bytes.
    for s in Self.randomStrings(count: 300, seed: 11) {
      let e = Self.smol.encode(s, addSpecialTokens: false)
      let scalars = Array(s.unicodeScalars)
      for o in e.offsets { #expect(o.start <= o.end && o.end <= scalars.count) }
    }
  }

  @Test func spansCutOutTheTokenText() throws {
    let text = "Lesion 3 x 2.1 cm, SUVmax 4.2 — naïve 🦙"
    let e = Self.minilm.with(truncation: nil, padding: nil).encode(text, addSpecialTokens: false)
    let pieces = e.offsets.map { text.unicodeScalars[$0.range(in: text)!].map(String.init).joined() }
    #expect(Array(pieces.prefix(7)) == ["Les", "ion", "3", "x", "2", ".", "1"])
    #expect(pieces.contains("naïve"))
    #expect(TokenSpan(start: 3, end: 99).range(in: "abc") == nil)
  }

  @Test func streamingDecodeEqualsFullDecode() throws {
    for tok in [Self.smol, Self.minilm] {
      for s in (Self.randomStrings(count: 400, seed: 3) + ["Hello 🦙 world, 😶‍🌫️ T2/FLAIR", "naïve café 日本語"]).filter({
        Self.representable($0, Self.smol)
      }) {
        let ids = tok.encode(s, addSpecialTokens: false).ids
        var stream = StreamingDecoder(tokenizer: tok)
        var out = ""
        for id in ids {
          let piece = try stream.step(id)
          #expect(!piece.unicodeScalars.contains("\u{FFFD}") || s.unicodeScalars.contains("\u{FFFD}"))
          out += piece
        }
        out += try stream.finish()
        #expect(out == (try tok.decode(ids)))
      }
    }
  }

  @Test func specialTokensAreMatchedBeforePreTokenization() throws {
    let e = Self.smol.encode("<|im_start|>user\nHi<|im_end|>", addSpecialTokens: false)
    #expect(e.ids.first == 1)
    #expect(e.ids.last == 2)
    #expect(e.tokens.first == "<|im_start|>")
    #expect(try Self.smol.decode(e.ids, skipSpecialTokens: true) == "user\nHi")
    #expect(try Self.smol.decode(e.ids, skipSpecialTokens: false) == "<|im_start|>user\nHi<|im_end|>")
  }

  @Test func miniLMSpecialTokensMaskAndPairs() throws {
    let tok = Self.minilm.with(truncation: nil, padding: nil)
    let e = tok.encode("Axial CT", pair: "No mass.")
    #expect(e.tokens.first == "[CLS]")
    #expect(e.specialTokensMask.first == 1 && e.specialTokensMask.last == 1)
    #expect(e.typeIds.last == 1 && e.typeIds.first == 0)
    #expect(e.ids.filter { $0 == 102 }.count == 2)
  }

  @Test func truncationAndPadding() throws {
    // The MiniLM file itself pads to 128 and truncates at 128.
    let e = Self.minilm.encode("short text")
    #expect(e.count == 128)
    #expect(e.attentionMask.reduce(0, +) == 4)
    #expect(e.ids.last == 0)
    let long = String(repeating: "lung ", count: 300)
    let t = Self.minilm.encode(long)
    #expect(t.count == 128 && t.ids.last == 102 && t.attentionMask.allSatisfy { $0 == 1 })
    let left = Self.minilm.with(truncation: TruncationSettings(maxLength: 6, fromLeft: true), padding: nil).encode(
      "one two three four five six")
    #expect(left.tokens == ["[CLS]", "three", "four", "five", "six", "[SEP]"])
  }

  @Test func strideTruncationMatchesTokenizersOverflowing() throws {
    // Windows overlapping by the stride, from the right and from the left, as `tokenizers` returns.
    let text = try String(contentsOfFile: Fixtures.path("minilm_overflow.jsonl"), encoding: .utf8)
    var bad: [String] = []
    var n = 0
    for line in text.split(separator: "\n") {
      let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
      let t = TruncationSettings(
        maxLength: o["max_length"] as! Int, stride: o["stride"] as! Int,
        fromLeft: (o["direction"] as! String) == "left")
      let e = Self.minilm.with(truncation: t, padding: nil).encode(o["text"] as! String)
      let ids = [e.ids] + e.overflowing.map(\.ids)
      let offs = ([e] + e.overflowing).map { $0.offsets.map { [$0.start, $0.end] } }
      if ids != o["ids"] as! [[Int]] || offs != o["offsets"] as! [[[Int]]] {
        bad.append("\(o["text"]!): got \(ids) want \(o["ids"]!)")
      }
      n += 1
    }
    #expect(n == 450)
    #expect(bad.isEmpty, "\(bad.count) mismatches, e.g. \(bad.prefix(2))")
  }

  @Test func batchEncodingMatchesSingleAndPadsToLongest() throws {
    let texts = Self.randomStrings(count: 64, seed: 5)
    let tok = Self.minilm.with(truncation: nil, padding: PaddingSettings(padToken: "[PAD]"))
    let batch = tok.encodeBatch(texts)
    let longest = texts.map { Self.minilm.with(truncation: nil, padding: nil).encode($0).count }.max()!
    for (i, e) in batch.enumerated() {
      #expect(e.count == longest)
      let single = Self.minilm.with(truncation: nil, padding: nil).encode(texts[i])
      #expect(Array(e.ids.prefix(single.count)) == single.ids)
    }
    let ids = Self.smol.encodeIdsBatch(texts, threads: 2)
    for (i, t) in texts.enumerated() { #expect(ids[i].map(Int.init) == Self.smol.encodeIds(t)) }
  }

  @Test(arguments: ["minilm_tokenizer.json", "smollm2_tokenizer.json"])
  func saveAndReloadKeepsBehaviour(_ name: String) throws {
    let tok = try TokenizerJSON.load(path: Fixtures.path(name))
    let back = try TokenizerJSON.load(data: TokenizerJSON.data(for: tok))
    for s in Self.randomStrings(count: 200, seed: 9) {
      #expect(back.encode(s).ids == tok.encode(s).ids)
    }
  }

  @Test func decodeRejectsUnknownIds() {
    #expect(throws: TokenizerError.idOutOfRange(id: 999_999, vocabularySize: 49152)) {
      try Self.smol.decode([1, 999_999])
    }
  }
}
