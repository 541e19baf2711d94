import Foundation
import RadReports

/// Reads Indiana University chest X-ray reports into documents: a folder of report XML files, one
/// such file, or the collection's `.tgz` as `radlm fetch iu-reports` stores it (read in place
/// through `IUReportCollection`). Each report is one document whose id is its report number, whose
/// text is its labelled sections in file order, and whose metadata holds the sections, the MeSH
/// terms and the fixed split, so searches can be filtered with `split=test`.
public struct IUReportDocumentReader: DocumentFileReader {
  public init() {}

  /// Archives (`.tgz`, `.tar.gz`, `.tar`), `.xml` files, and folders that hold `.xml` files (a
  /// folder of reports is read as one collection; its other files are not indexed).
  public func accepts(path: String, isDirectory: Bool) -> Bool {
    let name = path.lowercased()
    guard isDirectory else {
      return name.hasSuffix(".tgz") || name.hasSuffix(".tar.gz") || name.hasSuffix(".tar") || name.hasSuffix(".xml")
    }
    return Self.hasXML(path)
  }

  /// Whether the folder holds an `.xml` file anywhere below it.
  static func hasXML(_ folder: String) -> Bool {
    guard let walker = FileManager.default.enumerator(atPath: folder) else { return false }
    while let relative = walker.nextObject() as? String {
      if relative.lowercased().hasSuffix(".xml") { return true }
    }
    return false
  }

  public func read(path: String, body: (SourceDocument) throws -> Void) throws {
    let reports: [IUReport]
    do {
      if path.lowercased().hasSuffix(".xml") {
        guard let bytes = FileManager.default.contents(atPath: path) else {
          throw RetrievalError.badInput(file: path, line: nil, reason: "cannot be read")
        }
        reports = [try IUReportXML.parse(bytes, file: path)]
      } else {
        reports = try IUReportCollection.load(from: path).reports
      }
    } catch let error as IUReportError {
      throw RetrievalError.badInput(file: path, line: nil, reason: "not readable as IU reports: \(error)")
    }
    for report in reports {
      // A report without any section text has nothing to search (the collection has a few).
      guard let document = Self.document(report) else { continue }
      try body(document)
    }
  }

  /// The document of one report, or nil when it has no section text.
  public static func document(_ report: IUReport) -> SourceDocument? {
    guard !report.sections.isEmpty else { return nil }
    let text = report.sections.map { "\($0.label.uppercased()): \($0.text)" }.joined(separator: "\n")
    var metadata: [String: Any] = [
      "format": "iu-report", "report": report.number, "split": report.split.rawValue,
      "mesh_major": report.meshMajor, "mesh_minor": report.meshMinor, "images": report.imageIDs.count,
    ]
    for section in report.sections where metadata[section.label.lowercased()] == nil {
      metadata[section.label.lowercased()] = section.text
    }
    return SourceDocument(
      id: String(report.number), text: text, metadataJSON: SourceDocument.json(metadata), source: report.source)
  }
}
