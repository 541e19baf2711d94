import Foundation
import RadImaging
import RadInference
import RadModelFiles
import RadModels
import RadTensor
import RadTokenizers
import RadTraining

/// An early-fusion (LLaVA-style) vision–language model: an image encoder turns the image into
/// tokens, a projector maps them to the language model's input width, and they replace the
/// `<image>` placeholder of a chat prompt, between the embeddings of the prompt's text tokens.
/// The language model (SmolLM2 by default) stays frozen apart from an optional LoRA adapter;
/// the projector and adapter are what training changes and what the model folder stores.
public final class VisionLanguageModel: @unchecked Sendable {
  public private(set) var configuration: VisionLanguageConfiguration
  public let bundle: ModelBundle
  public let language: any EmbeddingInputLanguageModel
  public let encoder: any VisualTokenEncoder
  public let projector: VisionProjector
  public private(set) var adapters: LoRAAdapterSet?
  public let format: ChatFormat
  /// The id that closes the assistant's turn (appended to training answers; ends generation).
  public let endOfAnswerId: Int

  private let lock = NSLock()
  /// Encoder tokens per image key: the frozen encoder runs once per image.
  private var encoded: [String: Tensor] = [:]
  /// The KV cache of the last image's prompt prefix (system turn, user turn opening, image
  /// tokens): questions about the same image reuse it and only prefill their own text.
  private var prefix: (key: String, ids: [Int], cache: StandardKVCache, length: Int)?

  /// Joins `bundle`'s language model and `encoder` with a fresh projector drawn from `seed`.
  public init(
    configuration: VisionLanguageConfiguration, bundle: ModelBundle, encoder: any VisualTokenEncoder, seed: UInt64
  ) throws {
    guard let language = bundle.model as? any EmbeddingInputLanguageModel else {
      throw VisionLanguageError.invalidConfiguration(
        "language model \"\(configuration.languageModel)\" (\(bundle.model.modelType)) does not take input vectors")
    }
    var choice: ChatTemplate?
    if let name = configuration.chatTemplate {
      guard let template = ChatTemplate(rawValue: name) else {
        throw VisionLanguageError.invalidConfiguration("chat_template \"\(name)\" is not chatml, llama3 or plain")
      }
      choice = template
    }
    do { format = try bundle.storedChatTemplate.format(choice: choice) } catch {
      throw VisionLanguageError.invalidConfiguration("\(error)")
    }
    let end = format.template.endOfTurn.flatMap { bundle.tokenizer.tokenToId($0) } ?? bundle.eosTokenIds.min()
    guard let end else { throw VisionLanguageError.invalidConfiguration("the language model has no end-of-turn token") }
    self.configuration = configuration
    self.bundle = bundle
    self.language = language
    self.encoder = encoder
    self.endOfAnswerId = end
    projector = try VisionProjector(
      kind: configuration.projector, inputWidth: encoder.tokenWidth, outputWidth: language.embeddingWidth,
      store: language.parameters, seed: seed)
  }

  /// Number of image tokens spliced into each prompt.
  public var imageTokenCount: Int { encoder.tokenCount }

  /// The prompt around the image: token ids before and after the placeholder in the rendered
  /// chat (one user turn "<image>\n" + `question`, then the opening of the assistant's turn).
  public func promptParts(question: String) throws -> (prefix: [Int], suffix: [Int]) {
    let placeholder = configuration.placeholder
    guard !question.contains(placeholder) else {
      throw VisionLanguageError.invalidInput("the question must not contain the image placeholder \(placeholder)")
    }
    let text = format.template.render(
      [ChatMessage(role: "user", content: placeholder + "\n" + question)], addGenerationPrompt: true,
      defaultSystem: format.defaultSystem)
    let pieces = text.components(separatedBy: placeholder)
    guard pieces.count == 2 else {
      throw VisionLanguageError.invalidInput("the rendered prompt holds \(pieces.count - 1) image placeholders")
    }
    return (bundle.tokenizer.encodeIds(pieces[0]), bundle.tokenizer.encodeIds(pieces[1]))
  }

  /// Encoder tokens of `image`, computed once per `key` (an image path) when one is given.
  func encoderTokens(_ image: Image, key: String?) throws -> Tensor {
    if let key, let cached = lock.withLock({ encoded[key] }) { return cached }
    let tokens = try Autograd.inferenceMode { try encoder.tokens(image) }
    if let key { lock.withLock { encoded[key] = tokens } }
    return tokens
  }

  /// Encoder tokens of the image file at `path` (read and encoded once).
  func encoderTokens(path: String) throws -> Tensor {
    if let cached = lock.withLock({ encoded[path] }) { return cached }
    return try encoderTokens(try ImageFile.read(path), key: path)
  }

  /// The projected image tokens [1, count, width] (differentiable in the projector).
  public func imageTokens(_ encoderTokens: Tensor) -> Tensor { projector(encoderTokens) }

  /// Input vectors of prompt `prefix`, the image tokens, and the token ids `rest`.
  public func inputVectors(prefix: [Int], image: Tensor, rest: [Int]) throws -> Tensor {
    var parts = [try language.tokenEmbeddings(prefix), imageTokens(image)]
    if !rest.isEmpty { parts.append(try language.tokenEmbeddings(rest)) }
    return Tensor.concatenate(parts, axis: 1)
  }

  /// Mean cross-entropy over the answer tokens (the answer's ids and the end-of-turn id) of one
  /// example given its encoder tokens; prompt and image positions are not targets.
  public func answerLoss(encoderTokens image: Tensor, question: String, answer: String) throws -> (
    loss: Tensor, targets: Int
  ) {
    let (prefix, suffix) = try promptParts(question: question)
    return try answerLoss(
      prefix: prefix, encoderTokens: image, suffix: suffix, answer: bundle.tokenizer.encodeIds(answer) + [endOfAnswerId]
    )
  }

  /// The same for explicit token ids around the image and answer ids (ending with the end id).
  func answerLoss(prefix: [Int], encoderTokens image: Tensor, suffix: [Int], answer answerIds: [Int]) throws -> (
    loss: Tensor, targets: Int
  ) {
    let vectors = try inputVectors(prefix: prefix, image: image, rest: suffix + answerIds)
    let length = vectors.shape[1]
    let logits = try language.logits(embeddings: vectors, attentionMask: nil, cache: nil)
    var targets = [Int](repeating: -100, count: length)
    let start = prefix.count + image.shape[1] + suffix.count
    for (offset, id) in answerIds.enumerated() { targets[start + offset - 1] = id }
    return (logits.reshaped([length, language.vocabularySize]).crossEntropy(targets: targets), answerIds.count)
  }

  /// Answers `question` about `image`. With a `key` (the image's path), the image's encoder
  /// tokens and its prompt prefix in the KV cache are kept, so further questions about the same
  /// image prefill only their own words.
  public func answer(
    image: Image, key: String?, question: String, settings: GenerationSettings, onText: ((String) -> Void)? = nil
  ) throws -> GenerationResult {
    try answer(
      encoded: { try encoderTokens(image, key: key) }, key: key, question: question, settings: settings, onText: onText)
  }

  /// Answers about the image file at `path` (its path is the cache key; the file is read only
  /// when its tokens are not cached).
  public func answer(
    imagePath path: String, question: String, settings: GenerationSettings, onText: ((String) -> Void)? = nil
  ) throws -> GenerationResult {
    try answer(
      encoded: { try encoderTokens(path: path) }, key: path, question: question, settings: settings, onText: onText)
  }

  func answer(
    encoded: () throws -> Tensor, key: String?, question: String, settings: GenerationSettings,
    onText: ((String) -> Void)?
  ) throws -> GenerationResult {
    try Autograd.inferenceMode {
      let (prefixIds, suffix) = try promptParts(question: question)
      var settings = settings
      settings.eosTokenIds.insert(endOfAnswerId)
      let prefixLength = prefixIds.count + imageTokenCount
      let needed = prefixLength + suffix.count + settings.maxTokens
      if let limit = language.maxPositions, needed > limit {
        throw ModelError.sequenceTooLong(length: needed, maximum: limit)
      }
      let start = Date()
      let cache: StandardKVCache
      if let key, let kept = lock.withLock({ prefix }), kept.key == key, kept.ids == prefixIds,
        kept.cache.capacity >= needed
      {
        kept.cache.truncate(to: kept.length)
        cache = kept.cache
      } else {
        cache = StandardKVCache(layers: language.layerCount, capacity: max(needed, prefixLength + 256))
        let vectors = try inputVectors(prefix: prefixIds, image: try encoded(), rest: [])
        _ = try language.lastLogits(embeddings: vectors, cache: cache)
        if let key { lock.withLock { prefix = (key, prefixIds, cache, prefixLength) } }
      }
      let logits = try language.lastLogits(TokenBatch(suffix), cache: cache).data
      let generator = TextGenerator(model: language, tokenizer: bundle.tokenizer)
      return try generator.generate(
        continuing: cache, logits: logits, history: prefixIds + suffix, settings: settings,
        prefillSeconds: Date().timeIntervalSince(start), onText: onText)
    }
  }

  /// Makes the parameters of `stage` trainable: the projector alone for captions; the projector
  /// and a LoRA adapter (attached on first use) for instructions.
  public func prepare(stage: VisionLanguageStage, lora: LoRAConfiguration, seed: UInt64) throws {
    if stage == .instructions && adapters == nil {
      adapters = try LoRAAdapterSet(attachingTo: language.parameters, configuration: lora, seed: seed)
    }
    for parameter in language.parameters.parameters { parameter.setTrainable(false) }
    if stage == .instructions, let adapters {
      for adapter in adapters.adapters {
        adapter.a.setTrainable(true)
        adapter.b.setTrainable(true)
      }
    }
    for parameter in projector.parameters { parameter.setTrainable(true) }
    clearPrefixCache()
    if !configuration.stages.contains(stage.rawValue) { configuration.stages.append(stage.rawValue) }
  }

  /// Uses adapters loaded from a folder.
  func attachAdapters(_ loaded: LoRAAdapterSet) {
    adapters = loaded
    clearPrefixCache()
  }

  /// Forgets the cached prompt prefix (after the weights changed).
  public func clearPrefixCache() { lock.withLock { prefix = nil } }
}

/// The two training stages of an early-fusion model.
public enum VisionLanguageStage: String, Sendable, CaseIterable {
  /// Projector only, on image → report pairs (aligning image tokens with the text space).
  case captions
  /// Projector and LoRA adapter, on question → answer pairs (and reports).
  case instructions
}
