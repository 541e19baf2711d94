import Foundation
import Testing

@testable import RadReports

/// The section parser on real text: each fetched IU report is written out as a free-text report
/// (at run time, never stored) with one of several heading styles, and parsed back. Requires
/// `radlm fetch iu-reports`.
@Suite struct SectionRoundTripTests {
  static let styles: [@Sendable (String) -> String] = [
    { "\($0):" }, { "\($0.capitalized):" }, { "\($0) -" }, { "**\($0.capitalized):**" }, { "\($0)\n" },
  ]
  static let synonyms: [String: [String]] = [
    "COMPARISON": ["COMPARISON", "PRIOR STUDIES", "COMPARISON STUDY"],
    "INDICATION": ["INDICATION", "CLINICAL HISTORY", "REASON FOR EXAM", "HISTORY"],
    "FINDINGS": ["FINDINGS", "FINDINGS", "FINDING"],
    "IMPRESSION": ["IMPRESSION", "CONCLUSION", "SUMMARY"],
  ]
  static let kinds: [String: ReportSectionKind] = [
    "COMPARISON": .comparison, "INDICATION": .indication, "FINDINGS": .findings, "IMPRESSION": .impression,
  ]

  @Test func iuReportsWrittenAsFreeTextParseBack() throws {
    let collection = try TestSupport.realCollection()
    let parser = ReportSectionParser()
    var exact = 0
    var total = 0
    for report in collection.reports where !report.sections.isEmpty {
      var random = DeidRandom(seed: 2, document: String(report.number))
      let style = Self.styles[random.below(Self.styles.count)]
      var text = "CHEST X-RAY, 2 VIEWS\n\n"
      var expected: [(ReportSectionKind, String)] = [(.preamble, "CHEST X-RAY, 2 VIEWS")]
      for section in report.sections {
        guard let kind = Self.kinds[section.label], let names = Self.synonyms[section.label] else { continue }
        text += style(random.pick(names)) + " " + section.text + "\n\n"
        expected.append((kind, section.text.trimmingCharacters(in: .whitespacesAndNewlines)))
      }
      let parsed = parser.parse(text)
      total += 1
      if parsed.sections.map(\.kind) == expected.map(\.0) && parsed.sections.map(\.text) == expected.map(\.1) {
        exact += 1
      }
    }
    #expect(total > 3900)
    let rate = Double(exact) / Double(total)
    print("section round trip on IU reports: \(exact) / \(total) exact")
    #expect(rate >= 0.99, "exact section round trips: \(exact) / \(total)")
  }
}
