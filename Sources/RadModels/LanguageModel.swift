import RadTensor

/// A batch of token sequences of equal length, with Hugging Face's attention mask (1 = real
/// token, 0 = padding) and optional explicit positions (left-padded generation numbers each
/// row's real tokens from 0).
public struct TokenBatch: Sendable {
  /// Row-major ids, `batch × length`.
  public var ids: [Int]
  public var batch: Int
  public var length: Int
  /// [batch][keys] mask over all keys attended to, including cached ones; `nil` = no padding.
  public var attentionMask: [[Int]]?
  /// [batch][length] positions; `nil` = offset, offset+1, ….
  public var positions: [[Int]]?
  /// [batch][length] segment ids (BERT's token types); `nil` = all 0.
  public var tokenTypes: [[Int]]?

  public init(
    ids: [Int], batch: Int, length: Int, attentionMask: [[Int]]? = nil, positions: [[Int]]? = nil,
    tokenTypes: [[Int]]? = nil
  ) {
    precondition(ids.count == batch * length, "\(ids.count) ids for a \(batch)×\(length) batch")
    self.ids = ids
    self.batch = batch
    self.length = length
    self.attentionMask = attentionMask
    self.positions = positions
    self.tokenTypes = tokenTypes
  }

  /// One sequence.
  public init(_ ids: [Int]) { self.init(ids: ids, batch: 1, length: ids.count) }

  /// Equal-length rows.
  public init(rows: [[Int]], attentionMask: [[Int]]? = nil) {
    let length = rows.first?.count ?? 0
    precondition(rows.allSatisfy { $0.count == length }, "rows of a TokenBatch must have equal length")
    self.init(ids: rows.flatMap { $0 }, batch: rows.count, length: length, attentionMask: attentionMask)
  }

  /// Positions for this batch after `offset` cached tokens.
  public func resolvedPositions(offset: Int) -> [[Int]] {
    positions ?? Array(repeating: Array(offset..<(offset + length)), count: batch)
  }

  /// Checks ids against a vocabulary and length against a context.
  public func validate(vocabularySize: Int, maxPositions: Int?, offset: Int = 0) throws {
    if let bad = ids.first(where: { $0 < 0 || $0 >= vocabularySize }) {
      throw ModelError.tokenOutOfRange(id: bad, vocabularySize: vocabularySize)
    }
    if let maxPositions, offset + length > maxPositions {
      throw ModelError.sequenceTooLong(length: offset + length, maximum: maxPositions)
    }
  }
}

/// Any transformer built from a configuration: it owns its named parameters.
public protocol TransformerModel: AnyObject, Sendable {
  /// Hugging Face `model_type` ("gpt2", "bert", "llama", "bart").
  var modelType: String { get }
  /// All parameters under their Hugging Face names.
  var parameters: ParameterStore { get }
  /// The configuration the model was built from (written back by `save`).
  var configJSON: ConfigJSON { get }
  /// Parameter names that checkpoints may omit because they are tied to another parameter, and
  /// checkpoint names that may be ignored (buffers such as `position_ids`).
  var ignorableCheckpointNames: [String] { get }
  /// Prefix the bare base model uses in a task-head checkpoint ("transformer", "bert", "model").
  var basePrefix: String? { get }
}

/// A model that predicts the next token: `logits` maps a batch (and an optional KV cache that
/// holds earlier positions) to scores [batch, length, vocabulary]. Decoder-only models and the
/// decoder of an encoder–decoder model are language models.
public protocol LanguageModel: TransformerModel {
  var vocabularySize: Int { get }
  /// Longest context, if the architecture has one (learned positions).
  var maxPositions: Int? { get }
  var layerCount: Int { get }
  /// Runs the model. With a cache, `batch` holds only the new tokens and positions continue
  /// from `cache.offset`.
  func logits(_ batch: TokenBatch, cache: KVCache?, probe: AttentionProbe?) throws -> Tensor
  /// A fresh cache for `capacity` positions.
  func makeCache(capacity: Int) -> KVCache
  /// Scores [batch, vocabulary] of the last position only: what generation needs, and much
  /// cheaper than `logits` for a long prompt (one row through the LM head instead of all).
  func lastLogits(_ batch: TokenBatch, cache: KVCache?) throws -> Tensor
  /// One decoding step for independent sequences (continuous batching): `tokens[i]` is appended
  /// to `caches[i]` (each its own cache, possibly of a different length) and row i of the result
  /// holds its next-token scores [vocabulary], the same numbers as `lastLogits` of that token alone.
  func lastLogits(steps tokens: [Int], caches: [KVCache]) throws -> [[Float]]
}

/// The last position's rows [batch, width] of hidden states [batch, length, width].
func lastPosition(_ hidden: Tensor) -> Tensor {
  let length = hidden.shape[1]
  return length == 1
    ? hidden.reshaped([hidden.shape[0], hidden.shape[2]])
    : hidden.slice(axis: 1, (length - 1)..<length).reshaped([hidden.shape[0], hidden.shape[2]])
}

extension LanguageModel {
  public func logits(_ batch: TokenBatch, cache: KVCache? = nil) throws -> Tensor {
    try logits(batch, cache: cache, probe: nil)
  }

  public func makeCache(capacity: Int) -> KVCache { StandardKVCache(layers: layerCount, capacity: capacity) }

  public func lastLogits(steps tokens: [Int], caches: [KVCache]) throws -> [[Float]] {
    try zip(tokens, caches).map { token, cache in try lastLogits(TokenBatch([token]), cache: cache).data }
  }

  public func lastLogits(_ batch: TokenBatch, cache: KVCache?) throws -> Tensor {
    let all = try logits(batch, cache: cache)
    return all.slice(axis: 1, (batch.length - 1)..<batch.length).reshaped([batch.batch, vocabularySize])
  }

  /// Mean next-token cross-entropy of a batch (targets are the ids shifted left; padding and
  /// positions whose label is −100 do not count), the loss causal language models train on.
  public func languageModelingLoss(_ batch: TokenBatch, labels: [Int]? = nil) throws -> Tensor {
    let logits = try self.logits(batch)
    let source = labels ?? batch.ids
    var targets = [Int](repeating: -100, count: batch.batch * batch.length)
    for b in 0..<batch.batch {
      for t in 0..<(batch.length - 1) {
        var target = source[b * batch.length + t + 1]
        if let mask = batch.attentionMask, mask[b][mask[b].count - batch.length + t + 1] == 0 { target = -100 }
        targets[b * batch.length + t] = target
      }
    }
    return logits.reshaped([batch.batch * batch.length, vocabularySize]).crossEntropy(targets: targets)
  }
}
