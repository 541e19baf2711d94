import Foundation

/// One report handed to a command: an id and its text. Commands read either plain text (the whole
/// input is one report, id "1") or JSON Lines of `{"id","text"}` objects (detected by a first
/// non-blank character `{`); an id may be a string or a number.
public struct ReportInput: Sendable, Equatable {
  public let id: String
  public let text: String
  /// The input line it came from (1 for plain text).
  public let line: Int
  /// Whether it came from JSON Lines (false: the whole input was one plain-text report).
  public let fromJSONLines: Bool

  public init(id: String, text: String, line: Int, fromJSONLines: Bool = true) {
    self.id = id
    self.text = text
    self.line = line
    self.fromJSONLines = fromJSONLines
  }

  /// Reads `bytes` (from `file`, named in errors).
  public static func read(_ bytes: Data, file: String) throws -> [ReportInput] {
    guard let string = String(data: bytes, encoding: .utf8) else {
      throw ReportInputError(file: file, line: 1, reason: "not UTF-8 text")
    }
    let firstNonBlank = string.unicodeScalars.first { !$0.properties.isWhitespace }
    guard firstNonBlank == "{" else { return [ReportInput(id: "1", text: string, line: 1, fromJSONLines: false)] }
    var inputs: [ReportInput] = []
    var seen: Set<String> = []
    for (offset, rawLine) in string.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let lineNumber = offset + 1
      let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
      if line.isEmpty { continue }
      let object: [String: Any]
      do {
        guard let parsed = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
          throw ReportInputError(file: file, line: lineNumber, reason: "expected a JSON object {\"id\",\"text\"}")
        }
        object = parsed
      } catch let error as ReportInputError {
        throw error
      } catch {
        throw ReportInputError(file: file, line: lineNumber, reason: "not valid JSON")
      }
      guard let text = object["text"] as? String else {
        throw ReportInputError(file: file, line: lineNumber, reason: "missing string field \"text\"")
      }
      let id: String
      switch object["id"] {
      case let value as String: id = value
      case let value as Int: id = String(value)
      case nil: id = String(lineNumber)
      default: throw ReportInputError(file: file, line: lineNumber, reason: "\"id\" must be a string or a whole number")
      }
      guard seen.insert(id).inserted else {
        throw ReportInputError(file: file, line: lineNumber, reason: "id \"\(id)\" appears twice")
      }
      inputs.append(ReportInput(id: id, text: text, line: lineNumber))
    }
    return inputs
  }

  /// Reads `path`, or standard input when `path` is `-`.
  public static func read(path: String) throws -> [ReportInput] {
    if path == "-" { return try read(FileHandle.standardInput.readDataToEndOfFile(), file: "<stdin>") }
    do {
      return try read(try Data(contentsOf: URL(fileURLWithPath: path)), file: path)
    } catch let error as ReportInputError {
      throw error
    } catch {
      throw ReportInputError(file: path, line: 0, reason: "cannot read: \(error.localizedDescription)")
    }
  }
}

/// Bad command input, naming the file and line.
public struct ReportInputError: Error, CustomStringConvertible, Equatable, Sendable {
  public let file: String
  public let line: Int
  public let reason: String

  public var description: String { line > 0 ? "\(file):\(line): \(reason)" : "\(file): \(reason)" }
}
