import Foundation
import RadTokenizers
import Testing

/// Recognising a model's stored chat template: the families RadLM renders are recognised and
/// then render every conversation exactly as transformers' apply_chat_template does; any other
/// template, or none, is an error naming its file unless a family is chosen explicitly
/// (tools/reference/chat_template_family_fixtures.py).
@Suite("Chat template families")
struct ChatTemplateFamilyTests {
  struct Fixture: Decodable {
    struct Template: Decodable {
      let name: String
      let family: String?
      let source: String
      let cases: [Case]
    }
    struct Case: Decodable {
      let messages: [ChatMessage]
      let addGenerationPrompt: Bool
      let text: String
      let inputIds: [Int]?

      enum CodingKeys: String, CodingKey {
        case messages, text
        case addGenerationPrompt = "add_generation_prompt"
        case inputIds = "input_ids"
      }
    }
    let templates: [Template]
  }

  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

  static func templates() throws -> [Fixture.Template] {
    try JSONDecoder().decode(
      Fixture.self, from: Data(contentsOf: fixtures.appendingPathComponent("chat_template_families.json"))
    ).templates
  }

  @Test func recognisedFamiliesRenderAsTransformersAndOthersAreUnknown() throws {
    let templates = try Self.templates()
    #expect(templates.count == 7)
    #expect(Set(templates.compactMap(\.family)) == ["chatml", "llama3"])
    #expect(templates.contains { $0.family == nil })
    let tokenizer = try TokenizerJSON.load(path: Self.fixtures.appendingPathComponent("smollm2_tokenizer.json").path)
    for template in templates {
      let stored = StoredChatTemplate(source: template.source, origin: template.name)
      #expect(stored.family?.rawValue == template.family, "\(template.name)")
      guard let family = stored.family else { continue }
      for item in template.cases {
        let text = family.render(
          item.messages, addGenerationPrompt: item.addGenerationPrompt, defaultSystem: stored.defaultSystemPrompt)
        #expect(text == item.text, "\(template.name)")
        if let ids = item.inputIds { #expect(tokenizer.encodeIds(text) == ids, "\(template.name)") }
      }
    }
  }

  @Test func unknownOrMissingTemplatesAreErrorsUnlessAFamilyIsChosen() throws {
    let unknown = try #require(try Self.templates().first { $0.family == nil })
    let stored = StoredChatTemplate(source: unknown.source, origin: "model/tokenizer_config.json")
    #expect(
      throws: ChatTemplateError.unrecognised(
        origin: "model/tokenizer_config.json", opening: String(unknown.source.prefix(60)))
    ) {
      try stored.resolve()
    }
    #expect(try stored.resolve(choice: .plain) == .plain)
    let missing = StoredChatTemplate(source: nil, origin: "model/tokenizer_config.json")
    #expect(throws: ChatTemplateError.missing(origin: "model/tokenizer_config.json")) { try missing.resolve() }
    #expect(try missing.resolve(choice: .llama3) == .llama3)
    let message = ChatTemplateError.unrecognised(origin: "m/tokenizer_config.json", opening: "{% x %}\n").description
    #expect(
      message.contains("m/tokenizer_config.json") && message.contains("--chat-template") && !message.contains("\n"))
  }

  /// tokenizer_config.json holds the template as a string or as a list of named templates.
  @Test func readsTokenizerConfigStringsAndNamedLists() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("radlm-template-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let source = try #require(try Self.templates().first { $0.name == "smollm2" }).source
    let config = folder.appendingPathComponent("tokenizer_config.json")
    try JSONSerialization.data(withJSONObject: ["chat_template": source]).write(to: config)
    #expect(try StoredChatTemplate.read(path: folder.path) == StoredChatTemplate(source: source, origin: config.path))
    let tokenizerFile = folder.appendingPathComponent("tokenizer.json").path
    #expect(try StoredChatTemplate.read(path: folder.path).family == .chatML)
    FileManager.default.createFile(atPath: tokenizerFile, contents: Data("{}".utf8))
    #expect(try StoredChatTemplate.read(path: tokenizerFile).source == source)
    try JSONSerialization.data(withJSONObject: [
      "chat_template": [["name": "tool_use", "template": "{{ tools }}"], ["name": "default", "template": source]]
    ]).write(to: config)
    #expect(try StoredChatTemplate.read(path: folder.path).source == source)
    try JSONSerialization.data(withJSONObject: ["model_max_length": 8192]).write(to: config)
    #expect(try StoredChatTemplate.read(path: folder.path).source == nil)
    #expect(try StoredChatTemplate.read(path: folder.path).defaultSystemPrompt == nil)
  }

  @Test func smolLM2DefaultSystemPromptIsReadFromItsTemplate() throws {
    let templates = try Self.templates()
    let smol = try #require(templates.first { $0.name == "smollm2" })
    #expect(
      StoredChatTemplate(source: smol.source, origin: "").defaultSystemPrompt == ChatTemplate.smolLM2DefaultSystem)
    let escaped = try #require(templates.first { $0.name == "chatml_default_system" })
    #expect(
      StoredChatTemplate(source: escaped.source, origin: "").defaultSystemPrompt
        == "You are a careful radiology assistant.")
  }
}
