import Foundation
import RadModelFiles

/// Builds a review sheet from files: a folder of predictions (`NAME.jsonl`, lines `{"id","impression"}`,
/// one file per variant), the reference JSONL (`{"id","findings","impression"}`) and optionally a
/// folder of consistency-checker results (`NAME.jsonl`, lines `{"id","issues":[{"kind",…}]}`).
/// Studies are the reference's, in its order; a prediction for an unknown id is an error.
public enum ReviewExport {
  public static func sheet(predictions: URL, reference: URL, checks: URL? = nil, limit: Int? = nil) throws
    -> ReviewSheet
  {
    let references = try JSONLines.objects(reference)
    var items: [ReviewItem] = []
    var index: [String: Int] = [:]
    for (line, object) in references {
      let id = try JSONLines.id(object, file: reference.path, line: line)
      guard let findings = object["findings"] as? String, let impression = object["impression"] as? String else {
        throw ReviewError.malformed(
          file: reference.path, line: line, reason: "needs string fields \"findings\" and \"impression\"")
      }
      if index[id] != nil {
        throw ReviewError.malformed(file: reference.path, line: line, reason: "id \(id) appears twice")
      }
      index[id] = items.count
      items.append(ReviewItem(id: id, findings: findings, reference: impression, outputs: [:]))
    }
    let files = try JSONLines.files(in: predictions)
    guard !files.isEmpty else {
      throw ReviewError.nothingToReview(reason: "\(predictions.path): no NAME.jsonl prediction files")
    }
    var variants: [String] = []
    for file in files {
      let variant = file.deletingPathExtension().lastPathComponent
      variants.append(variant)
      for (line, object) in try JSONLines.objects(file) {
        let id = try JSONLines.id(object, file: file.path, line: line)
        guard let impression = object["impression"] as? String else {
          throw ReviewError.malformed(file: file.path, line: line, reason: "needs a string field \"impression\"")
        }
        guard let row = index[id] else {
          throw ReviewError.malformed(file: file.path, line: line, reason: "id \(id) is not in \(reference.path)")
        }
        items[row].outputs[variant] = impression
      }
      let checkFile = checks?.appendingPathComponent(file.lastPathComponent)
      if let checkFile, FileManager.default.fileExists(atPath: checkFile.path) {
        for (line, object) in try JSONLines.objects(checkFile) {
          let id = try JSONLines.id(object, file: checkFile.path, line: line)
          guard let issues = object["issues"] as? [[String: Any]] else {
            throw ReviewError.malformed(file: checkFile.path, line: line, reason: "needs an array field \"issues\"")
          }
          if let row = index[id] { items[row].flags[variant] = issues.map { Self.describe($0) } }
        }
      }
    }
    // Only studies some variant answered are worth a reviewer's time.
    items = items.filter { !$0.outputs.isEmpty }
    if let limit { items = Array(items.prefix(limit)) }
    guard !items.isEmpty else {
      throw ReviewError.nothingToReview(reason: "no prediction id matches \(reference.path)")
    }
    return ReviewSheet(variants: variants, items: items)
  }

  static func describe(_ issue: [String: Any]) -> String {
    let kind = (issue["kind"] as? String ?? "issue").replacingOccurrences(of: "_", with: " ")
    if let message = issue["message"] as? String, !message.isEmpty { return "\(kind): \(message)" }
    return kind
  }

  /// Writes `review.csv` and `review.html` into `folder` (created if needed), each atomically.
  @discardableResult
  public static func write(_ sheet: ReviewSheet, to folder: URL) throws -> (csv: URL, html: URL) {
    do {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    } catch {
      throw ReviewError.unreadable(file: folder.path, reason: "cannot create the folder: \(error.localizedDescription)")
    }
    let csv = folder.appendingPathComponent("review.csv")
    let html = folder.appendingPathComponent("review.html")
    try AtomicFile.write(Array(sheet.csv().utf8), to: csv)
    try AtomicFile.write(Array(sheet.html().utf8), to: html)
    return (csv, html)
  }
}

/// Small JSON Lines helpers shared by the clinical readers: every line an object, ids as text.
enum JSONLines {
  static func objects(_ url: URL) throws -> [(line: Int, object: [String: Any])] {
    guard let data = FileManager.default.contents(atPath: url.path) else {
      throw ReviewError.unreadable(file: url.path, reason: "no such file or not readable")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw ReviewError.unreadable(file: url.path, reason: "not UTF-8 text")
    }
    var rows: [(Int, [String: Any])] = []
    for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
      if trimmed.isEmpty { continue }
      guard let object = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any] else {
        throw ReviewError.malformed(file: url.path, line: number + 1, reason: "not a JSON object")
      }
      rows.append((number + 1, object))
    }
    return rows
  }

  /// `id` as text: a JSON string, or an integer written without a fraction.
  static func id(_ object: [String: Any], file: String, line: Int) throws -> String {
    if let text = object["id"] as? String { return text }
    if let number = object["id"] as? NSNumber {
      let value = number.doubleValue
      if value.rounded() == value && abs(value) < 1e15 { return String(Int64(value)) }
    }
    throw ReviewError.malformed(file: file, line: line, reason: "needs an \"id\" (string or integer)")
  }

  /// The `.jsonl` files of a folder, sorted by name.
  static func files(in folder: URL) throws -> [URL] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else {
      throw ReviewError.unreadable(file: folder.path, reason: "not a readable folder")
    }
    return names.filter { $0.hasSuffix(".jsonl") }.sorted().map { folder.appendingPathComponent($0) }
  }
}
