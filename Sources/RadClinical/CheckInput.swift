import Foundation

/// Reads and writes the `radlm check` line formats: input JSON Lines
/// `{"id","findings","impression"[,"sex"]}` (sex: F/M/female/male), output
/// `{"id","issues":[{"kind","start","end","section","message"}]}` with the input's id as given.
public enum CheckInput {
  /// One input line: the id as JSON text and the report.
  public struct Line: Sendable {
    public var idJSON: String
    public var report: CheckableReport
  }

  /// Parses JSON Lines text; `source` names the file in errors (with the line number).
  public static func parse(_ text: String, source: String) throws -> [Line] {
    var lines: [Line] = []
    for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      if raw.allSatisfy(\.isWhitespace) { continue }
      func fail(_ message: String) -> CheckInputError { CheckInputError(message: "\(source):\(index + 1): \(message)") }
      guard let object = try? JSONSerialization.jsonObject(with: Data(raw.utf8)) as? [String: Any] else {
        throw fail("not a JSON object")
      }
      guard let id = object["id"], id is String || id is NSNumber,
        let idData = try? JSONSerialization.data(withJSONObject: id, options: [.fragmentsAllowed])
      else { throw fail("\"id\" must be a string or a number") }
      guard let findings = object["findings"] as? String else { throw fail("\"findings\" must be a string") }
      guard let impression = object["impression"] as? String else { throw fail("\"impression\" must be a string") }
      var sex: CheckableReport.Sex?
      if let value = object["sex"], !(value is NSNull) {
        switch (value as? String)?.lowercased() {
        case "f", "female": sex = .female
        case "m", "male": sex = .male
        default: throw fail("\"sex\" must be F, M, female or male")
        }
      }
      let idText = String(decoding: idData, as: UTF8.self)
      lines.append(Line(idJSON: idText, report: CheckableReport(id: idText, findings: findings, impression: impression, sex: sex)))
    }
    return lines
  }

  /// One output line.
  public static func outputLine(idJSON: String, issues: [ReportIssue]) -> String {
    let items = issues.map { issue -> String in
      let message = (try? JSONSerialization.data(withJSONObject: issue.message, options: [.fragmentsAllowed]))
        .map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
      return "{\"kind\":\"\(issue.kind.rawValue)\",\"start\":\(issue.start),\"end\":\(issue.end),"
        + "\"section\":\"\(issue.section.rawValue)\",\"message\":\(message)}"
    }
    return "{\"id\":\(idJSON),\"issues\":[\(items.joined(separator: ","))]}"
  }
}

/// Bad `radlm check` input: file, line and problem.
public struct CheckInputError: Error, CustomStringConvertible {
  public let message: String
  public var description: String { message }
}
