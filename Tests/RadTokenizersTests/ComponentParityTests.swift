import Foundation
import RadTokenizers
import Testing

/// Eight small tokenizers trained and saved by Hugging Face `tokenizers` that together use the
/// remaining tokenizer.json components (NFC/NFD/NFKC/NFKD, Lowercase, Strip, StripAccents,
/// Replace, Prepend; Whitespace, WhitespaceSplit, Punctuation, Digits, Metaspace, Split with
/// strings and regexes; BPE with byte fallback, unknown-token fusion and an end-of-word suffix; BertProcessing,
/// RobertaProcessing, TemplateProcessing, ByteLevel post-processing; WordPiece, Metaspace,
/// ByteFallback, Fuse, Replace, Strip, BPEDecoder decoders; added tokens with single_word, lstrip/rstrip and
/// normalized flags). Single inputs and pairs must match exactly.
@Suite struct ComponentParityTests {
  static let names = [
    "wordpiece_nfc_punct_digits", "wordpiece_nfd_lower_whitespace", "wordpiece_nfkd_regex_split",
    "bpe_metaspace_template", "bpe_llama2_style_byte_fallback", "bytelevel_roberta", "bytelevel_split_string_regex",
    "bpe_end_of_word_suffix",
  ]

  @Test(arguments: names)
  func singleInputs(_ name: String) throws {
    let tok = try TokenizerJSON.load(path: Fixtures.path("components/\(name).json"))
    try ReferenceParityTests.check(tok, "components/\(name)_parity.jsonl", addSpecialTokens: true, minimumCount: 400)
  }

  @Test(arguments: names)
  func pairInputs(_ name: String) throws {
    let tok = try TokenizerJSON.load(path: Fixtures.path("components/\(name).json"))
    let text = try String(contentsOfFile: Fixtures.path("components/\(name)_pairs.jsonl"), encoding: .utf8)
    var bad: [String] = []
    var count = 0
    for line in text.split(separator: "\n") {
      let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
      let e = tok.encode(o["a"] as! String, pair: (o["b"] as! String))
      count += 1
      if e.ids != o["ids"] as! [Int] || e.typeIds != o["type_ids"] as! [Int]
        || e.offsets.map({ [$0.start, $0.end] }) != o["offsets"] as! [[Int]]
      {
        bad.append(
          "\((o["a"] as! String).debugDescription) + \((o["b"] as! String).debugDescription): got \(e.ids) \(e.typeIds) want \(o["ids"]!) \(o["type_ids"]!)"
        )
      }
    }
    #expect(count == 60)
    #expect(bad.isEmpty, "\(name): \(bad.count) pair mismatches, e.g. \(bad.prefix(2))")
  }

  @Test(arguments: names)
  func saveReloadKeepsBehaviour(_ name: String) throws {
    let tok = try TokenizerJSON.load(path: Fixtures.path("components/\(name).json"))
    let back = try TokenizerJSON.load(data: TokenizerJSON.data(for: tok))
    for r in try Fixtures.records("components/\(name)_parity.jsonl").prefix(100) {
      #expect(back.encode(r.text).ids == r.ids)
    }
  }
}
