import ArgumentParser
import Foundation
import RadModels
import RadTensor

/// `radlm bench decode`: a language model's single-token decode speed and prompt (prefill) speed,
/// measured in-process the way llama-bench measures llama.cpp: forward passes with the KV cache
/// and a greedy argmax, no tokenizer or sampling work. benchmarks/models_bench.py runs it next to
/// PyTorch and llama-bench on the same GGUF files. It also counts the bytes one decode step reads
/// (weights plus the KV cache), so the speed can be set against the memory bandwidth.
struct DecodeBenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "decode", abstract: "Decode and prefill tokens/s of a language model (KV cache, greedy).")

  @Option(help: "Model folder, .gguf file, or fetched model name.") var model: String
  @Option(help: "Weights for decoding: f32, q8 or q4.") var dtype: WeightDType = .f32
  @Option(help: "Read the prompt text from this file (repeated if it has too few tokens).") var promptFile: String?
  @Option(help: "Prompt tokens before the timed decode steps.") var promptTokens = 128
  @Option(help: "Timed decode steps.") var newTokens = 128
  @Option(help: "Prompt tokens of the timed prefill (0 = skip).") var prefillTokens = 512
  @Option(help: "Thread count to measure at (repeatable; default 2).") var threads: [Int] = []
  @Option(help: "Timed repetitions; the fastest is reported.") var repetitions = 3
  @Flag(help: "One JSON object per thread count.") var json = false
  @Flag(
    help:
      "Also time decoding through the general (tensor-op) path, interleaved with the one-token step, and print both.")
  var compare = false

  func validate() throws {
    try OptionCheck.model(model)
    try OptionCheck.exists(promptFile, "--prompt-file")
    try OptionCheck.count(promptTokens, "--prompt-tokens")
    try OptionCheck.count(newTokens, "--new-tokens")
    try OptionCheck.count(prefillTokens, "--prefill-tokens", minimum: 0)
    try OptionCheck.count(repetitions, "--repetitions")
    for count in threads { try OptionCheck.integer(count, "--threads", in: 1...1024) }
  }

  func run() throws {
    let bundle = try ModelArgument.bundle(model, dtype: dtype)
    let model = bundle.model
    var ids: [Int] = []
    if let promptFile {
      guard let data = FileManager.default.contents(atPath: promptFile), let text = String(data: data, encoding: .utf8)
      else {
        throw ValidationError("\(promptFile): cannot be read as UTF-8 text")
      }
      ids = bundle.tokenizer.encode(text).ids
    }
    if ids.isEmpty { ids = [1] }
    let needed = max(promptTokens, prefillTokens)
    while ids.count < needed { ids += ids }
    let weightBytes = ModelQuantizer.decodeWeightBytes(model)
    let kvBytesPerPosition = ModelQuantizer.kvCacheBytesPerPosition(model)
    // Average cache length over the timed steps: promptTokens … promptTokens + newTokens − 1.
    let kvBytes = kvBytesPerPosition * (promptTokens + (newTokens - 1) / 2)
    for threadCount in threads.isEmpty ? [2] : threads {
      setBenchThreads(threadCount)
      var decodeSeconds = Double.infinity
      var generalSeconds = Double.infinity
      var prefillSeconds = Double.infinity
      func timeDecode() throws -> Double {
        let cache = model.makeCache(capacity: promptTokens + newTokens + 1)
        var next = try model.lastLogits(TokenBatch(Array(ids.prefix(promptTokens))), cache: cache).argmax(axis: -1)[0]
        return BenchTimer.elapsed {
          for _ in 0..<newTokens {
            // A failure here would already have happened in the untimed prompt pass.
            next = (try? model.lastLogits(TokenBatch([next]), cache: cache).argmax(axis: -1)[0]) ?? 0
          }
        }
      }
      try Autograd.inferenceMode {
        for _ in 0..<repetitions {
          decodeSeconds = min(decodeSeconds, try timeDecode())
          if compare {
            generalSeconds = min(generalSeconds, try LlamaModel.$usesDecodeStep.withValue(false) { try timeDecode() })
          }
          if prefillTokens > 0 {
            let prompt = TokenBatch(Array(ids.prefix(prefillTokens)))
            var logits: Tensor?
            let seconds = BenchTimer.elapsed {
              logits = try? model.lastLogits(prompt, cache: model.makeCache(capacity: prefillTokens))
            }
            guard logits != nil else { throw ValidationError("prefill of \(prefillTokens) tokens failed") }
            prefillSeconds = min(prefillSeconds, seconds)
          }
        }
      }
      let decode = Double(newTokens) / decodeSeconds
      let prefill = prefillTokens > 0 ? Double(prefillTokens) / prefillSeconds : 0
      let bytesPerToken = weightBytes + kvBytes
      let gigabytesPerSecond = Double(bytesPerToken) * decode / 1e9
      if compare {
        print(
          String(
            format: "%@ threads %d: decode through the general path %.1f tok/s", dtype.rawValue, threadCount,
            Double(newTokens) / generalSeconds))
      }
      if json {
        print(
          "{\"dtype\":\"\(dtype.rawValue)\",\"threads\":\(threadCount),\"decode_tokens_per_second\":\(decode),"
            + "\"prefill_tokens_per_second\":\(prefill),\"bytes_per_token\":\(bytesPerToken),"
            + "\"weight_bytes\":\(weightBytes),\"kv_bytes_per_token\":\(kvBytes),\"decode_gb_per_second\":\(gigabytesPerSecond)}"
        )
      } else {
        print(
          String(
            format: "%@ threads %d: decode %.1f tok/s, prefill-%d %.1f tok/s, %.1f MB/token → %.1f GB/s",
            dtype.rawValue,
            threadCount, decode, prefillTokens, prefill, Double(bytesPerToken) / 1e6, gigabytesPerSecond))
      }
    }
  }
}
