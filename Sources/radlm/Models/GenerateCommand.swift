import ArgumentParser
import Foundation
import RadInference
import RadModels
import RadTensor
import RadTokenizers

/// Sampling options shared by `generate` and `chat`.
struct SamplingOptions: ParsableArguments {
  @Option(help: "Most tokens to generate.") var maxTokens = 128
  @Option(help: "Sampling temperature; 0 is greedy.") var temperature: Float = 0
  @Option(help: "Keep only the K most probable tokens (0 = off).") var topK = 0
  @Option(help: "Nucleus sampling: keep tokens up to this cumulative probability (1 = off).") var topP: Float = 1
  @Option(help: "Drop tokens below this fraction of the top token's probability (0 = off).") var minP: Float = 0
  @Option(help: "Repetition penalty (1 = off).") var repetitionPenalty: Float = 1
  @Option(help: "Random seed for sampling.") var seed: UInt64 = 0
  @Option(help: "Stop when the text contains this (repeatable).") var stop: [String] = []
  @Option(help: "Weights for decoding: f32, q8 (Q8_0 blocks) or q4 (Q4_1 blocks; GGUF blocks used as stored).")
  var dtype: WeightDType = .f32

  func validate() throws {
    try OptionCheck.count(maxTokens, "--max-tokens")
    try OptionCheck.number(temperature, "--temperature", atLeast: 0, atMost: 100)
    try OptionCheck.count(topK, "--top-k", minimum: 0)
    try OptionCheck.number(topP, "--top-p", above: 0, atMost: 1)
    try OptionCheck.number(minP, "--min-p", atLeast: 0, below: 1)
    try OptionCheck.number(repetitionPenalty, "--repetition-penalty", above: 0, atMost: 100)
  }

  func settings(eos: Set<Int>, extraStops: [String] = []) -> GenerationSettings {
    GenerationSettings(
      maxTokens: maxTokens, temperature: temperature, topK: topK, topP: topP, minP: minP,
      repetitionPenalty: repetitionPenalty, seed: seed, stopStrings: stop + extraStops, eosTokenIds: eos)
  }
}

/// `radlm generate`: continues a prompt (or answers it as a chat turn) with a language model,
/// or rewrites it with an encoder–decoder model; with --batch-size, many prompts from a file.
struct GenerateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "generate",
    abstract:
      "Generate text with a language model (HF folder, .gguf file, or a fetched name such as smollm2) or an encoder–decoder (BART) folder.",
    discussion: """
      Without --chat the prompt is encoded as the model's Hugging Face tokenizer does by default \
      (SmolLM2: no BOS; BART: <s> … </s>, the source of the encoder). With --json one object is \
      printed: {"text","tokens" (generated ids), "prompt_tokens","completion_tokens", \
      "tokens_per_second"}; tokens_per_second counts generated tokens over the whole call \
      (prompt processing included). A prompt plus --max-tokens longer than the model's context is \
      an error. With --batch-size N, --prompt-file holds one prompt per line (or JSON Lines \
      {"prompt": …}); prompts run N at a time, left-padded, and one result is printed per prompt \
      in order (one JSON object per line with --json); prompt i samples with seed --seed + i, so \
      any batch size gives the same results.
      """)

  @Option(help: "Model folder, .gguf file, or fetched model name.") var model: String
  @Option(help: "Prompt text.") var prompt: String?
  @Option(help: "Read the prompt from this file (with --batch-size: one prompt per line, or JSONL {\"prompt\":…}).")
  var promptFile: String?
  @Option(help: "Generate for the prompts of --prompt-file this many at a time.") var batchSize: Int?
  @Flag(help: "Wrap the prompt as a user turn in the model's chat template.") var chat = false
  @Option(help: "System message (with --chat).") var system: String?
  @Option(
    help:
      "With --chat: chatml, llama3 or plain instead of the model's own template (needed when RadLM does not recognise it)."
  )
  var chatTemplate: ChatTemplate?
  @OptionGroup var sampling: SamplingOptions
  @Flag(help: "Print text as it is generated.") var stream = false
  @Flag(help: "Print one JSON object (per prompt).") var json = false
  @Option(help: "Constrain the output to JSON valid against this schema file (subset: docs/structured-extraction.md).")
  var jsonSchema: String?

  func validate() throws {
    if (prompt == nil) == (promptFile == nil) { throw ValidationError("give exactly one of --prompt or --prompt-file") }
    if let jsonSchema {
      if !FileManager.default.fileExists(atPath: jsonSchema) {
        throw ValidationError("--json-schema \(jsonSchema): no such file")
      }
      if !sampling.stop.isEmpty {
        throw ValidationError("--stop cannot be combined with --json-schema (it could cut the document)")
      }
      _ = try SchemaFile.read(jsonSchema, option: "--json-schema")
    }
    if system != nil && !chat { throw ValidationError("--system needs --chat") }
    if chatTemplate != nil && !chat { throw ValidationError("--chat-template needs --chat") }
    if stream && json { throw ValidationError("--stream and --json exclude each other") }
    try OptionCheck.model(model)
    try OptionCheck.exists(promptFile, "--prompt-file")
    if let batchSize {
      try OptionCheck.count(batchSize, "--batch-size")
      if promptFile == nil { throw ValidationError("--batch-size needs --prompt-file") }
      if stream { throw ValidationError("--stream and --batch-size exclude each other") }
    }
  }

  func run() throws {
    let prompts: [String]
    if batchSize != nil, let promptFile {
      prompts = try PromptList.read(promptFile)
    } else if let promptFile {
      guard let data = FileManager.default.contents(atPath: promptFile), let read = String(data: data, encoding: .utf8)
      else {
        throw ValidationError("\(promptFile): cannot be read as UTF-8 text")
      }
      prompts = [read]
    } else {
      prompts = [prompt ?? ""]
    }
    let results: [GenerationResult]
    switch try ModelArgument.generationModel(model, dtype: sampling.dtype) {
    case .decoderOnly(let bundle):
      results = try generate(prompts, with: bundle)
    case .encoderDecoder(let bundle):
      if jsonSchema != nil { throw ValidationError("--json-schema needs a decoder-only model") }
      if chat { throw ValidationError("--chat needs a decoder-only model with a chat template") }
      let sources = prompts.map { bundle.tokenizer.encode($0).ids }
      let settings = sampling.settings(eos: bundle.eosTokenIds)
      let generator = bundle.generator
      if let batchSize {
        results = try Self.inBatches(sources, size: batchSize, settings: settings) {
          try generator.generateBatch(sourceIds: $0, settings: $1)
        }
      } else {
        results = [
          try generator.generate(
            sourceIds: sources[0], settings: settings, onText: stream ? { StandardOutput.write($0) } : nil)
        ]
      }
    }
    for result in results {
      if json {
        print(
          "{\"text\":\(ModelJSON.string(result.text)),\"tokens\":\(ModelJSON.ints(result.tokens)),"
            + "\"prompt_tokens\":\(result.promptTokens),\"completion_tokens\":\(result.tokens.count),"
            + "\"tokens_per_second\":\(ModelJSON.number(result.tokensPerSecond))}")
      } else if stream {
        print("")
      } else {
        print(result.text)
      }
    }
  }

  /// Decoder-only generation: one prompt (streamed if asked) or batches of prompts.
  func generate(_ prompts: [String], with bundle: ModelBundle) throws -> [GenerationResult] {
    var stops: [String] = []
    var eos = bundle.eosTokenIds
    let template = chat ? try bundle.conversationTemplate(choice: chatTemplate) : nil
    if let template {
      if jsonSchema == nil { stops += template.endOfTurn.map { [$0] } ?? [] }
      eos = bundle.endTokenIds(for: template)
    }
    let ids = try prompts.map { text -> [Int] in
      guard let template else { return bundle.tokenizer.encode(text).ids }
      var messages: [ChatMessage] = []
      if let system { messages.append(ChatMessage(role: "system", content: system)) }
      messages.append(ChatMessage(role: "user", content: text))
      return try bundle.chatPromptIds(messages, template: template)
    }
    let generator = TextGenerator(model: bundle.model, tokenizer: bundle.tokenizer)
    var settings = sampling.settings(eos: eos, extraStops: stops)
    if let jsonSchema {
      let schema = try SchemaFile.read(jsonSchema, option: "--json-schema")
      do { settings.jsonSchema = try JSONTokenGrammar(schema: schema, tokenizer: bundle.tokenizer) } catch {
        throw ValidationError("--json-schema \(jsonSchema): \(error)")
      }
      if let shortest = settings.jsonSchema?.grammar.shortestDocument, shortest > settings.maxTokens {
        throw ValidationError(
          "--max-tokens \(settings.maxTokens): the schema's shortest document needs \(shortest) tokens")
      }
    }
    if let batchSize {
      return try Self.inBatches(ids, size: batchSize, settings: settings) {
        try generator.generateBatch(promptIds: $0, settings: $1)
      }
    }
    return [
      try generator.generate(promptIds: ids[0], settings: settings, onText: stream ? { StandardOutput.write($0) } : nil)
    ]
  }

  /// Runs `prompts` in consecutive batches of `size`; the batch starting at prompt i samples
  /// with seed + i (its row r then uses seed + i + r), so results do not depend on `size`.
  static func inBatches(
    _ prompts: [[Int]], size: Int, settings: GenerationSettings,
    run: ([[Int]], GenerationSettings) throws -> [GenerationResult]
  ) throws -> [GenerationResult] {
    var results: [GenerationResult] = []
    for start in stride(from: 0, to: prompts.count, by: size) {
      var batchSettings = settings
      batchSettings.seed = settings.seed &+ UInt64(start)
      results += try run(Array(prompts[start..<min(start + size, prompts.count)]), batchSettings)
    }
    return results
  }
}

/// `radlm logits`: the last position's highest-scoring next tokens for a prompt.
struct LogitsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "logits",
    abstract: "Print the top next-token logits of a prompt's last position.",
    discussion: """
      Prints {"input_ids":[…],"top_ids":[…],"top_logits":[…]} (with or without --json: the output \
      is always this JSON object). With --dtype q8|q4 the prompt is fed one token at a time so the \
      quantised kernels compute every position.
      """)

  @Option(help: "Model folder, .gguf file, or fetched model name.") var model: String
  @Option(help: "Prompt text (encoded as the tokenizer does by default).") var prompt: String
  @Option(help: "How many top entries to print.") var top = 10
  @Option(help: "Weights: f32, q8 or q4.") var dtype: WeightDType = .f32
  @Flag(help: "Print JSON (the only format).") var json = false

  func validate() throws {
    try OptionCheck.model(model)
    try OptionCheck.count(top, "--top")
  }

  func run() throws {
    let bundle = try ModelArgument.bundle(model, dtype: dtype)
    let ids = bundle.tokenizer.encode(prompt).ids
    guard !ids.isEmpty else { throw ModelError.invalidInput("the prompt encodes to no tokens") }
    let logits: [Float] = try Autograd.inferenceMode {
      if dtype == .f32 { return try bundle.model.lastLogits(TokenBatch(ids), cache: nil).data }
      let cache = bundle.model.makeCache(capacity: ids.count)
      var last: [Float] = []
      for id in ids { last = try bundle.model.lastLogits(TokenBatch([id]), cache: cache).data }
      return last
    }
    let order = logits.indices.sorted { logits[$0] > logits[$1] }.prefix(top)
    print(
      "{\"input_ids\":\(ModelJSON.ints(ids)),\"top_ids\":\(ModelJSON.ints(Array(order))),"
        + "\"top_logits\":\(ModelJSON.floats(order.map { logits[$0] }))}")
  }
}

/// `radlm embed`: sentence embeddings, one input per stdin line, one JSON object per output line.
struct EmbedCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "embed",
    abstract:
      "Embed sentences with a sentence-transformers model (one per stdin line; prints {\"embedding\":[…]} per line).")

  @Option(help: "A sentence-transformers folder (modules.json, 1_Pooling) or a fetched name such as minilm.")
  var model: String
  @Option(help: "Sentences per forward pass.") var batchSize = 32

  /// Lines read before embedding: the embedder sorts them by length, so a larger window pads less;
  /// output order is always the input order.
  static let window = 4096

  func validate() throws {
    try OptionCheck.model(model)
    try OptionCheck.count(batchSize, "--batch-size")
  }

  func run() throws {
    let embedder = try SentenceEmbedder(directory: URL(fileURLWithPath: try ModelArgument.path(model)))
    var pending: [String] = []
    func flush() throws {
      guard !pending.isEmpty else { return }
      for vector in try embedder.embed(pending, batchSize: batchSize) {
        print("{\"embedding\":\(ModelJSON.floats(vector))}")
      }
      pending.removeAll()
    }
    while let line = readLine(strippingNewline: true) {
      pending.append(line)
      if pending.count >= Self.window { try flush() }
    }
    try flush()
  }
}

/// `radlm chat`: an interactive conversation that keeps the history.
struct ChatCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "chat",
    abstract: "Chat with a model interactively (empty line or EOF ends; /reset clears the history).")

  @Option(help: "Model folder, .gguf file, or fetched model name.") var model: String
  @Option(help: "System message.") var system: String?
  @Option(
    help: "chatml, llama3 or plain instead of the model's own template (needed when RadLM does not recognise it).")
  var chatTemplate: ChatTemplate?
  @OptionGroup var sampling: SamplingOptions

  func validate() throws { try OptionCheck.model(model) }

  func run() throws {
    let bundle = try ModelArgument.bundle(model, dtype: sampling.dtype)
    let template = try bundle.conversationTemplate(choice: chatTemplate)
    let generator = TextGenerator(model: bundle.model, tokenizer: bundle.tokenizer)
    var history: [ChatMessage] = system.map { [ChatMessage(role: "system", content: $0)] } ?? []
    let stops = template.endOfTurn.map { [$0] } ?? []
    while true {
      StandardOutput.write("> ")
      guard let line = readLine(), !line.isEmpty else { break }
      if line == "/reset" {
        history = system.map { [ChatMessage(role: "system", content: $0)] } ?? []
        continue
      }
      history.append(ChatMessage(role: "user", content: line))
      let ids = try bundle.chatPromptIds(history, template: template)
      let result = try generator.generate(
        promptIds: ids, settings: sampling.settings(eos: bundle.endTokenIds(for: template), extraStops: stops)
      ) { StandardOutput.write($0) }
      print("")
      history.append(ChatMessage(role: "assistant", content: result.text))
    }
  }
}
