import Foundation

/// One section of a free-text report: its kind, the heading as written and its text, with
/// offsets into the report counted in Unicode code points (Python `str` indices).
public struct ReportSection: Sendable, Equatable, Codable {
  public let kind: ReportSectionKind
  /// The heading as written (empty for the preamble).
  public let heading: String
  /// The section's text, without the heading and the white space around it.
  public let text: String
  /// Where `text` starts and ends in the report.
  public let start: Int
  public let end: Int
}

/// A report split into its sections, in order.
public struct ParsedReport: Sendable, Equatable, Codable {
  public let sections: [ReportSection]

  /// The text of the first section of `kind` (several of one kind are joined with a blank line).
  public func text(of kind: ReportSectionKind) -> String? {
    let parts = sections.filter { $0.kind == kind }.map(\.text)
    return parts.isEmpty ? nil : parts.joined(separator: "\n\n")
  }

  /// The findings, or the combined findings/impression section when there is no separate one.
  public var findings: String? { text(of: .findings) ?? text(of: .findingsAndImpression) }
  /// The impression, or the combined findings/impression section when there is no separate one.
  public var impression: String? { text(of: .impression) ?? text(of: .findingsAndImpression) }
}

/// Splits free-text radiology reports (chest X-ray, CT/MR, PET/CT) into sections. A heading is
/// one of `ReportSectionKind.headings` in any case, at the start of a line (after optional
/// bullets, numbering or `**`) and followed by a colon, a dash or the end of the line, or after a
/// sentence end in running text and followed by a colon (`… Findings: … Impression: …`).
public struct ReportSectionParser: Sendable {
  private let lineHeading: TextPattern
  private let inlineHeading: TextPattern

  public init() {
    let names = ReportSectionKind.headings.values.flatMap { $0 }.sorted { $0.count > $1.count }
    let alternation = names.map { name in
      // Heading names hold only letters, spaces, '/', '&' and '-', none special outside a class.
      name.replacingOccurrences(of: " ", with: "[ \\t]+")
        .replacingOccurrences(of: "/", with: "[ \\t]*/[ \\t]*")
    }.joined(separator: "|")
    lineHeading = TextPattern(
      "^[ \\t]*(?:[#*>•-]+[ \\t]*|\\d{1,2}[.)][ \\t]+|[A-Z][.)][ \\t]+)?(?:\\*\\*|__)?(\(alternation))(?:\\*\\*|__)?"
        + "[ \\t]*(?:\\*\\*|__)?(?::|[ \\t]-{1,2}[ \\t]|[ \\t]?[–—][ \\t]|(?=[ \\t]*$))(?:[ \\t]*(?:\\*\\*|__))?")
    inlineHeading = TextPattern("(?<=[.;!?][ \\t]{1,4}|[.;!?]\\)[ \\t]{1,4})(\(alternation))[ \\t]*:")
  }

  /// Whether every heading pattern compiled (checked by the tests).
  var patternsAreValid: Bool { lineHeading.isValid && inlineHeading.isValid }

  /// The sections of `report`; text before the first heading is the preamble (left out when blank).
  public func parse(_ report: String) -> ParsedReport {
    let text = ScalarText(report)
    var headings: [(start: Int, name: Range<Int>, end: Int)] = []
    for pattern in [lineHeading, inlineHeading] {
      for match in text.matches(pattern) {
        guard let whole = match[0], let name = match[1] else { continue }
        headings.append((whole.lowerBound, name, whole.upperBound))
      }
    }
    headings.sort { $0.start < $1.start }
    var kept: [(start: Int, name: Range<Int>, end: Int)] = []
    for heading in headings where kept.last.map({ $0.end <= heading.start }) ?? true {
      kept.append(heading)
    }
    var sections: [ReportSection] = []
    let scalars = Array(report.unicodeScalars)
    func add(_ kind: ReportSectionKind, heading: String, from start: Int, to end: Int) {
      var lower = start
      var upper = end
      while lower < upper, scalars[lower].properties.isWhitespace { lower += 1 }
      while upper > lower, scalars[upper - 1].properties.isWhitespace { upper -= 1 }
      if kind == .preamble && lower == upper { return }
      sections.append(
        ReportSection(kind: kind, heading: heading, text: text.substring(lower..<upper), start: lower, end: upper))
    }
    add(.preamble, heading: "", from: 0, to: kept.first?.start ?? scalars.count)
    for (index, heading) in kept.enumerated() {
      let name = text.substring(heading.name)
      let kind = ReportSectionKind.kind(ofHeading: name) ?? .findings
      let next = index + 1 < kept.count ? kept[index + 1].start : scalars.count
      add(kind, heading: name, from: heading.end, to: next)
    }
    return ParsedReport(sections: sections)
  }
}
