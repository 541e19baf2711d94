import ArgumentParser
import Foundation
import RadClinical
import RadInference
import RadModelFiles
import RadModels
import RadTraining

/// `radlm impression`: findings → impression with a local model (zero-shot, few-shot, retrieval
/// few-shot, LoRA adapter, chain of thought) or one of the two baselines.
struct ImpressionCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "impression",
    abstract:
      "Write impressions from findings (JSONL {\"id\",\"findings\"[,\"indication\"]} → {\"id\",\"impression\"}).",
    discussion: """
      Variants: zero-shot (default); --shots K with --examples F.jsonl: the first K examples as a \
      fixed few-shot prompt; --shots K with --rag-db F: the K training reports whose findings are \
      most similar (MiniLM, exact search; F is a JSONL of {"id","findings","impression"} training \
      reports until the retrieval store lands); --adapter DIR: a PEFT LoRA adapter on the model; \
      --chain-of-thought: list the abnormal findings first. --baseline most-frequent|nearest \
      needs no model: the most frequent impression of --examples, or the impression of the most \
      similar report of --rag-db. Output: one line per input; with --json also "raw", \
      "generated_tokens" and "seconds".
      """)

  enum Baseline: String, ExpressibleByArgument { case mostFrequent = "most-frequent", nearest }

  @Option(help: "Model folder, .gguf file, or fetched model name (default smollm2).") var model = "smollm2"
  @Option(help: "PEFT LoRA adapter folder to apply.") var adapter: String?
  @Option(help: "Worked examples in the prompt.") var shots = 0
  @Option(help: "Training reports JSONL for fixed few-shot examples (and the most-frequent baseline).")
  var examples: String?
  @Option(help: "Training reports to retrieve similar examples from (JSONL; see discussion).") var ragDb: String?
  @Flag(help: "Ask the model to list the abnormal findings before the impression.") var chainOfThought = false
  @Option(help: "Answer with a baseline instead of a model: most-frequent or nearest.") var baseline: Baseline?
  @Option(help: "Input JSONL.") var input: String
  @Option(help: "Most tokens to generate per impression.") var maxTokens = 64
  @Option(help: "Prompts decoded together.") var batchSize = 8
  @Option(help: "Sentence embedder for retrieval (folder or fetched name).") var embedder = "minilm"
  @Flag(help: "Print extra fields (raw reply, tokens, seconds).") var json = false

  func validate() throws {
    try OptionCheck.integer(shots, "--shots", in: 0...64)
    try OptionCheck.count(maxTokens, "--max-tokens")
    try OptionCheck.integer(batchSize, "--batch-size", in: 1...1024)
    try OptionCheck.model(model)
    try OptionCheck.exists(adapter, "--adapter")
    try OptionCheck.exists(examples, "--examples")
    try OptionCheck.exists(ragDb, "--rag-db")
    try OptionCheck.exists(input, "--input")
    try OptionCheck.model(embedder, "--embedder")
    if shots > 0 && examples == nil && ragDb == nil { throw ValidationError("--shots needs --examples or --rag-db") }
    if examples != nil && ragDb != nil && baseline == nil {
      throw ValidationError("--examples (fixed shots) and --rag-db (retrieved shots) exclude each other")
    }
    if let ragDb, !ragDb.hasSuffix(".jsonl") {
      throw ValidationError(
        "--rag-db \(ragDb): only a JSONL of training reports is supported until the retrieval store lands")
    }
    switch baseline {
    case .mostFrequent?: if examples == nil { throw ValidationError("--baseline most-frequent needs --examples") }
    case .nearest?: if ragDb == nil { throw ValidationError("--baseline nearest needs --rag-db") }
    case nil: break
    }
    if baseline != nil && (adapter != nil || chainOfThought || shots > 0) {
      throw ValidationError("--baseline excludes --adapter, --shots and --chain-of-thought")
    }
  }

  func run() throws {
    let requests = try ImpressionRequest.read(URL(fileURLWithPath: input))
    let index: (any SimilarReports)? = try ragDb.map { file in
      let embedder = try SentenceEmbedder(directory: URL(fileURLWithPath: try ModelArgument.path(self.embedder)))
      return try ExactReportIndex(embedder: embedder, examples: try ReportExample.read(URL(fileURLWithPath: file)))
    }
    let results: [ImpressionResult]
    switch baseline {
    case .mostFrequent?:
      results = ImpressionBaselines.constant(
        requests, training: try ReportExample.read(URL(fileURLWithPath: examples!)))
    case .nearest?:
      results = try ImpressionBaselines.nearestNeighbour(requests, index: index!)
    case nil:
      let bundle = try ModelArgument.bundle(model, dtype: .f32)
      if let adapter { _ = try LoRAAdapterSet(loading: URL(fileURLWithPath: adapter), into: bundle.model.parameters) }
      var prompt = ImpressionPrompt(chainOfThought: chainOfThought)
      if shots > 0, let index {
        prompt.examples = .retrieved(index, k: shots)
      } else if shots > 0, let examples {
        prompt.examples = .fixed(Array(try ReportExample.read(URL(fileURLWithPath: examples)).prefix(shots)))
      }
      let generator = ImpressionGenerator(bundle: bundle, prompt: prompt, maxTokens: maxTokens, batchSize: batchSize)
      results = try generator.generate(requests) { done, total in
        FileHandle.standardError.write(Data("impression: \(done)/\(total)\n".utf8))
      }
    }
    for result in results {
      var object: [String: Any] = ["id": Self.idValue(result.id), "impression": result.impression]
      if json {
        object["raw"] = result.rawText
        object["generated_tokens"] = result.generatedTokens
        object["seconds"] = result.seconds
      }
      let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
      print(String(decoding: data, as: UTF8.self))
    }
  }

  /// Integer ids stay integers in the output.
  static func idValue(_ id: String) -> Any { Int(id).map { $0 as Any } ?? id }
}
