import Foundation

/// Errors reading evaluation inputs; each names the file and, where it applies, the line.
public enum EvalInputError: Error, Equatable, Sendable, CustomStringConvertible {
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
    return try data.withUnsafeBytes { raw -> [String] in
      let bytes = raw.bindMemory(to: UInt8.self)
      var lines: [String] = []
      var start = 0
      func add(_ end: Int) throws {
        var e = end
        if e > start && bytes[e - 1] == 0x0D { e -= 1 }  // CRLF
        let slice = UnsafeBufferPointer(rebasing: bytes[start..<e])
        guard let line = String(validating: slice, as: UTF8.self) else {
          throw EvalInputError.unreadable(file: path, reason: "line \(lines.count + 1) is not UTF-8")
        }
        lines.append(line)
      }
      for i in 0..<bytes.count where bytes[i] == 0x0A {
        try add(i)
        start = i + 1
      }
      if start < bytes.count { try add(bytes.count) }  // no final newline
      return lines
    }
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

  /// One JSON Lines record; decoding errors become `EvalInputError`s with the line number.
  private struct Record: Decodable {
    var pair: TextPair
    enum Key: String, CodingKey { case reference, references, hypothesis }
    struct Problem: Error { let error: @Sendable (String, Int) -> EvalInputError }

    init(from decoder: Decoder) throws {
      let c: KeyedDecodingContainer<Key>
      do { c = try decoder.container(keyedBy: Key.self) } catch {
        throw Problem { .invalidJSON(file: $0, line: $1, reason: "expected an object") }
      }
      func string(_ key: Key) throws -> String? {
        do { return try c.decodeIfPresent(String.self, forKey: key) } catch {
          throw Problem { .wrongType(file: $0, line: $1, field: key.rawValue, expected: "a string") }
        }
      }
      guard let hypothesis = try string(.hypothesis) else {
        throw Problem { .missingField(file: $0, line: $1, field: "hypothesis") }
      }
      if c.contains(.references) {
        let refs: [String]?
        do { refs = try c.decodeIfPresent([String].self, forKey: .references) } catch { refs = nil }
        guard let refs, !refs.isEmpty else {
          throw Problem {
            .wrongType(file: $0, line: $1, field: "references", expected: "a non-empty array of strings")
          }
        }
        pair = TextPair(references: refs, hypothesis: hypothesis)
      } else if let ref = try string(.reference) {
        pair = TextPair(reference: ref, hypothesis: hypothesis)
      } else {
        throw Problem { .missingField(file: $0, line: $1, field: "reference") }
      }
    }
  }

  /// `--pairs F.jsonl`.
  public static func readJSONL(_ path: String) throws -> [TextPair] {
    let lines = try readLines(path)
    // Lines decode independently, so they are decoded on all cores; the first error in line
    // order is reported.
    let numbered = lines.enumerated().map { ($0.offset + 1, $0.element) }
    let decoded = parallelMap(numbered, minimumPerChunk: 256) { item -> Result<TextPair?, EvalInputError> in
      let (number, line) = item
      if line.unicodeScalars.allSatisfy({ PythonText.isWhitespace($0.value) }) { return .success(nil) }
      do {
        return .success(try JSONDecoder().decode(Record.self, from: Data(line.utf8)).pair)
      } catch let p as Record.Problem {
        return .failure(p.error(path, number))
      } catch {
        return .failure(.invalidJSON(file: path, line: number, reason: "not a JSON value"))
      }
    }
    var pairs: [TextPair] = []
    pairs.reserveCapacity(decoded.count)
    for r in decoded {
      if let pair = try r.get() { pairs.append(pair) }
    }
    guard !pairs.isEmpty else { throw EvalInputError.noPairs(file: path) }
    return pairs
  }
}
