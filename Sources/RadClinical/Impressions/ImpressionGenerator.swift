import Foundation
import RadInference
import RadTokenizers
import RadModels

/// Writes impressions from findings with a local language model (optionally LoRA-adapted: attach
/// the adapter to the bundle's model before): builds each prompt with `ImpressionPrompt`, renders
/// it as one user turn of the model's chat template, decodes greedily in batches and extracts the
/// impression from the reply.
public struct ImpressionGenerator: Sendable {
  public let bundle: ModelBundle
  public var prompt: ImpressionPrompt
  public var settings: GenerationSettings
  public var batchSize: Int

  public init(
    bundle: ModelBundle, prompt: ImpressionPrompt = ImpressionPrompt(), maxTokens: Int = 64, batchSize: Int = 8
  ) {
    self.bundle = bundle
    self.prompt = prompt
    self.batchSize = max(1, batchSize)
    var settings = GenerationSettings()
    settings.maxTokens = prompt.chainOfThought ? max(maxTokens, 128) : maxTokens
    settings.eosTokenIds = bundle.eosTokenIds
    settings.stopStrings = (bundle.chatTemplate?.endOfTurn.map { [$0] } ?? []) + ["\nFindings:", "\n\n\n"]
    self.settings = settings
  }

  /// The conversation of each request's prompt: the system turn and the user turn.
  public func conversations(_ requests: [ImpressionRequest]) throws -> [[ChatMessage]] {
    try prompt.userMessages(requests).map {
      [ChatMessage(role: "system", content: ImpressionPrompt.systemMessage), ChatMessage(role: "user", content: $0)]
    }
  }

  /// Token ids of each request's prompt.
  public func promptIds(_ requests: [ImpressionRequest]) throws -> [[Int]] {
    try conversations(requests).map { try bundle.chatPromptIds($0) }
  }

  /// Impressions for `requests`, in order; `progress` hears (done, total) after each batch.
  public func generate(_ requests: [ImpressionRequest], progress: (Int, Int) -> Void = { _, _ in }) throws
    -> [ImpressionResult]
  {
    let generator = TextGenerator(model: bundle.model, tokenizer: bundle.tokenizer)
    var results: [ImpressionResult] = []
    for start in stride(from: 0, to: requests.count, by: batchSize) {
      let batch = Array(requests[start..<min(start + batchSize, requests.count)])
      let ids = try promptIds(batch)
      let clock = ContinuousClock()
      let began = clock.now
      let outputs =
        batch.count == 1
        ? [try generator.generate(promptIds: ids[0], settings: settings)]
        : try generator.generateBatch(promptIds: ids, settings: settings)
      let elapsed = clock.now - began
      let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
      for (request, output) in zip(batch, outputs) {
        let reply = output.text.replacingOccurrences(of: bundle.chatTemplate?.endOfTurn ?? "\u{0}", with: "")
        results.append(
          ImpressionResult(
            id: request.id, impression: ImpressionPrompt.impression(fromReply: reply), rawText: reply,
            generatedTokens: output.tokens.count, seconds: seconds / Double(batch.count)))
      }
      progress(results.count, requests.count)
    }
    return results
  }
}
