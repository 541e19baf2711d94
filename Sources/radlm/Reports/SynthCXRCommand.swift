import ArgumentParser
import Foundation
import RadSyntheticCXR

/// `radlm data synth-cxr`: writes the synthetic radiology-like data set with exact ground truth
/// (images, lesion masks, prior studies, annotations.jsonl, priors.jsonl).
struct SynthCXRCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "synth-cxr",
    abstract: "Write synthetic chest radiographs with exact ground truth (reports, questions, lesion masks, priors).",
    discussion: "Layout and rules: docs/multimodal.md. Case number % 10: 0 test, 1 validation, else train."
  )

  @Option(help: "Number of cases (each a current and a prior image).") var n: Int
  @Option(help: "Seed; the same seed writes the same files.") var seed: UInt64 = 0
  @Option(help: "Image side in pixels: 64 or 128.") var size: Int = 64
  @Option(help: "Output folder (created).") var out: String
  @Flag(help: "Print {\"images\",\"lesions\",\"effusions\",\"directory\"} as JSON.") var json = false

  func validate() throws {
    try OptionCheck.count(n, "--n")
    try OptionCheck.integer(n, "--n", in: 1...1_000_000)
    if size != 64 && size != 128 { throw ValidationError("--size must be 64 or 128 (got \(size))") }
    if out.isEmpty { throw ValidationError("--out must name a folder") }
  }

  func run() throws {
    let summary = try SyntheticChestDataset.write(
      count: n, seed: seed, size: size, to: URL(fileURLWithPath: out)
    ) { done in
      if done % 100 == 0 || done == n { FileHandle.standardError.write(Data("\r\(done)/\(n) cases".utf8)) }
    }
    FileHandle.standardError.write(Data("\n".utf8))
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = .withoutEscapingSlashes
      print(
        "{\"images\":\(summary.images),\"lesions\":\(summary.lesions),\"effusions\":\(summary.effusions),"
          + "\"directory\":\(String(decoding: try encoder.encode(summary.directory), as: UTF8.self))}")
    } else {
      print("wrote \(summary.images) cases (\(summary.lesions) lesions, \(summary.effusions) effusions) to \(out)")
    }
  }
}
