import Foundation

/// Training data arrives as JSON Lines: one JSON object per line. A malformed line is reported
/// with its file and line number; with `skipBadLines` it is skipped and counted, otherwise the
/// whole read fails, so a typo never silently shrinks a data set.
public enum TrainingDataError: Error, CustomStringConvertible, Equatable {
  case unreadable(file: String, reason: String)
  case malformedLine(file: String, line: Int, reason: String)
  case missingField(file: String, line: Int, field: String)
  case empty(file: String)
  case tooShort(file: String, tokens: Int, needed: Int)
  /// An objective was given no training examples (e.g. all held out for validation).
  case noExamples(what: String)
  /// A setting outside the range the data preparation or objective can use.
  case invalidSetting(name: String, value: String, rule: String)

  public var description: String {
    switch self {
    case .unreadable(let file, let reason): return "\(file): cannot read: \(reason)"
    case .malformedLine(let file, let line, let reason): return "\(file):\(line): \(reason)"
    case .missingField(let file, let line, let field): return "\(file):\(line): missing string field \"\(field)\""
    case .empty(let file): return "\(file): no usable examples"
    case .tooShort(let file, let tokens, let needed):
      return "\(file): only \(tokens) tokens, need at least \(needed) for one block"
    case .noExamples(let what): return "no \(what) to train on"
    case .invalidSetting(let name, let value, let rule): return "\(name) must be \(rule) (got \(value))"
    }
  }
}

/// Reads JSON Lines files into dictionaries, keeping line numbers for error messages.
public struct JSONLinesReader {
  public let skipBadLines: Bool
  /// Lines skipped because they were malformed (only with `skipBadLines`).
  public private(set) var skipped: [TrainingDataError] = []

  public init(skipBadLines: Bool = false) { self.skipBadLines = skipBadLines }

  /// Every non-blank line of `url` as (line number, object).
  public mutating func read(_ url: URL) throws -> [(line: Int, object: [String: Any])] {
    let text: String
    do {
      text = try String(contentsOf: url, encoding: .utf8)
    } catch {
      throw TrainingDataError.unreadable(
        file: url.path, reason: "not readable as UTF-8 (\(error.localizedDescription))")
    }
    var rows: [(Int, [String: Any])] = []
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
      if trimmed.isEmpty { continue }
      do {
        let object = try JSONSerialization.jsonObject(with: Data(trimmed.utf8))
        guard let dictionary = object as? [String: Any] else {
          throw TrainingDataError.malformedLine(file: url.path, line: index + 1, reason: "expected a JSON object")
        }
        rows.append((index + 1, dictionary))
      } catch let error as TrainingDataError {
        try reject(error)
      } catch {
        try reject(.malformedLine(file: url.path, line: index + 1, reason: "invalid JSON"))
      }
    }
    return rows
  }

  /// Records or throws a bad line depending on `skipBadLines`.
  public mutating func reject(_ error: TrainingDataError) throws {
    if skipBadLines { skipped.append(error) } else { throw error }
  }

  /// A required string field of a row.
  public static func string(_ row: [String: Any], _ field: String, file: String, line: Int) throws -> String {
    guard let value = row[field] as? String else {
      throw TrainingDataError.missingField(file: file, line: line, field: field)
    }
    return value
  }
}
