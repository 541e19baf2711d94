import ArgumentParser
import Foundation
import RadModelFiles
import RadModels
import RadTensor
import RadTraining

/// `radlm bench train`: training throughput (tokens/s and MFU) of (a) a nanoGPT-shaped GPT and
/// (b) LoRA r = 8 on SmolLM2-135M, on random tokens; `benchmarks/run_training_bench.sh` runs
/// PyTorch on the same shapes in the same run.
struct TrainBenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train", abstract: "Training tokens/s and MFU: nanoGPT-style GPT and LoRA on SmolLM2.")

  @Option(help: "Which workload: gpt, lora or both.") var workload = "both"
  @Option(help: "Thread counts (repeatable; default 2).") var threads: [Int] = []
  @Option(help: "Timed optimiser steps.") var steps = 5
  @Option(help: "Untimed warm-up steps.") var warmups = 1
  @Option(help: "SmolLM2 GGUF for the LoRA workload (default: the fetched one).") var model: String?
  @Option(
    help: "Frozen base of the LoRA workload: f32, or q8 / q4 (QLoRA: Q8_0 / Q4_1 blocks as the GGUF stores them).")
  var dtype: WeightDType = .f32
  @Flag(help: "One JSON object on stdout.") var json = false

  func validate() throws {
    try OptionCheck.oneOf(workload, ["gpt", "lora", "both"], "--workload")
    for count in threads { try OptionCheck.integer(count, "--threads", in: 1...1024) }
    try OptionCheck.count(steps, "--steps")
    try OptionCheck.count(warmups, "--warmups", minimum: 0)
    try OptionCheck.exists(model, "--model")
  }

  func run() throws {
    var rows: [[String: Any]] = []
    for threadCount in threads.isEmpty ? [2] : threads {
      setBenchThreads(threadCount)
      if workload == "gpt" || workload == "both" {
        // nanoGPT-style: 4 layers, 256 wide, 4 heads, block 256, vocabulary 8192, batch 8.
        let gpt = GPT2Model(
          config: GPT2Configuration(vocabularySize: 8192, maxPositions: 256, width: 256, layers: 4, heads: 4), seed: 1)
        let result = try measure(
          model: gpt, batch: 8, length: 256, vocabulary: 8192, trainable: gpt.parameters.trainable)
        rows.append(
          report(
            "gpt 4x256 block 256 batch 8", result, tokens: 8 * 256, threads: threadCount,
            flopsParameters: nonEmbedding(gpt)))
      }
      if workload == "lora" || workload == "both" {
        let path = try model.map { URL(fileURLWithPath: $0) } ?? ModelCache().path(of: "smollm2")
        let smol = try QuantizedLoRABase.load(try GGUFFile(url: path), dtype: dtype).model
        let adapters = try LoRAAdapterSet(
          attachingTo: smol.parameters,
          configuration: LoRAConfiguration(rank: 8, alpha: 16, targetModules: ["q_proj", "v_proj"]),
          seed: 1)
        let result = try measure(
          model: smol, batch: 1, length: 256, vocabulary: smol.vocabularySize, trainable: smol.parameters.trainable)
        precondition(adapters.trainableCount > 0)
        rows.append(
          report(
            "SmolLM2-135M \(dtype == .f32 ? "LoRA" : "QLoRA \(dtype.rawValue)") r=8 q,v seq 256", result, tokens: 256,
            threads: threadCount, flopsParameters: nonEmbedding(smol)))
      }
    }
    if json {
      let data = try JSONSerialization.data(withJSONObject: ["results": rows], options: [.sortedKeys])
      print(String(decoding: data, as: UTF8.self))
    } else {
      for row in rows {
        print(
          String(
            format: "%@  threads %d  %.0f tokens/s  %.1f GFLOP/s  MFU %.1f%%", row["workload"] as! String,
            row["threads"] as! Int, row["tokens_per_second"] as! Double, row["gflops"] as! Double,
            (row["mfu"] as! Double) * 100))
      }
    }
  }

  /// Parameters that do matrix work per token (embedding lookups are free; a tied LM head is not).
  /// Weights a QLoRA base keeps in blocks count as well.
  func nonEmbedding(_ model: any LanguageModel) -> Int {
    var count = model.parameters.parameters.filter { !$0.name.contains("wpe") && !$0.name.contains("lora_") }.reduce(0)
    {
      $0 + $1.value.count
    }
    for case (_, let slot as LinearAdapterSlot) in model.parameters.attachments {
      if let base = slot.frozenBase as? QuantizedFrozenBase { count += base.matrix.rows * base.matrix.columns }
    }
    return count
  }

  func measure(model: any LanguageModel, batch: Int, length: Int, vocabulary: Int, trainable: [Parameter]) throws
    -> Double
  {
    var random = SeededRandom(seed: 7)
    let optimizer = AdamW(parameters: trainable, learningRate: 1e-4)
    func step() throws {
      let ids = (0..<(batch * length)).map { _ in Int(random.next() % UInt64(vocabulary)) }
      optimizer.zeroGrad()
      try model.languageModelingLoss(TokenBatch(ids: ids, batch: batch, length: length)).backward()
      _ = clipGradientNorm(trainable, maxNorm: 1)
      optimizer.step()
    }
    for _ in 0..<warmups { try step() }
    let clock = ContinuousClock()
    let start = clock.now
    for _ in 0..<steps { try step() }
    return Trainer.seconds(clock.now - start) / Double(steps)
  }

  func report(_ name: String, _ secondsPerStep: Double, tokens: Int, threads: Int, flopsParameters: Int) -> [String:
    Any]
  {
    let tokensPerSecond = Double(tokens) / secondsPerStep
    // 6 FLOPs per parameter per token for forward + backward (a frozen base still needs the
    // input-gradient half of its backward, so LoRA is counted at 4).
    let perToken = Double(flopsParameters) * (name.contains("LoRA") ? 4 : 6)
    let gflops = perToken * tokensPerSecond / 1e9
    return [
      "workload": name, "threads": threads, "seconds_per_step": secondsPerStep, "tokens_per_second": tokensPerSecond,
      "gflops": gflops, "mfu": gflops / (MachinePeak.fp32GFLOPSPerCore * Double(threads)),
    ]
  }
}
