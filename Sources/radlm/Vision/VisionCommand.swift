import ArgumentParser
import Foundation
import RadModelFiles
import RadTensor
import RadVision

/// `radlm vision …`: image encoders (EfficientNet-Lite0 with its ImageNet weights).
struct VisionCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "vision",
    abstract: "Classify images, run MedMNIST tasks and benchmark image encoders.",
    subcommands: [VisionBenchCommand.self, VisionClassifyCommand.self, VisionMedMNISTCommand.self]
  )
}

/// `radlm vision bench`: EfficientNet-Lite0 inference throughput on seeded 224×224 inputs.
struct VisionBenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Time EfficientNet-Lite0 inference (images/s) on seeded inputs.",
    discussion: "Needs `radlm fetch efficientnet`. Prints one JSON object."
  )

  @Option(help: "Images per forward pass.")
  var batch = 1

  @Option(help: "Image side in pixels.")
  var size = 224

  @Option(help: "Threads for BLAS and RadLM's kernels.")
  var threads = ProcessInfo.processInfo.activeProcessorCount

  @Option(help: "Timed repetitions (the median is reported).")
  var repetitions = 5

  @Option(help: "Minimum seconds per repetition.")
  var seconds = 1.0

  func validate() throws {
    try OptionCheck.integer(batch, "--batch", in: 1...1024)
    try OptionCheck.integer(size, "--size", in: 32...1024)
    try OptionCheck.integer(threads, "--threads", in: 1...1024)
    try OptionCheck.integer(repetitions, "--repetitions", in: 1...10_000)
    try OptionCheck.number(seconds, "--seconds", above: 0, atMost: 3600)
  }

  func run() throws {
    setBenchThreads(threads)
    let model = try EfficientNetLite(checkpoint: try ModelCache().path(of: "efficientnet"))
    let input = benchTensor([batch, 3, size, size], seed: 16)
    let timer = BenchTimer(warmups: 1, repetitions: repetitions, minimumSeconds: seconds)
    let perCall = Autograd.inferenceMode {
      timer.secondsPerCall { model.logits(input).data[0] }
    }
    let result: [String: Any] = [
      "model": "efficientnet-lite0", "batch": batch, "size": size, "threads": threads,
      "seconds_per_batch": perCall, "images_per_second": Double(batch) / perCall,
    ]
    let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
    print(String(decoding: json, as: UTF8.self))
  }
}
