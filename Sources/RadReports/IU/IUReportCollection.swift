import Foundation

/// The Indiana University chest X-ray reports as a data set: every report of a folder of XML files
/// or of the collection's `.tgz` (as `radlm fetch iu-reports` stores it), sorted by report number,
/// with the fixed split and the findings→impression pairs that tasks train and score on.
public struct IUReportCollection: Sendable {
  /// The reports, by ascending report number.
  public let reports: [IUReport]
  /// Where they were read from.
  public let source: String

  /// A collection of already-read reports (sorted here by number); duplicate numbers are refused.
  public init(reports: [IUReport], source: String) throws {
    let sorted = reports.sorted { $0.number < $1.number }
    for (previous, next) in zip(sorted, sorted.dropFirst()) where previous.number == next.number {
      throw IUReportError.duplicateReportNumber(next.number, files: [previous.source, next.source])
    }
    self.reports = sorted
    self.source = source
  }

  /// Reads every `.xml` file of `path`: a folder (searched recursively) or a gzip-compressed tar
  /// archive such as the fetched `NLMCXR_reports.tgz`.
  public static func load(from path: String) throws -> IUReportCollection {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
      throw IUReportError.unreadable(path: path, reason: "no such file or folder")
    }
    let files = isFolder.boolValue ? try xmlFiles(inFolder: path) : try IUReportArchive.xmlFiles(inArchive: path)
    guard !files.isEmpty else { throw IUReportError.noReports(path: path) }
    let reports = try files.map { try IUReportXML.parse($0.bytes, file: $0.name) }
    return try IUReportCollection(reports: reports, source: path)
  }

  /// The reports of one split.
  public func reports(in split: IUSplit) -> [IUReport] { reports.filter { $0.split == split } }

  /// Findings→impression pairs of a split (all splits when nil), by report number; reports lacking
  /// either section are left out (they are counted in `statistics`).
  public func findingsImpressionPairs(split: IUSplit? = nil) -> [IUFindingsImpressionPair] {
    reports.compactMap { report in
      guard split == nil || report.split == split, let findings = report.findings,
        let impression = report.impression
      else { return nil }
      return IUFindingsImpressionPair(number: report.number, findings: findings, impression: impression)
    }
  }

  /// Counts per split: reports, those without findings, without impression, and usable pairs.
  public var statistics: IUCollectionStatistics {
    var rows: [IUSplit: IUSplitCounts] = [:]
    for split in IUSplit.allCases { rows[split] = IUSplitCounts() }
    for report in reports {
      rows[report.split]?.add(report)
    }
    return IUCollectionStatistics(
      train: rows[.train] ?? IUSplitCounts(), validation: rows[.validation] ?? IUSplitCounts(),
      test: rows[.test] ?? IUSplitCounts())
  }

  private static func xmlFiles(inFolder path: String) throws -> [(name: String, bytes: Data)] {
    let root = URL(fileURLWithPath: path, isDirectory: true)
    guard let walker = FileManager.default.enumerator(atPath: path) else {
      throw IUReportError.unreadable(path: path, reason: "cannot list the folder")
    }
    var names: [String] = []
    while let relative = walker.nextObject() as? String {
      if relative.lowercased().hasSuffix(".xml") { names.append(relative) }
    }
    return try names.sorted().map { relative in
      let url = root.appendingPathComponent(relative)
      do {
        return (url.path, try Data(contentsOf: url))
      } catch {
        throw IUReportError.unreadable(path: url.path, reason: "cannot read: \(error.localizedDescription)")
      }
    }
  }
}

/// The two sections a findings→impression task uses, with the report number they came from.
public struct IUFindingsImpressionPair: Sendable, Equatable, Codable {
  public let number: Int
  public let findings: String
  public let impression: String
}

/// How many reports a split has, how many lack findings or impression, and how many pairs remain.
public struct IUSplitCounts: Sendable, Equatable, Codable {
  public var reports = 0
  public var withoutFindings = 0
  public var withoutImpression = 0
  /// Reports with both findings and impression (the findings→impression pairs).
  public var pairs = 0

  public init(reports: Int = 0, withoutFindings: Int = 0, withoutImpression: Int = 0, pairs: Int = 0) {
    self.reports = reports
    self.withoutFindings = withoutFindings
    self.withoutImpression = withoutImpression
    self.pairs = pairs
  }

  mutating func add(_ report: IUReport) {
    reports += 1
    if report.findings == nil { withoutFindings += 1 }
    if report.impression == nil { withoutImpression += 1 }
    if report.findings != nil && report.impression != nil { pairs += 1 }
  }

  enum CodingKeys: String, CodingKey {
    case reports
    case withoutFindings = "without_findings"
    case withoutImpression = "without_impression"
    case pairs
  }
}

/// The counts of every split and their total.
public struct IUCollectionStatistics: Sendable, Equatable, Codable {
  public let train: IUSplitCounts
  public let validation: IUSplitCounts
  public let test: IUSplitCounts

  /// The counts of `split`.
  public func counts(_ split: IUSplit) -> IUSplitCounts {
    switch split {
    case .train: return train
    case .validation: return validation
    case .test: return test
    }
  }

  /// All splits together.
  public var total: IUSplitCounts {
    IUSplitCounts(
      reports: train.reports + validation.reports + test.reports,
      withoutFindings: train.withoutFindings + validation.withoutFindings + test.withoutFindings,
      withoutImpression: train.withoutImpression + validation.withoutImpression + test.withoutImpression,
      pairs: train.pairs + validation.pairs + test.pairs)
  }
}
