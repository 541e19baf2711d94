import Foundation

/// Comma-separated values as RFC 4180 writes them and spreadsheet programs read them back:
/// fields with commas, quotes or line breaks are quoted, quotes doubled. Review sheets travel
/// through Excel or LibreOffice, so the reader also takes CRLF line ends and a UTF-8 byte-order mark.
public enum CSVTable {
  /// One record and the line of the file it starts on (1-based).
  public struct Record: Sendable, Equatable {
    public var line: Int
    public var fields: [String]
  }

  /// The text of `rows`, one record per line (LF), every line ending in a line break.
  public static func write(_ rows: [[String]]) -> String {
    var out = ""
    for row in rows {
      out += row.map(quoted).joined(separator: ",")
      out += "\n"
    }
    return out
  }

  static func quoted(_ field: String) -> String {
    guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
    return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }

  /// Parses CSV text; an unterminated quoted field is an error naming `file` and its line.
  public static func read(_ text: String, file: String) throws -> [Record] {
    var records: [Record] = []
    var fields: [String] = []
    var field = ""
    var line = 1
    var recordLine = 1
    var inQuotes = false
    var quoteLine = 1
    var fieldStarted = false
    var scalars = Array(text.unicodeScalars)
    if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
    var index = 0
    func endRecord() {
      fields.append(field)
      if !(fields.count == 1 && fields[0].isEmpty) { records.append(Record(line: recordLine, fields: fields)) }
      fields = []
      field = ""
      fieldStarted = false
    }
    while index < scalars.count {
      let scalar = scalars[index]
      if inQuotes {
        if scalar == "\"" {
          if index + 1 < scalars.count && scalars[index + 1] == "\"" {
            field.unicodeScalars.append("\"")
            index += 1
          } else {
            inQuotes = false
          }
        } else {
          if scalar == "\n" { line += 1 }
          field.unicodeScalars.append(scalar)
        }
      } else {
        switch scalar {
        case "\"" where !fieldStarted:
          inQuotes = true
          fieldStarted = true
          quoteLine = line
        case ",":
          fields.append(field)
          field = ""
          fieldStarted = false
        case "\r" where index + 1 < scalars.count && scalars[index + 1] == "\n":
          break
        case "\n":
          endRecord()
          line += 1
          recordLine = line
        default:
          field.unicodeScalars.append(scalar)
          fieldStarted = true
        }
      }
      index += 1
    }
    if inQuotes { throw ReviewError.malformed(file: file, line: quoteLine, reason: "a quoted field is never closed") }
    if fieldStarted || !fields.isEmpty || !field.isEmpty { endRecord() }
    return records
  }
}
