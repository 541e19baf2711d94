import ArgumentParser
import Foundation
import RadEval
import RadModelFiles
import RadModels
import RadTensor
import RadTokenizers

/// `radlm eval bertscore`: BERTScore exactly as bert-score 0.3.13 with any BERT-family folder.
struct EvalBERTScoreCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bertscore",
    abstract: "BERTScore P/R/F exactly as bert-score 0.3.13 (greedy matching of one encoder layer's token vectors).")

  @OptionGroup var io: TextPairOptions

  @Option(
    help:
      "BERT-family model folder (config.json, model.safetensors, tokenizer.json); default: the fetched MiniLM (radlm fetch minilm)."
  )
  var model: String?

  @Option(help: "Encoder layer whose token vectors are matched (bert-score's num_layers).")
  var layer = 6

  @Flag(help: "Weight tokens by idf computed from the references.")
  var idf = false

  @Option(help: "bert-score baseline CSV (LAYER,P,R,F) to rescale with: x' = (x − b)/(1 − b).")
  var baseline: String?

  @Option(name: .customLong("batch-size"), help: "Sentences per encoder batch.")
  var batchSize = 64

  func validate() throws {
    try OptionCheck.exists(model, "--model")
    // Checked against the encoder's depth once it is loaded.
    try OptionCheck.integer(layer, "--layer", in: 1...(1 << 16))
    try OptionCheck.exists(baseline, "--baseline")
    try OptionCheck.count(batchSize, "--batch-size")
  }

  func run() throws {
    let directory = try model.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? ModelCache().path(of: "minilm")
    let base = try baseline.map { try BERTScoreBaseline(contentsOf: URL(fileURLWithPath: $0), layer: layer) }
    let scorer = try BERTScorer(directory: directory, layer: layer, idf: idf, baseline: base, batchSize: batchSize)
    // This process only scores: run the encoder batches side by side, one per core, with
    // single-threaded kernels (a BERT batch is many small products, which scale better across
    // batches than inside one product).
    BLAS.setThreadCount(1)
    Parallel.threadCount = 1
    scorer.concurrentBatches = max(1, ProcessInfo.processInfo.activeProcessorCount)
    try io.run({ try scorer.report($0, perPair: io.perPair) }) { report in
      var lines = [report.signature]
      if case .object(let prf) = report.score {
        lines.append(
          prf.map { k, v -> String in
            if case .number(let d) = v { return "\(k.uppercased())=\(fixed(d, 6))" } else { return k }
          }.joined(separator: " "))
      }
      if let per = report.perPair {
        lines += per.enumerated().map { "pair \($0.offset + 1)\t\($0.element.serialized())" }
      }
      return lines.joined(separator: "\n")
    }
  }
}

/// `radlm eval perplexity`: strided sliding-window perplexity of a causal LM over a text file.
struct EvalPerplexityCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "perplexity",
    abstract: "Perplexity of a causal language model over a text file (Hugging Face's strided sliding window).")

  @Option(
    help: "A GGUF file (Llama family) or a Hugging Face folder with config.json, model.safetensors and tokenizer.json.")
  var model: String

  @Option(help: "UTF-8 text file scored as one sequence.")
  var text: String

  @Option(name: .customLong("max-length"), help: "Window length in tokens (default: the model's context, else 1024).")
  var maxLength: Int?

  @Option(help: "Tokens between window starts (default: min(512, max length)).")
  var stride: Int?

  @Flag(help: "Print {\"signature\":…,\"score\":{…}} as JSON.")
  var json = false

  func validate() throws {
    try OptionCheck.exists(model, "--model")
    try OptionCheck.exists(text, "--text")
    try OptionCheck.count(maxLength, "--max-length", minimum: 2)
    try OptionCheck.count(stride, "--stride")
  }

  func run() throws {
    let url = URL(fileURLWithPath: model)
    let lm: any LanguageModel
    let tokenizer: Tokenizer
    if url.pathExtension.lowercased() == "gguf" {
      lm = try GGUFLlamaLoader.load(url: url)
      tokenizer = try GGUFVocabulary.load(path: url.path)
    } else {
      guard let loaded = try ModelLoader.load(directory: url) as? any LanguageModel else {
        throw ValidationError("\(model) is not a causal language model")
      }
      lm = loaded
      let tokenizerPath = url.appendingPathComponent("tokenizer.json").path
      do { tokenizer = try TokenizerJSON.load(path: tokenizerPath) } catch {
        throw ValidationError("\(tokenizerPath): \(error)")
      }
    }
    let content: String
    do { content = try String(contentsOfFile: text, encoding: .utf8) } catch {
      throw EvalInputError.unreadable(file: text, reason: "\(error.localizedDescription)")
    }
    let length = maxLength ?? lm.maxPositions ?? 1024
    let perplexity = try Perplexity(maxLength: length, stride: stride ?? min(512, length))
    let result = try perplexity.evaluate(model: lm, tokenizer: tokenizer, text: content)
    let report = MetricReport(
      signature: perplexity.signature,
      score: .object([
        ("perplexity", .number(result.perplexity)), ("nll", .number(result.meanNLL)),
        ("tokens", .integer(result.scoredTokens)), ("windows", .integer(result.windows)),
      ]))
    print(
      json
        ? report.json.serialized()
        : "\(report.signature)\nperplexity=\(fixed(result.perplexity, 4)) nll=\(fixed(result.meanNLL, 6)) tokens=\(result.scoredTokens) windows=\(result.windows)"
    )
  }
}
