import Foundation
import RadInference
import RadModelFiles
import RadModels
import RadTensor
import RadTokenizers
import Testing

/// SmolLM2's tokenizer (from its GGUF, fetched with `radlm fetch smollm2`) with our ChatML
/// rendering must give transformers' chat-template token ids, and streaming detokenisation must
/// never cut a multi-byte character.
@Suite("SmolLM2 chat prompt and streaming text")
struct RealChatTests {
  static func gguf() throws -> URL {
    do { return try ModelCache().path(of: "smollm2") } catch {
      Issue.record("\(error)")
      throw error
    }
  }

  @Test func chatMLPromptIdsMatchTransformers() throws {
    let tokenizer = try GGUFVocabulary.load(path: try Self.gguf().path)
    let reference =
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: Support.modelFixtures.appendingPathComponent("smollm2_reference.json")))
      as! [String: Any]
    let chat = reference["chat"] as! [String: Any]
    let messages = (chat["messages"] as! [[String: String]]).map {
      ChatMessage(role: $0["role"]!, content: $0["content"]!)
    }
    let text = ChatTemplate.chatML.render(messages, defaultSystem: ChatTemplate.smolLM2DefaultSystem)
    #expect(text == chat["text"] as! String)
    #expect(tokenizer.encodeIds(text) == chat["input_ids"] as! [Int])
  }

  @Test func streamingDetokenizerKeepsMultiByteCharactersWhole() throws {
    let tokenizer = try GGUFVocabulary.load(path: try Self.gguf().path)
    let text = "Pleural effusion 😀 — café, 肺炎, ≥ 5 mm ✓"
    let ids = tokenizer.encodeIds(text)
    #expect(ids.count > 10)
    var detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
    var pieces: [String] = []
    for id in ids { pieces.append(detokenizer.append(id)) }
    #expect(pieces.allSatisfy { !$0.contains("\u{FFFD}") })
    #expect(pieces.joined() == text)
    #expect(pieces.contains(""))  // some token held back half a character
  }
}
