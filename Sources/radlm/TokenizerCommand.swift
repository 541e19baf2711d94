import ArgumentParser
import Foundation
import RadTokenizers

/// `radlm tokenizer`: train a byte-level BPE tokenizer, or benchmark a tokenizer.
struct TokenizerCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tokenizer",
    abstract: "Train or benchmark tokenizers.",
    subcommands: [TokenizerTrainCommand.self, TokenizerConvertCommand.self, TokenizerBenchCommand.self]
  )
}

/// `radlm tokenizer train`: byte-level BPE training with the same result as Hugging Face
/// `tokenizers`' BpeTrainer; writes a tokenizer.json that `tokenizers` loads unchanged.
struct TokenizerTrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train a byte-level BPE tokenizer on text files and write tokenizer.json."
  )

  @Option(name: .customLong("input"), parsing: .upToNextOption, help: "UTF-8 text files (one or more).")
  var inputs: [String]

  @Option(name: .customLong("vocab-size"), help: "Vocabulary size, special tokens and the 256-byte alphabet included.")
  var vocabSize: Int

  @Option(name: .customLong("min-frequency"), help: "Stop when the most frequent pair occurs fewer times than this.")
  var minFrequency = 0

  @Option(name: .customLong("special-token"), help: "A special token (repeatable); they take the first ids, in order.")
  var specialTokens: [String] = []

  @Option(help: "Where to write tokenizer.json.")
  var output: String

  func validate() throws {
    if inputs.isEmpty { throw ValidationError("give at least one --input file") }
    try OptionCheck.exist(inputs, "--input")
    try OptionCheck.count(vocabSize, "--vocab-size")
    try OptionCheck.count(minFrequency, "--min-frequency", minimum: 0)
  }

  func run() throws {
    let start = Date()
    let tok = try BPETrainer(vocabSize: vocabSize, minFrequency: minFrequency, specialTokens: specialTokens).train(
      files: inputs)
    try TokenizerJSON.save(tok, path: output)
    let secs = Date().timeIntervalSince(start)
    FileHandle.standardError.write(
      Data("trained \(tok.vocabularySize) tokens in \(String(format: "%.2f", secs)) s -> \(output)\n".utf8))
  }
}

/// `radlm tokenizer convert`: writes any supported tokenizer (GGUF vocabulary, vocab.json +
/// merges.txt, vocab.txt, tokenizer.json) as a Hugging Face tokenizer.json.
struct TokenizerConvertCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "convert",
    abstract: "Write a tokenizer (GGUF, vocab.json, vocab.txt, tokenizer.json, model folder) as tokenizer.json."
  )

  @Option(help: "The tokenizer to convert (any path `radlm tokenize` accepts).")
  var tokenizer: String

  @Option(help: "Where to write tokenizer.json.")
  var output: String

  func validate() throws { try OptionCheck.exists(tokenizer, "--tokenizer") }

  func run() throws {
    try TokenizerJSON.save(try TokenizerFiles.load(path: tokenizer), path: output)
  }
}

/// `radlm tokenizer bench`: load time, encode throughput at 1 and 2 threads, and optionally BPE
/// training time, printed as one JSON object (benchmarks/tokenizers_bench.py compares it with
/// `tokenizers` and `tiktoken`).
struct TokenizerBenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Benchmark tokenizer loading, encoding and training."
  )

  @Option(help: "Tokenizer to load and encode with (any path `radlm tokenize` accepts).")
  var tokenizer: String

  @Option(help: "UTF-8 corpus; encoded line by line.")
  var corpus: String

  @Option(name: .customLong("threads"), help: "Thread counts to measure (repeatable; default 1 and 2).")
  var threads: [Int] = []

  @Option(help: "Timed repetitions; the best is reported.")
  var repetitions = 3

  @Option(name: .customLong("lines-per-document"), help: "Corpus lines joined (with their newlines) into one input.")
  var linesPerDocument = 64

  @Option(
    name: .customLong("ids-output"),
    help: "Write the ids of the first 100 documents here (JSON lines), for parity checks.")
  var idsOutput: String?

  @Option(name: .customLong("load-tokenizer"), help: "Also time loading this tokenizer (repeatable).")
  var loadTokenizers: [String] = []

  @Option(name: .customLong("train-vocab-size"), help: "Also time BPE training on the corpus at this vocabulary size.")
  var trainVocabSize: Int?

  @Option(name: .customLong("train-output"), help: "Write the trained tokenizer.json here.")
  var trainOutput: String?

  func validate() throws {
    try OptionCheck.exists(tokenizer, "--tokenizer")
    try OptionCheck.exists(corpus, "--corpus")
    for count in threads { try OptionCheck.integer(count, "--threads", in: 1...1024) }
    try OptionCheck.count(repetitions, "--repetitions")
    try OptionCheck.count(linesPerDocument, "--lines-per-document")
    try OptionCheck.exist(loadTokenizers, "--load-tokenizer")
    try OptionCheck.count(trainVocabSize, "--train-vocab-size")
  }

  func run() throws {
    func time(_ body: () throws -> Void) rethrows -> Double {
      let s = DispatchTime.now().uptimeNanoseconds
      try body()
      return Double(DispatchTime.now().uptimeNanoseconds - s) / 1e9
    }
    var loadTimes: [Double] = []
    var tok: Tokenizer? = nil
    for _ in 0..<max(1, repetitions) { loadTimes.append(try time { tok = try TokenizerFiles.load(path: tokenizer) }) }
    guard let tok else { return }
    var extraLoads: [String: Double] = [:]
    for p in loadTokenizers {
      var best = Double.infinity
      for _ in 0..<max(5, repetitions) { best = min(best, try time { _ = try TokenizerFiles.load(path: p) }) }
      extraLoads[p] = best
    }
    let data = try Data(contentsOf: URL(fileURLWithPath: corpus))
    let text = try StrictUTF8.string([UInt8](data), source: corpus)
    // Split on the byte 0x0A only ("\r\n" is one Character in Swift, so String splitting would not).
    let allLines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
    let per = max(1, linesPerDocument)
    let lines = stride(from: 0, to: allLines.count, by: per).map {
      allLines[$0..<min(allLines.count, $0 + per)].joined(separator: "\n")
    }
    let mb = Double(data.count) / 1e6
    var result: [String: Any] = [
      "corpus_mb": mb, "load_s": loadTimes.min()!, "lines": allLines.count, "documents": lines.count,
      "load_extra_s": extraLoads,
    ]
    var tokens = 0
    for t in threads.isEmpty ? [1, 2] : threads {
      var best = Double.infinity
      for _ in 0..<max(1, repetitions) {
        let fresh = tok.with(truncation: nil, padding: nil)  // a cold word cache each run
        best = min(best, time { tokens = fresh.encodeIdsBatch(lines, threads: t).reduce(0) { $0 + $1.count } })
      }
      result["encode_mb_s_\(t)t"] = mb / best
      result["encode_s_\(t)t"] = best
    }
    result["tokens"] = tokens
    if let p = idsOutput {
      let head = tok.encodeIdsBatch(Array(lines.prefix(100)), threads: 1)
      let text = head.map { "[" + $0.map(String.init).joined(separator: ",") + "]\n" }.joined()
      try Data(text.utf8).write(to: URL(fileURLWithPath: p))
    }
    if let v = trainVocabSize {
      var trained: Tokenizer? = nil
      let s = try time {
        trained = try BPETrainer(vocabSize: v, minFrequency: 0, specialTokens: ["<|endoftext|>"]).train(files: [corpus])
      }
      result["train_s"] = s
      result["train_vocab_size"] = v
      if let out = trainOutput, let trained { try TokenizerJSON.save(trained, path: out) }
    }
    let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
    print(String(decoding: json, as: UTF8.self))
  }
}
