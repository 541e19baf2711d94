import RadTensor

/// A sequence-to-sequence transformer (BART): an encoder reads the source once, then a decoder
/// writes the target token by token while cross-attending to the encoded source. Once the source
/// is encoded, the decoder is an ordinary next-token `LanguageModel`, so generation (KV cache,
/// samplers, stop strings, batching) is the same code as for decoder-only models.
public protocol EncoderDecoderModel: TransformerModel {
  /// The token the decoder starts from (`decoder_start_token_id`).
  var decoderStartTokenId: Int { get }
  /// Tokens that end the target (`eos_token_id`).
  var targetEndTokenIds: [Int] { get }
  /// The id that pads sources in a batch (`pad_token_id`).
  var sourcePadTokenId: Int { get }
  /// Encodes `source` (rows may be right-padded, with an attention mask) and returns the
  /// decoder conditioned on it: one decoder row per source row.
  func conditionedDecoder(source: TokenBatch) throws -> any LanguageModel
}

/// BART's decoder with the encoder states of one batch of sources fixed: `logits` runs the
/// decoder (self-attention over the target so far, through the KV cache; cross-attention to the
/// sources, masking their padding) and the tied LM head plus `final_logits_bias`.
public final class BartConditionedDecoder: LanguageModel, @unchecked Sendable {
  public let bart: BartModel
  public let encoderStates: Tensor
  public let sourceMask: [[Int]]?

  init(bart: BartModel, encoderStates: Tensor, sourceMask: [[Int]]?) {
    self.bart = bart
    self.encoderStates = encoderStates
    self.sourceMask = sourceMask
  }

  public var modelType: String { bart.modelType }
  public var parameters: ParameterStore { bart.parameters }
  public var configJSON: ConfigJSON { bart.configJSON }
  public var ignorableCheckpointNames: [String] { bart.ignorableCheckpointNames }
  public var basePrefix: String? { bart.basePrefix }
  public var vocabularySize: Int { bart.config.vocabularySize }
  public var maxPositions: Int? { bart.config.maxPositions }
  public var layerCount: Int { bart.config.decoderLayers }

  public func logits(_ batch: TokenBatch, cache: KVCache?, probe: AttentionProbe?) throws -> Tensor {
    guard batch.batch == encoderStates.shape[0] else {
      throw ModelError.invalidInput("\(batch.batch) target rows for \(encoderStates.shape[0]) encoded sources")
    }
    let states = try bart.decode(
      batch, encoderStates: encoderStates, sourceMask: sourceMask, cache: cache, selfAttentionProbe: probe)
    return bart.logits(decoderStates: states)
  }
}

extension BartModel: EncoderDecoderModel {
  public var decoderStartTokenId: Int { config.decoderStartTokenId }
  public var targetEndTokenIds: [Int] { [config.eosTokenId] }
  public var sourcePadTokenId: Int { config.padTokenId }

  public func conditionedDecoder(source: TokenBatch) throws -> any LanguageModel {
    BartConditionedDecoder(bart: self, encoderStates: try encode(source), sourceMask: source.attentionMask)
  }
}
