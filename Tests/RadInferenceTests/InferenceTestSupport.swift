import Foundation
import RadInference
import RadModels
import RadTensor
import RadTokenizers
import Testing

enum Support {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
  /// The tiny transformers models of RadModelsTests (written by tools/reference/model_fixtures.py).
  static let modelFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("RadModelsTests/Fixtures")

  static func json(_ name: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(contentsOf: fixtures.appendingPathComponent(name))) as! [String: Any]
  }

  static func tinyModel(_ name: String) throws -> any LanguageModel {
    try ModelLoader.load(directory: modelFixtures.appendingPathComponent(name)) as! any LanguageModel
  }

  /// A 64-token byte-level tokenizer for the tiny models: "Ġ" (space), a–z, A–Z, 0–9 and a
  /// special "<eos>" with id 63, no merges, so every id decodes to one visible piece.
  static let tinyTokenizer: Tokenizer = {
    var symbols = ["Ġ"]
    symbols += (UInt8(ascii: "a")...UInt8(ascii: "z")).map { String(UnicodeScalar($0)) }
    symbols += (UInt8(ascii: "A")...UInt8(ascii: "Z")).map { String(UnicodeScalar($0)) }
    symbols += (UInt8(ascii: "0")...UInt8(ascii: "9")).map { String(UnicodeScalar($0)) }
    var vocab: [String: Int] = [:]
    for (i, s) in symbols.enumerated() { vocab[s] = i }
    vocab["<eos>"] = 63
    let object: [String: Any] = [
      "model": ["type": "BPE", "vocab": vocab, "merges": [String]()],
      "pre_tokenizer": ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true],
      "decoder": ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true],
      "added_tokens": [
        [
          "id": 63, "content": "<eos>", "special": true, "single_word": false, "lstrip": false, "rstrip": false,
          "normalized": false,
        ]
      ],
    ]
    // swift-format-ignore: NeverUseForceTry
    let data = try! JSONSerialization.data(withJSONObject: object)
    // swift-format-ignore: NeverUseForceTry
    return try! TokenizerJSON.load(data: data, source: "tiny tokenizer")
  }()

  /// Greedy generation by recomputing the whole sequence at every step (no cache).
  static func greedyByRecomputation(_ model: any LanguageModel, prompt: [Int], count: Int) throws -> [Int] {
    var ids = prompt
    var output: [Int] = []
    for _ in 0..<count {
      let logits = try model.logits(TokenBatch(ids))
      let next = logits.argmax(axis: -1).last!
      output.append(next)
      ids.append(next)
    }
    return output
  }
}
