import Foundation
import Testing

/// `radlm check` and the schema options of `radlm extract`/`radlm generate` on project-written
/// input: JSON output with code-point offsets, and one-line errors naming the file, line or keyword.
@Suite("radlm check / extract / generate --json-schema", .serialized)
struct CheckExtractCommandTests {
  func write(_ text: String, name: String) throws -> URL {
    let url = CommandRunner.temporaryFolder().appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url
  }

  @Test func checkPrintsIssuesWithCodePointOffsets() throws {
    let input = #"""
      {"id":"a","findings":"Consolidation in the left lower lobe.","impression":"🫁 Right lower lobe consolidation."}
      {"id":2,"findings":"Lungs clear. Status post prostatectomy.","impression":"No acute disease.","sex":"F"}
      """#
    let output = try CommandRunner.run(["check", "--json", try write(input, name: "check.jsonl").path])
    #expect(output.status == 0, "\(output.stderr)")
    struct Issue: Decodable {
      let kind: String
      let start: Int
      let end: Int
      let section: String
    }
    struct Line: Decodable { let issues: [Issue] }
    let lines = try output.stdout.split(separator: "\n").map {
      try JSONDecoder().decode(Line.self, from: Data($0.utf8))
    }
    #expect(lines.count == 2)
    #expect(lines[0].issues.map(\.kind) == ["laterality_conflict"])
    #expect(lines[0].issues.first.map { [$0.start, $0.end] } == [2, 7])  // the emoji counts one code point
    #expect(lines[1].issues.map(\.kind) == ["sex_mismatch"] && lines[1].issues.first?.section == "findings")
    #expect(lines[1].issues.first?.start == 25)
  }

  @Test func badInputIsOneLineError() throws {
    let bad = try write(#"{"id":1,"findings":"a"}"#, name: "bad.jsonl")
    let output = try CommandRunner.run(["check", bad.path])
    #expect(output.status != 0)
    #expect(output.stderr.contains("bad.jsonl:1: \"impression\" must be a string"))
    let schema = try write(#"{"type":"object","properties":{"a":{"type":"number","minimum":0}}}"#, name: "s.json")
    let reports = try write(#"{"id":1,"text":"x"}"#, name: "r.jsonl")
    for arguments in [
      ["extract", "--model", "smollm2", "--schema", schema.path, "--input", reports.path],
      ["generate", "--model", "smollm2", "--prompt", "x", "--json-schema", schema.path],
    ] {
      let result = try CommandRunner.run(arguments)
      #expect(result.status == 64, "\(arguments[0]): \(result.stderr)")
      #expect(result.stderr.contains("unsupported keyword \"minimum\""), "\(arguments[0]): \(result.stderr)")
    }
    let missing = try CommandRunner.run([
      "extract", "--model", "smollm2", "--schema", "/no/such.json", "--input", reports.path,
    ])
    #expect(missing.status == 64 && missing.stderr.contains("--schema /no/such.json: no such file"))
  }
}
