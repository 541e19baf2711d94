import Foundation
import RadInference
import RadModels
import RadTensor
import RadTokenizers

/// What a generation request asks the engine for: prompt ids (already checked against the
/// context), sampling settings and an optional time limit.
public struct GenerationJob: Sendable {
  public var promptIds: [Int]
  public var settings: GenerationSettings
  public var deadline: ContinuousClock.Instant?
  /// What the output must be; the constraint itself is `settings.jsonSchema`.
  public var responseFormat: ResponseFormat

  public init(
    promptIds: [Int], settings: GenerationSettings, deadline: ContinuousClock.Instant? = nil,
    responseFormat: ResponseFormat = .text
  ) {
    self.promptIds = promptIds
    self.settings = settings
    self.deadline = deadline
    self.responseFormat = responseFormat
  }
}

/// How a generation ended, as the API reports it.
public struct GenerationOutcome: Sendable {
  public var text: String
  public var tokens: [Int]
  public var promptTokens: Int
  /// "stop" (EOS or a stop string) or "length".
  public var finishReason: String
}

/// Events of one request's stream: text pieces, then exactly one end.
public enum GenerationEvent: Sendable {
  case text(String)
  case finished(GenerationOutcome)
  case failed(APIError)
}

/// The one owner of the language model (and the embedder): requests queue here, and a single
/// loop runs continuous batching: every step admits waiting requests (prefill) up to the batch
/// size, then runs one batched forward over all active sequences' next tokens, hands each request
/// its new text, and drops finished, cancelled or timed-out ones. The queue is bounded; a full
/// queue refuses new work at once (the server answers 429).
public actor GenerationEngine {
  let bundle: ModelBundle
  let embedder: SentenceEmbedder?
  let maxQueue: Int
  let maxBatch: Int
  let metrics: ServerMetrics?
  /// Compiles `response_format` schemas for this model's vocabulary (used while parsing requests).
  nonisolated let formats: ResponseFormatCompiler

  private struct Waiting {
    let id: UInt64
    let job: GenerationJob
    let continuation: AsyncStream<GenerationEvent>.Continuation
  }

  private struct Active {
    let id: UInt64
    let sequence: DecodingSequence
    let deadline: ContinuousClock.Instant?
    let continuation: AsyncStream<GenerationEvent>.Continuation
  }

  private var waiting: [Waiting] = []
  private var active: [Active] = []
  private var cancelled: Set<UInt64> = []
  private var nextId: UInt64 = 0
  private var loopRunning = false

  public init(
    bundle: ModelBundle, embedder: SentenceEmbedder?, maxQueue: Int, maxBatch: Int, metrics: ServerMetrics? = nil
  ) {
    formats = ResponseFormatCompiler(tokenizer: bundle.tokenizer)
    self.bundle = bundle
    self.embedder = embedder
    self.maxQueue = maxQueue
    self.maxBatch = maxBatch
    self.metrics = metrics
  }

  /// Requests waiting plus requests being generated.
  public var load: (waiting: Int, active: Int) { (waiting.count, active.count) }

  /// Queues a job; its events arrive on the returned stream. Ending the stream early (the client
  /// went away) cancels the job. Throws a 429 `APIError` when the queue is full.
  public func submit(_ job: GenerationJob) throws(APIError) -> (id: UInt64, events: AsyncStream<GenerationEvent>) {
    guard waiting.count < maxQueue else {
      throw APIError(
        .tooManyRequests, "The server is busy: \(waiting.count) requests are already waiting; retry later",
        type: "rate_limit_error", code: "queue_full", retryAfter: 1)
    }
    nextId += 1
    let id = nextId
    let (stream, continuation) = AsyncStream.makeStream(of: GenerationEvent.self)
    continuation.onTermination = { [weak self] reason in
      guard case .cancelled = reason, let self else { return }
      Task { await self.cancel(id) }
    }
    waiting.append(Waiting(id: id, job: job, continuation: continuation))
    metrics?.setQueue(waiting: waiting.count, active: active.count)
    if !loopRunning {
      loopRunning = true
      Task { await self.runLoop() }
    }
    return (id, stream)
  }

  /// Stops a job (its client went away): it leaves the queue, or the batch before the next step,
  /// and its stream ends without a final event.
  public func cancel(_ id: UInt64) {
    if let index = waiting.firstIndex(where: { $0.id == id }) {
      waiting.remove(at: index).continuation.finish()
    } else if active.contains(where: { $0.id == id }) {
      cancelled.insert(id)
    }
    metrics?.setQueue(waiting: waiting.count, active: active.count)
  }

  /// Sentence embeddings, computed between decoding steps.
  public func embed(_ texts: [String]) throws -> [[Float]] {
    guard let embedder else {
      throw APIError(
        .badRequest, "This server has no embedding model (start it with --embedding-model)", param: "model")
    }
    do { return try Autograd.inferenceMode { try embedder.embed(texts) } } catch {
      throw APIError(.badRequest, "Embedding failed: \(error)", param: "input")
    }
  }

  private func runLoop() async {
    while !waiting.isEmpty || !active.isEmpty {
      admitWaiting()
      let stepping = active.filter { !$0.sequence.isDone }
      if !stepping.isEmpty {
        metrics?.observeBatch(size: stepping.count)
        do {
          try DecodingSequence.step(stepping.map(\.sequence), model: bundle.model)
          for entry in stepping { deliver(entry, entry.sequence.advance()) }
        } catch {
          for entry in stepping {
            entry.continuation.yield(
              .failed(APIError(.internalServerError, "Generation failed: \(error)", type: "server_error")))
            entry.continuation.finish()
            cancelled.insert(entry.id)
          }
        }
      }
      retireFinished()
      metrics?.setQueue(waiting: waiting.count, active: active.count)
      // Let submissions and cancellations in between steps.
      await Task.yield()
    }
    loopRunning = false
  }

  /// Moves waiting jobs into the batch while there is room: prefill, then the first token.
  private func admitWaiting() {
    while active.count < maxBatch, !waiting.isEmpty {
      let next = waiting.removeFirst()
      if let deadline = next.job.deadline, deadline <= .now {
        next.continuation.yield(.failed(Self.timeoutError))
        next.continuation.finish()
        continue
      }
      do {
        let sequence = try DecodingSequence(
          promptIds: next.job.promptIds, settings: next.job.settings, model: bundle.model, tokenizer: bundle.tokenizer)
        try sequence.prefill(model: bundle.model)
        let entry = Active(
          id: next.id, sequence: sequence, deadline: next.job.deadline, continuation: next.continuation)
        active.append(entry)
        deliver(entry, sequence.advance())
      } catch {
        next.continuation.yield(.failed(APIError(.badRequest, "\(error)", param: "messages")))
        next.continuation.finish()
      }
    }
  }

  private func deliver(_ entry: Active, _ piece: String) {
    if !piece.isEmpty { entry.continuation.yield(.text(piece)) }
  }

  /// Ends finished sequences (final event), cancelled ones and those past their deadline.
  private func retireFinished() {
    let now = ContinuousClock.now
    active.removeAll { entry in
      if cancelled.remove(entry.id) != nil {
        entry.continuation.finish()
        return true
      }
      if entry.sequence.isDone {
        let result = entry.sequence.result
        metrics?.countTokens(prompt: result.promptTokens, completion: result.tokens.count)
        entry.continuation.yield(
          .finished(
            GenerationOutcome(
              text: result.text, tokens: result.tokens, promptTokens: result.promptTokens,
              finishReason: result.finishReason == .length ? "length" : "stop")))
        entry.continuation.finish()
        return true
      }
      if let deadline = entry.deadline, deadline <= now {
        entry.continuation.yield(.failed(Self.timeoutError))
        entry.continuation.finish()
        return true
      }
      return false
    }
  }

  static let timeoutError = APIError(
    .gatewayTimeout, "The request took longer than the server's time limit (--timeout)", type: "server_error",
    code: "timeout")
}
