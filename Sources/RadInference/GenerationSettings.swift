import RadTensor

/// How to pick each next token and when to stop: temperature 0 is greedy (always the most
/// probable token); otherwise scores pass through repetition penalty, temperature, top-k, top-p
/// and min-p (Hugging Face's order) and a token is drawn with a seeded generator, so the same
/// seed reproduces the same text.
public struct GenerationSettings: Sendable {
  public var maxTokens: Int = 128
  public var temperature: Float = 0
  public var topK: Int = 0
  public var topP: Float = 1
  public var minP: Float = 0
  public var repetitionPenalty: Float = 1
  public var seed: UInt64 = 0
  /// Generation ends when the text contains one of these (the stop string is not returned).
  public var stopStrings: [String] = []
  /// Generation ends after one of these tokens (not returned as text).
  public var eosTokenIds: Set<Int> = []
  /// When set, every generated document is JSON valid against this grammar's schema: tokens that
  /// cannot continue it are masked, and EOS is allowed only (and then forced) once it is complete.
  public var jsonSchema: JSONTokenGrammar?

  public init(
    maxTokens: Int = 128, temperature: Float = 0, topK: Int = 0, topP: Float = 1, minP: Float = 0,
    repetitionPenalty: Float = 1, seed: UInt64 = 0, stopStrings: [String] = [], eosTokenIds: Set<Int> = [],
    jsonSchema: JSONTokenGrammar? = nil
  ) {
    self.maxTokens = maxTokens
    self.temperature = temperature
    self.topK = topK
    self.topP = topP
    self.minP = minP
    self.repetitionPenalty = repetitionPenalty
    self.seed = seed
    self.stopStrings = stopStrings
    self.eosTokenIds = eosTokenIds
    self.jsonSchema = jsonSchema
  }

  public var isGreedy: Bool { temperature <= 0 }

  /// The processor chain these settings describe.
  public func processors() -> [any LogitProcessor] {
    var chain: [any LogitProcessor] = []
    // The grammar mask comes first, so the samplers below only ever see allowed tokens.
    if let jsonSchema {
      chain.append(JSONSchemaConstraint(jsonSchema, eosTokenIds: eosTokenIds, maxTokens: maxTokens))
    }
    if repetitionPenalty != 1 { chain.append(RepetitionPenaltyProcessor(penalty: repetitionPenalty)) }
    if !isGreedy {
      if temperature != 1 { chain.append(TemperatureProcessor(temperature: temperature)) }
      if topK > 0 { chain.append(TopKProcessor(k: topK)) }
      if topP < 1 { chain.append(TopPProcessor(p: topP)) }
      if minP > 0 { chain.append(MinPProcessor(minP: minP)) }
    }
    return chain
  }
}

/// Applies a processor chain and picks a token: the arg-max when greedy, otherwise a draw from
/// the softmax of the processed scores using the seeded generator.
public struct TokenSampler {
  public let settings: GenerationSettings
  private var processors: [any LogitProcessor]
  private var random: SeededRandom

  public init(settings: GenerationSettings) {
    self.settings = settings
    processors = settings.processors()
    random = SeededRandom(seed: settings.seed)
  }

  /// The scores after the processor chain (−∞ for removed tokens).
  public mutating func processedScores(logits: [Float], history: [Int]) -> [Float] {
    var scores = logits
    for i in processors.indices { processors[i].process(logits: &scores, history: history) }
    return scores
  }

  /// The distribution a sampled token is drawn from: the softmax of the processed scores.
  public mutating func distribution(logits: [Float], history: [Int]) -> [Float] {
    softmax(processedScores(logits: logits, history: history))
  }

  public mutating func next(logits: [Float], history: [Int]) -> Int {
    let scores = processedScores(logits: logits, history: history)
    if settings.isGreedy {
      var best = 0
      for i in scores.indices where scores[i] > scores[best] { best = i }
      return best
    }
    let probabilities = softmax(scores)
    let draw = random.nextUniform()
    var cumulative: Float = 0
    var last = 0
    for (i, p) in probabilities.enumerated() where p > 0 {
      cumulative += p
      last = i
      if draw < cumulative { return i }
    }
    return last
  }
}
