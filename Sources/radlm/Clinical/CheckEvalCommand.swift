import ArgumentParser
import Foundation
import RadClinical
import RadModelFiles
import RadReports

extension IUSplit: ExpressibleByArgument {}

extension CheckCommand {
  /// `radlm check eval`: recall and false alarms per kind on IU reports with injected errors.
  struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "eval",
      abstract:
        "Measure the checker on Indiana University reports with injected errors (recall, false alarms per kind).",
      discussion: """
        Every report of --split with findings and impression is checked untouched (a random sex \
        assigned) and once per kind with one injected error of that kind; prints recall and \
        false-alarm rate per kind (JSON with --json). The perplexity kind runs only with \
        --perplexity-model. Reads the collection in place; writes nothing.
        """)

    @Option(help: "The collection: the .tgz or a folder of .xml files (default: the fetched iu-reports).")
    var reports: String?
    @Option(help: "Split to draw reports from: train, validation or test.") var split: IUSplit = .train
    @Option(help: "Use at most this many reports.") var limit: Int?
    @Option(help: "Seed for the injected errors.") var seed: UInt64 = 2026
    @Flag(help: "Print one JSON object.") var json = false
    @OptionGroup var surprisal: SurprisalOptions

    func validate() throws {
      try OptionCheck.count(limit, "--limit")
      if let reports, !FileManager.default.fileExists(atPath: reports) {
        throw ValidationError("--reports \(reports): no such file or folder")
      }
    }

    func run() throws {
      let path = try reports ?? ModelCache().path(of: "iu-reports").path
      let collection = try IUReportCollection.load(from: path)
      let kinds = ReportIssueKind.allCases.filter { $0 != .perplexityOutlier || surprisal.perplexityModel != nil }
      let result = try CheckEvaluation.run(
        collection: collection, split: split, limit: limit, checker: try surprisal.checker(), kinds: kinds, seed: seed)
      print(json ? result.json : "reports: \(result.reports)\n" + result.table)
    }
  }
}
