import Foundation

/// Errors reading evaluation inputs; each names the file and, where it applies, the line.
public enum EvalInputError: Error, Equatable, CustomStringConvertible {
  case unreadable(file: String, reason: String)
  case invalidJSON(file: String, line: Int, reason: String)
  case missingField(file: String, line: Int, field: String)
  case wrongType(file: String, line: Int, field: String, expected: String)
  case lineCountMismatch(referencesFile: String, references: Int, hypothesesFile: String, hypotheses: Int)
  case noPairs(file: String)
  case invalidValue(file: String, line: Int, value: String, expected: String)

  public var description: String {
    switch self {
    case .unreadable(let f, let r): return "\(f): cannot read (\(r))"
    case .invalidJSON(let f, let l, let r): return "\(f):\(l): invalid JSON (\(r))"
    case .missingField(let f, let l, let field): return "\(f):\(l): missing field \"\(field)\""
    case .wrongType(let f, let l, let field, let e): return "\(f):\(l): field \"\(field)\" must be \(e)"
    case .lineCountMismatch(let rf, let r, let hf, let h):
      return "\(rf) has \(r) lines but \(hf) has \(h); they must pair line by line"
    case .noPairs(let f): return "\(f): no pairs"
    case .invalidValue(let f, let l, let v, let e): return "\(f):\(l): \"\(v)\" is not \(e)"
    }
  }
}

/// Reads reference/hypothesis pairs for the text metrics.
///
/// Two layouts: a JSON Lines file with one `{"reference": …, "hypothesis": …}` object per line
/// (`"references": […]` for several references; blank lines are skipped), or two plain-text
/// files with one text per line, paired by line number (a final newline does not add a line).
/// Empty texts are allowed: an empty hypothesis scores 0.
public enum TextPairsReader {
  public static func readLines(_ path: String) throws -> [String] {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw EvalInputError.unreadable(file: path, reason: (error as NSError).localizedDescription)
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw EvalInputError.unreadable(file: path, reason: "not UTF-8")
    }
    var lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map {
      var s = String(String.UnicodeScalarView($0))
      if s.unicodeScalars.last == "\r" { s.unicodeScalars.removeLast() }
      return s
    }
    if lines.last == "" { lines.removeLast() }
    return lines
  }

  /// `--refs F --hyps F`.
  public static func readParallel(references: String, hypotheses: String) throws -> [TextPair] {
    let r = try readLines(references)
    let h = try readLines(hypotheses)
    guard r.count == h.count else {
      throw EvalInputError.lineCountMismatch(
        referencesFile: references, references: r.count, hypothesesFile: hypotheses, hypotheses: h.count)
    }
    guard !r.isEmpty else { throw EvalInputError.noPairs(file: references) }
    return zip(r, h).map { TextPair(reference: $0, hypothesis: $1) }
  }

  /// `--pairs F.jsonl`.
  public static func readJSONL(_ path: String) throws -> [TextPair] {
    var pairs: [TextPair] = []
    for (i, line) in try readLines(path).enumerated() {
      let number = i + 1
      if line.unicodeScalars.allSatisfy({ PythonText.isWhitespace($0.value) }) { continue }
      let object: Any
      do {
        object = try JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed])
      } catch {
        throw EvalInputError.invalidJSON(file: path, line: number, reason: "not a JSON value")
      }
      guard let dict = object as? [String: Any] else {
        throw EvalInputError.invalidJSON(file: path, line: number, reason: "expected an object")
      }
      guard let hypValue = dict["hypothesis"] else {
        throw EvalInputError.missingField(file: path, line: number, field: "hypothesis")
      }
      guard let hypothesis = hypValue as? String else {
        throw EvalInputError.wrongType(file: path, line: number, field: "hypothesis", expected: "a string")
      }
      if let many = dict["references"] {
        guard let refs = many as? [Any], !refs.isEmpty, refs.allSatisfy({ $0 is String }) else {
          throw EvalInputError.wrongType(
            file: path, line: number, field: "references", expected: "a non-empty array of strings")
        }
        pairs.append(TextPair(references: refs.compactMap { $0 as? String }, hypothesis: hypothesis))
      } else if let one = dict["reference"] {
        guard let ref = one as? String else {
          throw EvalInputError.wrongType(file: path, line: number, field: "reference", expected: "a string")
        }
        pairs.append(TextPair(reference: ref, hypothesis: hypothesis))
      } else {
        throw EvalInputError.missingField(file: path, line: number, field: "reference")
      }
    }
    guard !pairs.isEmpty else { throw EvalInputError.noPairs(file: path) }
    return pairs
  }
}
