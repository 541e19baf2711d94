import Foundation

/// One report of the Indiana University chest X-ray collection as its XML file gives it: the
/// report number (`<IUXRId id=…>`), the labelled sections in file order with their text exactly as
/// written (the collection's own `XXXX` redactions included), the MeSH terms and the image ids.
/// Sections whose text is empty or only white space are left out, so a missing section and an
/// empty one read the same.
public struct IUReport: Sendable, Equatable {
  /// The report number, the `id` of `<IUXRId>` (for example 3029); it decides the split.
  public let number: Int
  /// The labelled sections (`COMPARISON`, `INDICATION`, `FINDINGS`, `IMPRESSION`) in file order.
  public let sections: [IUReportSection]
  /// MeSH terms the collection marks `major` (for example `Cardiomegaly/mild`, `normal`).
  public let meshMajor: [String]
  /// MeSH terms marked `minor` (the published files have none, but the format allows them).
  public let meshMinor: [String]
  /// MeSH terms marked `automatic` (assigned by software, not by the annotators).
  public let meshAutomatic: [String]
  /// The ids of the report's images (`<parentImage id=…>`, for example `CXR3029_IM-1404-1001`).
  public let imageIDs: [String]
  /// The file the report came from (a path in the folder or the archive), for error messages.
  public let source: String

  public init(
    number: Int, sections: [IUReportSection], meshMajor: [String] = [], meshMinor: [String] = [],
    meshAutomatic: [String] = [], imageIDs: [String] = [], source: String = ""
  ) {
    self.number = number
    self.sections = sections
    self.meshMajor = meshMajor
    self.meshMinor = meshMinor
    self.meshAutomatic = meshAutomatic
    self.imageIDs = imageIDs
    self.source = source
  }

  /// The split the report number puts this report in.
  public var split: IUSplit { IUSplit(reportNumber: number) }

  /// The text of the section labelled `label` (compared without case), if the report has it.
  public func section(_ label: String) -> String? {
    let wanted = label.uppercased()
    return sections.first { $0.label.uppercased() == wanted }?.text
  }

  /// The COMPARISON section.
  public var comparison: String? { section("COMPARISON") }
  /// The INDICATION section.
  public var indication: String? { section("INDICATION") }
  /// The FINDINGS section.
  public var findings: String? { section("FINDINGS") }
  /// The IMPRESSION section.
  public var impression: String? { section("IMPRESSION") }
}

/// One labelled section of an IU report: the `Label` attribute of `<AbstractText>` and its text.
public struct IUReportSection: Sendable, Equatable {
  /// The label as the file spells it (`FINDINGS`).
  public let label: String
  /// The section's text exactly as in the file (entities decoded, nothing trimmed or replaced).
  public let text: String

  public init(label: String, text: String) {
    self.label = label
    self.text = text
  }
}

/// The fixed split RadLM uses everywhere for the IU collection: report number modulo 10 equal to 0
/// is test, 1 is validation, anything else train. Fixing it by number keeps every experiment's test
/// reports the same whatever order the files are read in.
public enum IUSplit: String, Sendable, CaseIterable, Codable {
  case train
  case validation
  case test

  /// The split of report `number`.
  public init(reportNumber number: Int) {
    // Swift's % keeps the dividend's sign; report numbers are positive, but stay total anyway.
    switch ((number % 10) + 10) % 10 {
    case 0: self = .test
    case 1: self = .validation
    default: self = .train
    }
  }
}
