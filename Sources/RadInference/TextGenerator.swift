import Foundation
import RadModels
import RadTensor
import RadTokenizers

/// Why generation ended.
public enum FinishReason: String, Sendable {
  case length, eos, stopString = "stop"
}

/// The outcome of one generation.
public struct GenerationResult: Sendable {
  /// Generated text (without the prompt, the EOS token or the stop string).
  public var text: String
  /// Generated token ids (including a final EOS token, if one ended generation).
  public var tokens: [Int]
  public var promptTokens: Int
  public var finishReason: FinishReason
  /// Seconds spent on the prompt (prefill) and on the generated tokens (decode).
  public var prefillSeconds: Double
  public var decodeSeconds: Double

  /// Generated tokens per second over the whole call (prefill + decode).
  public var tokensPerSecond: Double {
    let total = prefillSeconds + decodeSeconds
    return total > 0 ? Double(tokens.count) / total : 0
  }
}

/// Turns token ids back into text incrementally without ever splitting a UTF-8 character: a
/// byte-level BPE token may hold half of a multi-byte character, so text is released only when
/// the decoded tail no longer ends in a replacement character (Hugging Face's TextStreamer idea).
public struct StreamingDetokenizer {
  let tokenizer: Tokenizer
  private(set) var ids: [Int] = []
  private(set) var emitted = ""

  public init(tokenizer: Tokenizer) { self.tokenizer = tokenizer }

  /// Adds a token; returns newly completed text (possibly empty).
  public mutating func append(_ id: Int) -> String {
    ids.append(id)
    let text = (try? tokenizer.decode(ids, skipSpecialTokens: true)) ?? ""
    guard !text.hasSuffix("\u{FFFD}"), text.hasPrefix(emitted) else { return "" }
    let piece = String(text.dropFirst(emitted.count))
    emitted = text
    return piece
  }

  /// All text so far.
  public var text: String { (try? tokenizer.decode(ids, skipSpecialTokens: true)) ?? emitted }
}

/// Generates text with a language model and its tokenizer: the prompt is run once through the
/// model to fill the KV cache (prefill), then one token at a time is chosen by the sampler and
/// fed back (decode), until EOS, a stop string or the token limit.
public final class TextGenerator: @unchecked Sendable {
  public let model: any LanguageModel
  public let tokenizer: Tokenizer

  public init(model: any LanguageModel, tokenizer: Tokenizer) {
    self.model = model
    self.tokenizer = tokenizer
  }

  /// Generates from prompt ids; `onText` receives UTF-8-safe pieces as they are produced.
  public func generate(
    promptIds: [Int], settings: GenerationSettings, onText: ((String) -> Void)? = nil
  ) throws -> GenerationResult {
    guard !promptIds.isEmpty else { throw ModelError.invalidInput("the prompt encodes to no tokens") }
    guard settings.maxTokens >= 1 else { throw ModelError.invalidInput("maxTokens must be at least 1") }
    if let limit = model.maxPositions, promptIds.count + settings.maxTokens > limit {
      throw ModelError.sequenceTooLong(length: promptIds.count + settings.maxTokens, maximum: limit)
    }
    return try Autograd.inferenceMode {
      let cache = model.makeCache(capacity: promptIds.count + settings.maxTokens)
      let start = Date()
      let logits = try model.lastLogits(TokenBatch(promptIds), cache: cache).data
      return try generate(
        continuing: cache, logits: logits, history: promptIds, settings: settings,
        prefillSeconds: Date().timeIntervalSince(start), onText: onText)
    }
  }

  /// The decode loop after a prefill done by the caller: `cache` holds the prompt, `logits` are
  /// the scores of its last position, `history` the prompt's token ids (what repetition penalties
  /// see). Multimodal models use it after prefilling image vectors; the cache must have room for
  /// `settings.maxTokens` more positions.
  public func generate(
    continuing cache: KVCache, logits firstLogits: [Float], history: [Int], settings: GenerationSettings,
    prefillSeconds: Double = 0, onText: ((String) -> Void)? = nil
  ) throws -> GenerationResult {
    guard settings.maxTokens >= 1 else { throw ModelError.invalidInput("maxTokens must be at least 1") }
    return try Autograd.inferenceMode {
      var logits = firstLogits
      var sampler = TokenSampler(settings: settings)
      var progress = GenerationProgress(promptIds: history, tokenizer: tokenizer, settings: settings)
      let heldBack = settings.stopStrings.map(\.count).max().map { $0 - 1 } ?? 0
      var streamed = 0  // characters of the text already handed to onText
      let start = Date()
      while true {
        let next = sampler.next(logits: logits, history: progress.history)
        progress.accept(next)
        if progress.isDone { break }
        let text = progress.text
        if let onText, text.count - heldBack > streamed {
          let end = text.index(text.startIndex, offsetBy: text.count - heldBack)
          onText(String(text[text.index(text.startIndex, offsetBy: streamed)..<end]))
          streamed = text.count - heldBack
        }
        logits = try model.lastLogits(TokenBatch([next]), cache: cache).data
      }
      let text = progress.finalText
      if let onText, text.count > streamed {
        onText(String(text[text.index(text.startIndex, offsetBy: streamed)...]))
      }
      return progress.result(
        promptTokens: history.count, prefillSeconds: prefillSeconds, decodeSeconds: Date().timeIntervalSince(start))
    }
  }

  /// Generates from text encoded as the tokenizer does by default (no special tokens added).
  public func generate(prompt: String, settings: GenerationSettings, onText: ((String) -> Void)? = nil) throws
    -> GenerationResult
  {
    try generate(promptIds: tokenizer.encodeIds(prompt), settings: settings, onText: onText)
  }

  /// The same generation as a stream of text pieces.
  public func stream(promptIds: [Int], settings: GenerationSettings) -> AsyncThrowingStream<String, Error> {
    AsyncThrowingStream { continuation in
      let task = Task.detached { [self] in
        do {
          _ = try self.generate(promptIds: promptIds, settings: settings) { piece in continuation.yield(piece) }
          continuation.finish()
        } catch {
          continuation.finish(throwing: error)
        }
      }
      continuation.onTermination = { _ in task.cancel() }
    }
  }

  static func firstStop(in text: String, stops: [String]) -> String.Index? {
    var best: String.Index?
    for stop in stops where !stop.isEmpty {
      if let range = text.range(of: stop), best == nil || range.lowerBound < best! { best = range.lowerBound }
    }
    return best
  }

  /// Greedy or sampled generation for several prompts at once: prompts are left-padded to the
  /// longest, the attention mask hides the padding, and each row's positions count its own
  /// tokens from 0, so every row gets the tokens it would get alone. Rows stop independently
  /// (EOS, stop strings, length); row r samples with seed `settings.seed + r`.
  public func generateBatch(promptIds prompts: [[Int]], settings: GenerationSettings, padId: Int = 0) throws
    -> [GenerationResult]
  {
    guard !prompts.isEmpty, prompts.allSatisfy({ !$0.isEmpty }) else {
      throw ModelError.invalidInput("every prompt must encode to at least one token")
    }
    guard settings.maxTokens >= 1 else { throw ModelError.invalidInput("maxTokens must be at least 1") }
    let longest = prompts.map(\.count).max()!
    if let limit = model.maxPositions, longest + settings.maxTokens > limit {
      throw ModelError.sequenceTooLong(length: longest + settings.maxTokens, maximum: limit)
    }
    return try Autograd.inferenceMode {
      let rows = prompts.count
      let cache = model.makeCache(capacity: longest + settings.maxTokens)
      var mask = prompts.map { [Int](repeating: 0, count: longest - $0.count) + [Int](repeating: 1, count: $0.count) }
      let ids = prompts.flatMap { [Int](repeating: padId, count: longest - $0.count) + $0 }
      var nextPosition = prompts.map(\.count)
      var positions = prompts.map { p in [Int](repeating: 0, count: longest - p.count) + Array(0..<p.count) }
      var batch = TokenBatch(ids: ids, batch: rows, length: longest, attentionMask: mask, positions: positions)
      var samplers = (0..<rows).map { r in
        var rowSettings = settings
        rowSettings.seed = settings.seed &+ UInt64(r)
        return TokenSampler(settings: rowSettings)
      }
      var progress = prompts.map { GenerationProgress(promptIds: $0, tokenizer: tokenizer, settings: settings) }
      let start = Date()
      var prefill: Double?
      while true {
        let logits = try model.lastLogits(batch, cache: cache)
        if prefill == nil { prefill = Date().timeIntervalSince(start) }
        let vocabulary = logits.shape[1]
        var step: [Int] = []
        for r in 0..<rows {
          var token = padId
          if !progress[r].isDone {
            token = samplers[r].next(
              logits: Array(logits.data[(r * vocabulary)..<((r + 1) * vocabulary)]), history: progress[r].history)
            progress[r].accept(token)
          }
          step.append(token)
        }
        if progress.allSatisfy(\.isDone) { break }
        for r in 0..<rows { mask[r].append(1) }
        positions = (0..<rows).map { [nextPosition[$0]] }
        for r in 0..<rows { nextPosition[r] += 1 }
        batch = TokenBatch(ids: step, batch: rows, length: 1, attentionMask: mask, positions: positions)
      }
      let total = Date().timeIntervalSince(start)
      return progress.enumerated().map { r, row in
        row.result(promptTokens: prompts[r].count, prefillSeconds: prefill ?? 0, decodeSeconds: total - (prefill ?? 0))
      }
    }
  }
}

extension StreamingDetokenizer {
  /// Text released so far (complete characters only).
  var emittedText: String { emitted }
}
