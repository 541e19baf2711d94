import Foundation
import RadTokenizers

/// Locates committed fixtures next to this file and reads the reference JSONL records.
enum Fixtures {
  static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

  static func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

  struct Record {
    let text: String
    let ids: [Int]
    let tokens: [String]
    let offsets: [[Int]]
    let decoded: String
  }

  static func records(_ name: String) throws -> [Record] {
    let data = try String(contentsOfFile: path(name), encoding: .utf8)
    return try data.split(separator: "\n").map { line in
      let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
      return Record(
        text: o["text"] as! String, ids: o["ids"] as! [Int], tokens: o["tokens"] as! [String],
        offsets: (o["offsets"] as! [[Int]]), decoded: o["decoded"] as! String)
    }
  }

  /// llama.cpp's test vectors: inputs separated by `__ggml_vocab_test__` lines, one id line each.
  static func llamaCppVectors(_ base: String) throws -> [(String, [Int])] {
    let inp = try String(contentsOfFile: path(base + ".inp"), encoding: .utf8)
    let out = try String(contentsOfFile: path(base + ".out"), encoding: .utf8)
    var texts = inp.components(separatedBy: "\n__ggml_vocab_test__\n")
    if let last = texts.last, last.hasSuffix("\n__ggml_vocab_test__") {
      texts[texts.count - 1] = String(last.dropLast("\n__ggml_vocab_test__".count))
    }
    if texts.last == "" { texts.removeLast() }
    let idLines = out.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
    return texts.enumerated().map { i, t in
      (t, idLines[i].split(separator: " ").compactMap { Int($0) })
    }
  }
}
