import Foundation
import Testing

/// `--chat-template`: a model whose stored template RadLM does not recognise is refused for chat
/// rendering (one line naming its tokenizer_config.json), runs once a family is chosen, and a
/// recognised template needs no choice.
@Suite("radlm chat templates")
struct ChatTemplateCommandTests {
  /// A tiny decoder-only folder whose tokenizer_config.json holds the named fixture template
  /// (its context widened to 1024 positions, which RoPE allows, so whole chats fit in the tiny
  /// byte-level vocabulary's many tokens).
  static func folder(template name: String) throws -> URL {
    let folder = try TinyModels.llamaFolder()
    let configURL = folder.appendingPathComponent("config.json")
    var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as? [String: Any])
    config["max_position_embeddings"] = 1024
    try JSONSerialization.data(withJSONObject: config).write(to: configURL)
    let fixture = CommandRunner.repositoryRoot.appendingPathComponent(
      "Tests/RadTokenizersTests/Fixtures/chat_template_families.json")
    let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: fixture)) as? [String: Any])
    let templates = try #require(json["templates"] as? [[String: Any]])
    let source = try #require(templates.first { $0["name"] as? String == name }?["source"] as? String)
    try JSONSerialization.data(withJSONObject: ["chat_template": source]).write(
      to: folder.appendingPathComponent("tokenizer_config.json"))
    return folder
  }

  @Test func generateRefusesAnUnknownTemplateUntilOneIsChosen() throws {
    let folder = try Self.folder(template: "inst")
    defer { try? FileManager.default.removeItem(at: folder) }
    let arguments = ["generate", "--model", folder.path, "--prompt", "Findings:", "--chat", "--max-tokens", "2"]
    let refused = try CommandRunner.run(arguments)
    #expect(refused.status == 1)
    let message = refused.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(
      !message.contains("\n") && message.contains("tokenizer_config.json") && message.contains("--chat-template"),
      "\(message)")
    let chosen = try CommandRunner.run(arguments + ["--chat-template", "plain"])
    #expect(chosen.status == 0, "\(chosen.stderr)")
    // Without --chat no template is needed.
    let plain = try CommandRunner.run([
      "generate", "--model", folder.path, "--prompt", "Findings:", "--max-tokens", "2",
    ])
    #expect(plain.status == 0, "\(plain.stderr)")
  }

  @Test func aRecognisedTemplateNeedsNoChoice() throws {
    let folder = try Self.folder(template: "smollm2")
    defer { try? FileManager.default.removeItem(at: folder) }
    let result = try CommandRunner.run([
      "generate", "--model", folder.path, "--prompt", "Findings:", "--chat", "--max-tokens", "2",
    ])
    #expect(result.status == 0, "\(result.stderr)")
  }

  @Test func supervisedFineTuningOnChatsNeedsAKnownOrChosenTemplate() throws {
    let folder = try Self.folder(template: "llama3_dated")
    defer { try? FileManager.default.removeItem(at: folder) }
    let data = folder.appendingPathComponent("chats.jsonl")
    let line = #"{"messages":[{"role":"user","content":"Findings?"},{"role":"assistant","content":"Normal."}]}"#
    try Array(repeating: line, count: 4).joined(separator: "\n").write(to: data, atomically: true, encoding: .utf8)
    let arguments = [
      "train", "sft", "--model", folder.path, "--data", data.path, "--out", folder.appendingPathComponent("run").path,
      "--steps", "1", "--batch-size", "2", "--block-size", "512", "--validation-fraction", "0", "--quiet",
    ]
    let refused = try CommandRunner.run(arguments)
    #expect(refused.status == 1)
    #expect(
      refused.stderr.contains("tokenizer_config.json") && refused.stderr.contains("--chat-template"),
      "\(refused.stderr)")
    let chosen = try CommandRunner.run(arguments + ["--chat-template", "llama3"])
    #expect(chosen.status == 0, "\(chosen.stderr)")
  }
}
