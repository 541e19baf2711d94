import Foundation
import RadEval
import Testing

@Suite("Bad input: typed errors naming file and line; documented empty-text behaviour")
struct BadInputTests {
  func temp(_ name: String, _ content: String) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "radeval-tests-\(ProcessInfo.processInfo.processIdentifier)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try Data(content.utf8).write(to: url)
    return url.path
  }

  @Test("--refs/--hyps with different line counts")
  func lineCountMismatch() throws {
    let r = try temp("refs.txt", "a\nb\nc\n")
    let h = try temp("hyps.txt", "a\nb\n")
    #expect(
      throws: EvalInputError.lineCountMismatch(referencesFile: r, references: 3, hypothesesFile: h, hypotheses: 2)
    ) {
      try TextPairsReader.readParallel(references: r, hypotheses: h)
    }
  }

  @Test("Final newline adds no line; CRLF is stripped; empty lines are empty texts")
  func lines() throws {
    let r = try temp("r2.txt", "one\r\n\r\nthree\n")
    let h = try temp("h2.txt", "one\n\nthree")
    let pairs = try TextPairsReader.readParallel(references: r, hypotheses: h)
    #expect(
      pairs == [
        TextPair(reference: "one", hypothesis: "one"), TextPair(reference: "", hypothesis: ""),
        TextPair(reference: "three", hypothesis: "three"),
      ])
  }

  @Test(
    "JSON Lines errors carry the line number",
    arguments: [
      (
        "{\"reference\":\"a\",\"hypothesis\":\"b\"}\n{oops\n",
        EvalInputError.invalidJSON(file: "", line: 2, reason: "not a JSON value")
      ),
      ("\n[1,2]\n", .invalidJSON(file: "", line: 2, reason: "expected an object")),
      ("{\"reference\":\"a\"}\n", .missingField(file: "", line: 1, field: "hypothesis")),
      ("{\"hypothesis\":\"a\"}\n", .missingField(file: "", line: 1, field: "reference")),
      (
        "{\"reference\":3,\"hypothesis\":\"a\"}\n",
        .wrongType(file: "", line: 1, field: "reference", expected: "a string")
      ),
      (
        "{\"references\":[],\"hypothesis\":\"a\"}\n",
        .wrongType(file: "", line: 1, field: "references", expected: "a non-empty array of strings")
      ),
      ("\n\n", .noPairs(file: "")),
    ])
  func jsonl(content: String, expected: EvalInputError) throws {
    let path = try temp("bad-\(abs(content.hashValue)).jsonl", content)
    var err: EvalInputError?
    do { _ = try TextPairsReader.readJSONL(path) } catch let e as EvalInputError { err = e }
    // Put the real path into the expected error.
    let fixed: EvalInputError
    switch expected {
    case .invalidJSON(_, let l, let r): fixed = .invalidJSON(file: path, line: l, reason: r)
    case .missingField(_, let l, let f): fixed = .missingField(file: path, line: l, field: f)
    case .wrongType(_, let l, let f, let e): fixed = .wrongType(file: path, line: l, field: f, expected: e)
    case .noPairs: fixed = .noPairs(file: path)
    default: fixed = expected
    }
    #expect(err == fixed)
    #expect(err?.description.contains(path) == true)
  }

  @Test("Missing file is a typed error")
  func missingFile() {
    #expect(throws: EvalInputError.self) { try TextPairsReader.readJSONL("/nonexistent/radeval.jsonl") }
  }

  @Test("Empty hypothesis or reference scores 0 in every metric (as the references do)")
  func emptyTexts() {
    let pairs = [
      TextPair(reference: "Lungs are clear.", hypothesis: ""), TextPair(reference: "", hypothesis: "Lungs are clear."),
    ]
    for row in RougeScorer().scoreAll(pairs) { #expect(row.allSatisfy { $0 == .zero }) }
    #expect(SacreBLEU(effectiveOrder: true).sentenceScores(pairs).allSatisfy { $0.score == 0 })
    #expect(SacreCHRF().sentenceScores(pairs).allSatisfy { $0 == 0 })
    #expect(CocoRougeL().evaluate(pairs).perPair.allSatisfy { $0 == 0 })
  }

  @Test("Metric report JSON has exactly signature, score and (when asked) per_pair")
  func reportShape() throws {
    let pairs = [TextPair(reference: "No effusion.", hypothesis: "No pleural effusion.")]
    let rouge = try RougeScorer().report(pairs, perPair: true).json.serialized()
    let obj = try #require(try JSONSerialization.jsonObject(with: Data(rouge.utf8)) as? [String: Any])
    #expect(Set(obj.keys) == ["signature", "score", "per_pair"])
    let score = try #require(obj["score"] as? [String: [String: Double]])
    #expect(
      Set(score.keys) == ["rouge1", "rouge2", "rougeL", "rougeLsum"]
        && Set(score["rouge1"]?.keys ?? [:].keys) == ["p", "r", "f"])
    let bleu = try SacreBLEU().report(pairs, perPair: false).json.serialized()
    let b = try #require(try JSONSerialization.jsonObject(with: Data(bleu.utf8)) as? [String: Any])
    #expect(Set(b.keys) == ["signature", "score"] && b["score"] is Double)
    let chrf = try SacreCHRF().report(pairs, perPair: true).json.serialized()
    let c = try #require(try JSONSerialization.jsonObject(with: Data(chrf.utf8)) as? [String: Any])
    #expect((c["per_pair"] as? [[String: Double]])?.first?.keys.sorted() == ["score"])
  }
}
