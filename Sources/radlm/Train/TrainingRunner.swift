import ArgumentParser
import Dispatch
import Foundation
import RadModelFiles
import RadModels
import RadTensor
import RadTokenizers
import RadTraining

#if canImport(Glibc)
  import Glibc
#endif

/// Runs a trainer for a command: output folder, metrics log, resume, Ctrl-C, loss curve and the
/// final save.
enum TrainingRunner {
  static func execute(
    objective: TrainingObjective, options: TrainingRunOptions, configuration: TrainingConfiguration, title: String,
    save: (URL) throws -> [String]
  ) throws {
    let output = options.outputURL
    try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
    let trainer = Trainer(objective: objective, configuration: configuration, output: output)
    if options.resume != nil { try trainer.resume() }
    let progress = TrainingProgress(
      json: options.json, quiet: options.quiet, log: try MetricsLog(url: output.appendingPathComponent("metrics.jsonl"))
    )

    signal(SIGINT, SIG_IGN)
    let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
    interrupt.setEventHandler { [flag = trainer.interrupt] in flag.set() }
    interrupt.resume()
    defer {
      interrupt.cancel()
      signal(SIGINT, SIG_DFL)
    }

    var stopped = false
    let state = try trainer.run { event in
      if case .stopped = event { stopped = true }
      progress.handle(event)
    }
    let curve = output.appendingPathComponent("loss_curve.svg")
    try AtomicFile.write(
      Array(state.lossCurveSVG(title: title).utf8), to: curve)
    progress.note("loss curve: \(curve.path)")
    if stopped {
      throw ExitCode(3)
    }
    for path in try save(output) { progress.note("saved: \(path)") }
  }

  /// Splits examples into training and validation parts.
  static func split<Example>(_ examples: [Example], fraction: Double, seed: UInt64) -> ([Example], [Example]) {
    guard examples.count > 1, fraction > 0 else { return (examples, []) }
    let (train, validation) = validationSplit(count: examples.count, fraction: fraction, seed: seed)
    return (train.map { examples[$0] }, validation.map { examples[$0] })
  }

  /// Reports skipped data lines.
  static func reportSkipped(_ reader: JSONLinesReader) {
    for error in reader.skipped { FileHandle.standardError.write(Data("skipped: \(error)\n".utf8)) }
  }

  /// Saves a full model folder (config, safetensors, tokenizer).
  static func saveModel(_ model: any TransformerModel, tokenizer: Tokenizer, to folder: URL) throws -> String {
    try WeightLoader.save(model, to: folder)
    try TokenizerJSON.save(tokenizer, path: folder.appendingPathComponent("tokenizer.json").path)
    return folder.path
  }
}
