import Foundation
import Testing

/// `radlm generate` for encoder–decoder models and batched prompt files through the real
/// executable, against transformers' generate (RadInferenceTests/Fixtures/bart_generation.json).
@Suite("radlm generate (encoder–decoder, batches)", .serialized)
struct GenerateCommandTests {
  static let inference = CommandRunner.repositoryRoot.appendingPathComponent("Tests/RadInferenceTests/Fixtures")
  static let bart = TinyModels.bart

  static func lines(_ text: String) throws -> [[String: Any]] {
    try text.split(separator: "\n").map {
      try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
  }

  static func cases() throws -> [[String: Any]] {
    let data = try Data(contentsOf: inference.appendingPathComponent("bart_generation.json"))
    return try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["cases"] as? [[String: Any]])
  }

  @Test func bartFolderGeneratesTransformersGreedyTokens() throws {
    for entry in try Self.cases() {
      let out = try CommandRunner.run([
        "generate", "--model", Self.bart.path, "--prompt", entry["text"] as! String, "--max-tokens", "12", "--json",
      ])
      #expect(out.status == 0, "\(out.stderr)")
      let result = try #require(try Self.lines(out.stdout).first)
      #expect(result["tokens"] as? [Int] == entry["greedy"] as? [Int])
      #expect(result["text"] as? String == entry["greedy_text"] as? String)
      #expect(result["prompt_tokens"] as? Int == (entry["source_ids"] as! [Int]).count)
    }
  }

  @Test func bartPromptFileInBatchesGivesOneObjectPerPrompt() throws {
    let cases = try Self.cases()
    let folder = CommandRunner.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    // Mixed plain and JSON Lines.
    let texts = cases.map { $0["text"] as! String }
    let file = folder.appendingPathComponent("prompts.jsonl")
    try "\(texts[0])\n{\"prompt\": \"\(texts[1])\"}\n\n\(texts[2])\n".write(to: file, atomically: true, encoding: .utf8)
    let out = try CommandRunner.run([
      "generate", "--model", Self.bart.path, "--prompt-file", file.path, "--batch-size", "2", "--max-tokens", "12",
      "--json",
    ])
    #expect(out.status == 0, "\(out.stderr)")
    let results = try Self.lines(out.stdout)
    #expect(results.map { $0["tokens"] as? [Int] ?? [] } == cases.map { $0["greedy"] as! [Int] })
  }

  @Test func batchedPromptFileEqualsOneByOne() throws {
    let model = try TinyModels.llamaFolder()
    defer { try? FileManager.default.removeItem(at: model) }
    let file = model.appendingPathComponent("prompts.txt")
    let prompts = ["the heart", "No acute disease is seen", "small", "left effusion 2", "Lungs clear"]
    try prompts.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
    func run(_ extra: [String]) throws -> [[String: Any]] {
      let out = try CommandRunner.run(["generate", "--model", model.path, "--max-tokens", "8", "--json"] + extra)
      #expect(out.status == 0, "\(out.stderr)")
      return try Self.lines(out.stdout)
    }
    let sampling = ["--temperature", "0.9", "--top-k", "20", "--top-p", "0.95", "--seed", "3"]
    let batched = try run(["--prompt-file", file.path, "--batch-size", "3"] + sampling)
    let single = try run(["--prompt-file", file.path, "--batch-size", "1"] + sampling)
    #expect(batched.count == prompts.count)
    #expect(batched.map { $0["tokens"] as? [Int] ?? [] } == single.map { $0["tokens"] as? [Int] ?? [] })
    #expect(batched.map { $0["text"] as? String ?? "" } == single.map { $0["text"] as? String ?? "" })
    // Greedy batches equal separate --prompt runs.
    let greedy = try run(["--prompt-file", file.path, "--batch-size", "4"])
    for (i, prompt) in prompts.enumerated() {
      let alone = try #require(try run(["--prompt", prompt]).first)
      #expect(greedy[i]["tokens"] as? [Int] == alone["tokens"] as? [Int], "prompt \(i)")
      #expect(greedy[i]["prompt_tokens"] as? Int == alone["prompt_tokens"] as? Int)
    }
  }

  @Test func badPromptFileLineIsNamed() throws {
    let folder = CommandRunner.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("prompts.jsonl")
    try "fine\n{\"text\": \"no prompt key\"}\n".write(to: file, atomically: true, encoding: .utf8)
    let out = try CommandRunner.run([
      "generate", "--model", Self.bart.path, "--prompt-file", file.path, "--batch-size", "2",
    ])
    #expect(out.status != 0)
    #expect(out.stderr.contains("line 2"))
  }
}
