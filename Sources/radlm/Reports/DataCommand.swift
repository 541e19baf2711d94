import ArgumentParser
import Foundation
import RadReports
import RadModelFiles

/// `radlm data`: looks at the data sets RadLM reads (the Indiana University reports so far).
struct DataCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "data",
    abstract: "Inspect the data sets RadLM reads and make synthetic ones.",
    subcommands: [IUStatsCommand.self, SynthCXRCommand.self]
  )
}

/// `radlm data iu-stats`: reports per split of the IU collection, how many lack findings or
/// impression, and how many findings→impression pairs remain.
struct IUStatsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "iu-stats",
    abstract: "Count the Indiana University reports per split (number % 10: 0 test, 1 validation, else train).",
    discussion: "Reads the fetched NLMCXR_reports.tgz (`radlm fetch iu-reports`) or a folder of its XML files."
  )

  @Option(help: "The collection: the .tgz or a folder of .xml files (default: the fetched iu-reports).")
  var reports: String?

  @Flag(help: "Print {\"source\",\"train\",\"validation\",\"test\",\"total\"} as JSON.")
  var json = false

  func validate() throws {
    if let reports, reports.isEmpty { throw ValidationError("--reports must name a file or folder") }
  }

  func run() throws {
    let path = try reports ?? ModelCache().path(of: "iu-reports").path
    let collection = try IUReportCollection.load(from: path)
    print(try IUStatsCommand.render(collection.statistics, source: path, json: json))
  }

  static func render(_ statistics: IUCollectionStatistics, source: String, json: Bool) throws -> String {
    if json {
      struct Output: Encodable {
        let source: String
        let train, validation, test, total: IUSplitCounts
      }
      let output = Output(
        source: source, train: statistics.train, validation: statistics.validation, test: statistics.test,
        total: statistics.total)
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
      return String(decoding: try encoder.encode(output), as: UTF8.self)
    }
    var lines = ["split       reports  without_findings  without_impression  pairs"]
    let rows = IUSplit.allCases.map { ($0.rawValue, statistics.counts($0)) } + [("total", statistics.total)]
    for (name, counts) in rows {
      lines.append(
        name.padding(toLength: 10, withPad: " ", startingAt: 0)
          + String(
            format: "%9d %17d %19d %6d", counts.reports, counts.withoutFindings, counts.withoutImpression,
            counts.pairs))
    }
    return lines.joined(separator: "\n")
  }
}
