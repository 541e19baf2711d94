import Foundation

/// Why an IU report file or collection could not be read; every case names the file.
public enum IUReportError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The file is not well-formed XML (line and column as the parser reports them).
  case malformedXML(file: String, line: Int, column: Int, reason: String)
  /// The file has no `<IUXRId id=…>`.
  case missingReportNumber(file: String)
  /// The `<IUXRId>` id is not a whole number.
  case invalidReportNumber(file: String, value: String)
  /// Two files carry the same report number.
  case duplicateReportNumber(Int, files: [String])
  /// The path cannot be read (missing, not a folder or archive, unreadable).
  case unreadable(path: String, reason: String)
  /// The folder or archive holds no `.xml` files.
  case noReports(path: String)

  public var description: String {
    switch self {
    case .malformedXML(let file, let line, let column, let reason):
      return "\(file):\(line):\(column): malformed XML: \(reason)"
    case .missingReportNumber(let file):
      return "\(file): no <IUXRId id=...> element (not an IU report?)"
    case .invalidReportNumber(let file, let value):
      return "\(file): <IUXRId id=\"\(value)\"> is not a whole number"
    case .duplicateReportNumber(let number, let files):
      return "report number \(number) appears in more than one file: \(files.joined(separator: ", "))"
    case .unreadable(let path, let reason):
      return "\(path): \(reason)"
    case .noReports(let path):
      return "\(path): no .xml report files found"
    }
  }
}
