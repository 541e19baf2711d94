import ArgumentParser
import Foundation
import RadClinical
import RadModelFiles
import RadReports

/// `radlm eval mesh`: the CheXpert-style labeler against the IU collection's MeSH major terms.
struct EvalMeSHCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mesh",
    abstract: "Agreement of the CheXpert-style labeler with the IU reports' MeSH major terms, per observation.",
    discussion: """
      Maps each report's MeSH major terms to the 14 CheXpert observations (table in \
      docs/reports-labels.md), labels FINDINGS + IMPRESSION with the rule-based labeler (positive or \
      uncertain counts as positive) and prints precision, recall and F1 per observation over the \
      reports of --split that have MeSH terms. Reads the collection in place.
      """)

  @Option(help: "The collection: the .tgz or a folder of .xml files (default: the fetched iu-reports).")
  var reports: String?
  @Option(help: "Split: train, validation or test.") var split: IUSplit = .test
  @Flag(help: "Print one JSON object.") var json = false

  func validate() throws {
    if let reports, !FileManager.default.fileExists(atPath: reports) {
      throw ValidationError("--reports \(reports): no such file or folder")
    }
  }

  func run() throws {
    let path = try reports ?? ModelCache().path(of: "iu-reports").path
    let agreement = MeSHAgreement.iuLabeler(collection: try IUReportCollection.load(from: path), split: split)
    print(json ? agreement.json : "reports: \(agreement.reports)\n" + agreement.table)
  }
}
