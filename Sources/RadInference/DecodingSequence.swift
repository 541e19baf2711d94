import Foundation
import RadModels
import RadTensor
import RadTokenizers

/// One request inside a continuous batch: its own KV cache, sampler and progress, advanced one
/// token at a time by whoever runs the batch (`DecodingSequence.step` runs one batched forward
/// over many of them). It makes the same choices as `TextGenerator.generate` for the same prompt
/// and settings, and releases text as that does: UTF-8-safe, holding back what could still turn
/// into a stop string.
public final class DecodingSequence {
  public let promptIds: [Int]
  public let settings: GenerationSettings
  let cache: KVCache
  private var sampler: TokenSampler
  private var progress: GenerationProgress
  /// Processors applied before the sampler's own (e.g. a constrained decoder's mask).
  private var extraProcessors: [any LogitProcessor]
  private var logits: [Float] = []
  private var streamed = 0
  private let heldBack: Int
  private var prefillSeconds = 0.0
  private let started = Date()

  /// Checks the prompt and the limits against the model; allocates the cache.
  public init(
    promptIds: [Int], settings: GenerationSettings, model: any LanguageModel, tokenizer: Tokenizer,
    extraProcessors: [any LogitProcessor] = []
  ) throws {
    guard !promptIds.isEmpty else { throw ModelError.invalidInput("the prompt encodes to no tokens") }
    guard settings.maxTokens >= 1 else { throw ModelError.invalidInput("maxTokens must be at least 1") }
    if let limit = model.maxPositions, promptIds.count + settings.maxTokens > limit {
      throw ModelError.sequenceTooLong(length: promptIds.count + settings.maxTokens, maximum: limit)
    }
    self.promptIds = promptIds
    self.settings = settings
    self.extraProcessors = extraProcessors
    cache = model.makeCache(capacity: promptIds.count + settings.maxTokens)
    sampler = TokenSampler(settings: settings)
    progress = GenerationProgress(promptIds: promptIds, tokenizer: tokenizer, settings: settings)
    heldBack = settings.stopStrings.map(\.count).max().map { $0 - 1 } ?? 0
  }

  /// Whether generation has ended (EOS, stop string or length).
  public var isDone: Bool { progress.isDone }

  /// Tokens generated so far (including a final EOS token).
  public var generatedTokens: [Int] { progress.generated }

  /// Runs the prompt through the model (prefill).
  public func prefill(model: any LanguageModel) throws {
    let start = Date()
    logits = try Autograd.inferenceMode { try model.lastLogits(TokenBatch(promptIds), cache: cache).data }
    prefillSeconds = Date().timeIntervalSince(start)
  }

  /// Picks the next token from the current scores and returns the text this releases (possibly
  /// empty; at the end, everything not yet released).
  public func advance() -> String {
    var scores = logits
    for i in extraProcessors.indices { extraProcessors[i].process(logits: &scores, history: progress.history) }
    progress.accept(sampler.next(logits: scores, history: progress.history))
    let text = progress.isDone ? progress.finalText : progress.text
    let releasable = progress.isDone ? text.count : text.count - heldBack
    guard releasable > streamed else { return "" }
    let piece = text[
      text.index(text.startIndex, offsetBy: streamed)..<text.index(text.startIndex, offsetBy: releasable)]
    streamed = releasable
    return String(piece)
  }

  /// The outcome so far (final once `isDone`).
  public var result: GenerationResult {
    progress.result(
      promptTokens: promptIds.count, prefillSeconds: prefillSeconds,
      decodeSeconds: Date().timeIntervalSince(started) - prefillSeconds)
  }

  /// One decoding step for `sequences` (none of them done): their last tokens go through the
  /// model together (`LanguageModel.lastLogits(steps:caches:)`, one batched forward where the
  /// architecture has one), leaving each with its next scores for `advance`.
  public static func step(_ sequences: [DecodingSequence], model: any LanguageModel) throws {
    guard !sequences.isEmpty else { return }
    let tokens = sequences.map { $0.progress.generated.last ?? 0 }
    let rows = try Autograd.inferenceMode { try model.lastLogits(steps: tokens, caches: sequences.map(\.cache)) }
    for (sequence, row) in zip(sequences, rows) { sequence.logits = row }
  }
}
