import Foundation
import Testing

/// `radlm deid`, `radlm sections` and `radlm data iu-stats` on project-written input: output
/// shapes, code-point offsets, and one-line errors for bad input.
@Suite("radlm deid / sections / data", .serialized)
struct ReportsCommandTests {
  func write(_ text: String, name: String) throws -> URL {
    let url = CommandRunner.temporaryFolder().appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url
  }

  @Test func deidJSONLinesWithCodePointOffsets() throws {
    let input = #"""
      {"id":"a","text":"🫁 MRN: 4471902. Discussed with Dr. Okafor at 14:35 on 03/14/2021."}
      {"id":7,"text":"Room 412. Lungs are clear."}
      """#
    let url = try write(input, name: "in.jsonl")
    let output = try CommandRunner.run(["deid", "--json", url.path])
    #expect(output.status == 0, "\(output.stderr)")
    let lines = output.stdout.split(separator: "\n")
    #expect(lines.count == 2)
    struct Span: Decodable {
      let start: Int
      let end: Int
      let label: String
      let text: String
    }
    struct Line: Decodable {
      let id: String
      let text: String
      let spans: [Span]
    }
    let first = try JSONDecoder().decode(Line.self, from: Data(lines[0].utf8))
    #expect(first.id == "a")
    #expect(first.text == "🫁 MRN: [MRN]. Discussed with Dr. [CLINICIAN] at [TIME] on [DATE].")
    #expect(first.spans.map(\.label) == ["MRN", "CLINICIAN", "TIME", "DATE"])
    // Code points: the emoji counts one ("🫁 MRN: " is 7 code points).
    #expect(first.spans.first?.start == 7)
    let second = try JSONDecoder().decode(Line.self, from: Data(lines[1].utf8))
    #expect(second.id == "7" && second.text == "Room [ROOM]. Lungs are clear.")
  }

  @Test func deidModesOnPlainText() throws {
    let url = try write("Compared with 03/04/2021 and 03/14/2021.\n", name: "in.txt")
    let shifted = try CommandRunner.run(["deid", "--mode", "shift-dates", "--seed", "5", url.path])
    #expect(shifted.status == 0)
    #expect(!shifted.stdout.contains("03/04/2021") && shifted.stdout.hasPrefix("Compared with "))
    let again = try CommandRunner.run(["deid", "run", "--mode", "shift-dates", "--seed", "5", url.path])
    #expect(again.stdout == shifted.stdout)
  }

  @Test func sectionsJSON() throws {
    let url = try write(
      "INDICATION: cough.\nFINDINGS: SUVmax 4.2 in the right hilar node.\nIMPRESSION: Deauville 3.\n", name: "r.txt")
    let output = try CommandRunner.run(["sections", "--json", url.path])
    #expect(output.status == 0, "\(output.stderr)")
    let object = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
    let sections = object?["sections"] as? [[String: Any]]
    #expect(sections?.map { $0["kind"] as? String } == ["indication", "findings", "impression"])
    let pet = object?["pet"] as? [[String: Any]]
    #expect(pet?.map { $0["kind"] as? String } == ["suv_max", "deauville"])
  }

  @Test func badInputIsOneLineNamingFileAndLine() throws {
    let url = try write("{\"id\":\"a\",\"text\":\"x\"}\n{broken\n", name: "bad.jsonl")
    for command in [["deid", url.path], ["sections", url.path]] {
      let output = try CommandRunner.run(command)
      #expect(output.status != 0)
      let message = output.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
      #expect(message == "Error: \(url.path):2: not valid JSON")
    }
    let badMode = try CommandRunner.run(["deid", "--mode", "blur", url.path])
    #expect(badMode.status == 64)
    #expect(badMode.stderr.contains("--mode must be one of tag, surrogate, shift-dates"))
    let missing = try CommandRunner.run(["deid", "/nonexistent/file.txt"])
    #expect(missing.status != 0 && missing.stderr.contains("/nonexistent/file.txt"))
    let badSplit = try CommandRunner.run(["deid", "eval", "--split", "holdout"])
    #expect(badSplit.status == 64)
  }

  @Test func iuStatsOnAFixtureFolder() throws {
    let folder = CommandRunner.repositoryRoot.appendingPathComponent("Tests/RadReportsTests/Fixtures/iu/folder")
    let output = try CommandRunner.run(["data", "iu-stats", "--reports", folder.path, "--json"])
    #expect(output.status == 0, "\(output.stderr)")
    let object = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
    let total = object?["total"] as? [String: Int]
    #expect(total == ["reports": 3, "without_findings": 1, "without_impression": 1, "pairs": 1])
    let malformed = CommandRunner.repositoryRoot.appendingPathComponent("Tests/RadReportsTests/Fixtures/iu/malformed")
    let bad = try CommandRunner.run(["data", "iu-stats", "--reports", malformed.path])
    #expect(bad.status != 0)
    #expect(bad.stderr.contains("malformed/150.xml:7:"))
  }
}
