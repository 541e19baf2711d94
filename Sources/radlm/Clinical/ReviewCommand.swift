import ArgumentParser
import Foundation
import RadClinical

/// `radlm review`: expert-review sheets for radiologists (export) and their ratings (import).
struct ReviewCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "review",
    abstract: "Write side-by-side expert-review sheets and summarise filled ones.",
    subcommands: [ReviewExportCommand.self, ReviewImportCommand.self])
}

/// `radlm review export`: predictions + reference → review.csv and review.html.
struct ReviewExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Write review.csv (to fill in) and review.html (self-contained) side by side.",
    discussion: """
      --predictions holds one NAME.jsonl per variant with lines {"id","impression"}; --reference \
      has lines {"id","findings","impression"}; --checks (optional) holds NAME.jsonl files of \
      `radlm check` output ({"id","issues":[…]}) shown as flags. Rating columns: correctness 1-5, \
      completeness 1-5, harm 0-2.
      """)

  @Option(help: "Folder of NAME.jsonl prediction files.") var predictions: String
  @Option(help: "Reference JSONL with findings and impression.") var reference: String
  @Option(help: "Folder of consistency-checker results per variant (NAME.jsonl).") var checks: String?
  @Option(help: "Output folder.") var out: String
  @Option(help: "At most this many studies.") var limit: Int?

  func validate() throws {
    try OptionCheck.count(limit, "--limit")
    try OptionCheck.exists(predictions, "--predictions")
    try OptionCheck.exists(reference, "--reference")
    try OptionCheck.exists(checks, "--checks")
    if out.isEmpty { throw ValidationError("--out must name a folder") }
  }

  func run() throws {
    let sheet = try ReviewExport.sheet(
      predictions: URL(fileURLWithPath: predictions), reference: URL(fileURLWithPath: reference),
      checks: checks.map { URL(fileURLWithPath: $0) }, limit: limit)
    let written = try ReviewExport.write(sheet, to: URL(fileURLWithPath: out))
    print(written.csv.path)
    print(written.html.path)
  }
}

/// `radlm review import`: filled sheets → mean ratings per variant and inter-rater agreement.
struct ReviewImportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Summarise filled review sheets (one CSV per rater): mean ratings per variant, Cohen's kappa.",
    discussion: """
      Each file is one rater (named by the file name). Agreement is Cohen's kappa, unweighted and \
      linear/quadratic weighted (as scikit-learn), per criterion and pair of raters, over the \
      items both rated. --json prints {"variants":[…],"agreement":[…]}.
      """)

  @Argument(help: "Filled review.csv files, one per rater.") var files: [String]
  @Flag(help: "Print JSON.") var json = false

  func validate() throws {
    if files.isEmpty { throw ValidationError("give at least one filled review CSV") }
    try OptionCheck.exist(files, "<files>")
  }

  func run() throws {
    let summary = try ReviewImport.summarise(files.map { URL(fileURLWithPath: $0) })
    if json {
      let data = try JSONSerialization.data(withJSONObject: summary.jsonObject(), options: [.sortedKeys])
      print(String(decoding: data, as: UTF8.self))
    } else {
      print(summary.table())
    }
  }
}
