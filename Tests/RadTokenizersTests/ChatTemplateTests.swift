import Foundation
import RadTokenizers
import Testing

/// ChatML against SmolLM2's own Jinja template rendered by jinja2 (tools/reference/chat_template_fixtures.py).
@Suite("Chat templates")
struct ChatTemplateTests {
  struct Case: Decodable {
    let messages: [ChatTemplate.Message]
    // swift-format-ignore: AlwaysUseLowerCamelCase
    let add_generation_prompt: Bool
    let text: String
  }

  @Test func chatMLMatchesSmolLM2Template() throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
      "Fixtures/chat_templates.json")
    let cases = try JSONDecoder().decode([String: [Case]].self, from: Data(contentsOf: url))["chatml_smollm2"]!
    #expect(cases.count == 6)
    for item in cases {
      let rendered = ChatTemplate.chatML.render(
        item.messages, addGenerationPrompt: item.add_generation_prompt, defaultSystem: ChatTemplate.smolLM2DefaultSystem
      )
      #expect(rendered == item.text)
    }
  }

  @Test func onlyAssistantRepliesAreTrainable() {
    let messages = [
      ChatTemplate.Message(role: "user", content: "Findings?"),
      ChatTemplate.Message(role: "assistant", content: "Normal."),
    ]
    for template in ChatTemplate.allCases {
      let segments = template.segments(messages)
      let trainable = segments.filter(\.trainable).map(\.text).joined()
      #expect(trainable.hasPrefix("Normal."), "\(template): \(trainable)")
      #expect(!segments.filter(\.trainable).contains { $0.text.contains("Findings?") })
      #expect(segments.map(\.text).joined() == template.render(messages, addGenerationPrompt: false))
    }
  }
}
