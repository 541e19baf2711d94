import RadTokenizers

/// The state of one sequence being generated: its tokens so far (and the history the repetition
/// penalty sees), the UTF-8-safe text, and whether and why it has finished. Single and batched
/// generation keep one per row, so EOS and stop strings end a row the same way in both.
struct GenerationProgress {
  private(set) var history: [Int]
  private(set) var generated: [Int] = []
  private(set) var finish: FinishReason?
  /// Text released so far; after a stop string, the text before it.
  private(set) var text = ""
  private var detokenizer: StreamingDetokenizer
  let settings: GenerationSettings

  init(promptIds: [Int], tokenizer: Tokenizer, settings: GenerationSettings) {
    history = promptIds
    detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
    self.settings = settings
  }

  var isDone: Bool { finish != nil }

  /// Records the next token and updates the finish state (EOS, stop string, length).
  mutating func accept(_ token: Int) {
    generated.append(token)
    history.append(token)
    if settings.eosTokenIds.contains(token) {
      finish = .eos
      return
    }
    _ = detokenizer.append(token)
    text = detokenizer.emittedText
    if let cut = TextGenerator.firstStop(in: text, stops: settings.stopStrings) {
      text = String(text[..<cut])
      finish = .stopString
      return
    }
    if generated.count >= settings.maxTokens { finish = .length }
  }

  /// The final text: everything decoded unless a stop string cut it.
  var finalText: String { finish == .stopString ? text : detokenizer.text }

  func result(promptTokens: Int, prefillSeconds: Double, decodeSeconds: Double) -> GenerationResult {
    GenerationResult(
      text: finalText, tokens: generated, promptTokens: promptTokens, finishReason: finish ?? .length,
      prefillSeconds: prefillSeconds, decodeSeconds: decodeSeconds)
  }
}
