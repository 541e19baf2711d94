import Foundation
import RadClinical
import RadModelFiles
import RadReports
import Testing

/// The checker on real reports: the first 1,000 train-split IU reports with findings and
/// impression (read in place from `radlm fetch iu-reports`), each checked untouched and with one
/// injected error per kind. The floors and ceilings are the figures reached (docs/report-checks.md),
/// rounded down (recall) or up (false alarms) to the percent.
@Suite("Report checks on the Indiana University reports")
struct IUCheckEvaluationTests {
  static let expected: [ReportIssueKind: (recall: Double, falseAlarms: Double)] = [
    .lateralityConflict: (0.96, 0.01), .unsupportedClaim: (0.89, 0.02), .missedCritical: (0.99, 0.01),
    .negationConflict: (0.97, 0.01), .numberMismatch: (1.0, 0.01), .sexMismatch: (1.0, 0.0),
    .repeatedWord: (1.0, 0.01),
  ]

  @Test func recallAndFalseAlarmsPerKind() throws {
    let path: String
    do { path = try ModelCache().path(of: "iu-reports").path } catch {
      Issue.record("the IU reports are needed (radlm fetch iu-reports): \(error)")
      return
    }
    let collection = try IUReportCollection.load(from: path)
    let kinds = ReportIssueKind.allCases.filter { $0 != .perplexityOutlier }
    let result = try CheckEvaluation.run(
      collection: collection, split: .train, limit: 1000, checker: ReportChecker(), kinds: kinds)
    #expect(result.reports == 1000)
    for row in result.kinds {
      guard let bound = Self.expected[row.kind] else {
        Issue.record("no expectation for \(row.kind)")
        continue
      }
      #expect(row.injected >= 500, "\(row.kind): \(row.injected) injected")
      #expect(row.recall >= bound.recall, "\(row.kind) recall \(row.recall)")
      #expect(row.falseAlarmRate <= bound.falseAlarms, "\(row.kind) false alarms \(row.falseAlarmRate)")
    }
  }
}
