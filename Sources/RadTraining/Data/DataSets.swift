import Foundation
import RadTokenizers

/// Readers that turn data files into the examples each objective trains on: raw documents for
/// pretraining, prompt/completion or chat examples for supervised fine-tuning, preference pairs
/// for DPO and reward models, and labelled texts for classification.
public struct TrainingDataSets {
  public var reader: JSONLinesReader
  /// Supervised examples left out because `maxLength` cut them before their first learned token.
  public private(set) var cutBeforeCompletion = 0

  public init(skipBadLines: Bool) { reader = JSONLinesReader(skipBadLines: skipBadLines) }

  /// Documents for pretraining: each JSONL line's `fields` (one field: its text; several: rendered
  /// as "FIELD: value" lines, which suits radiology reports), or a plain-text file's paragraphs.
  public mutating func documents(files: [String], fields: [String]) throws -> [String] {
    var documents: [String] = []
    for file in files {
      let url = URL(fileURLWithPath: file)
      if file.hasSuffix(".jsonl") || file.hasSuffix(".json") {
        for row in try reader.read(url) {
          var parts: [String] = []
          for field in fields {
            guard let value = row.object[field] as? String else {
              try reader.reject(.missingField(file: file, line: row.line, field: field))
              parts = []
              break
            }
            parts.append(fields.count == 1 ? value : "\(field.uppercased()): \(value)")
          }
          if !parts.isEmpty { documents.append(parts.joined(separator: "\n")) }
        }
      } else {
        let text: String
        do {
          text = try String(contentsOf: url, encoding: .utf8)
        } catch {
          throw TrainingDataError.unreadable(file: file, reason: "not readable as UTF-8 text")
        }
        documents += text.components(separatedBy: "\n\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
          .filter { !$0.isEmpty }
      }
    }
    if documents.isEmpty { throw TrainingDataError.empty(file: files.joined(separator: ", ")) }
    return documents
  }

  /// Supervised examples from `{"prompt","completion"}` or `{"messages":[…]}` lines; the loss is
  /// masked to the completion (or the assistant turns). Sequences are cut to `maxLength`.
  /// `format` is asked for once, at the first `messages` line, so prompt/completion data needs
  /// no chat template (and a model whose template is unknown fails only on chat data).
  public mutating func supervised(
    files: [String], tokenizer: Tokenizer, format chooseFormat: () throws -> ChatFormat, endOfText: Int?,
    maxLength: Int
  ) throws -> [LabeledSequence] {
    var examples: [LabeledSequence] = []
    var chosen: ChatFormat?
    // An example cut before its first learned token would train on nothing (a batch of only
    // such examples has a 0/0 loss): it is left out and counted.
    func append(_ example: LabeledSequence, file: String, line: Int) throws {
      let kept = example.truncated(to: maxLength)
      guard kept.labels.contains(where: { $0 != -100 }) else {
        cutBeforeCompletion += 1
        return
      }
      examples.append(kept)
    }
    for file in files {
      for row in try reader.read(URL(fileURLWithPath: file)) {
        if let messages = row.object["messages"] as? [[String: Any]] {
          let parsed = messages.compactMap { message -> ChatTemplate.Message? in
            guard let role = message["role"] as? String, let content = message["content"] as? String else { return nil }
            return ChatTemplate.Message(role: role, content: content)
          }
          guard parsed.count == messages.count, parsed.contains(where: { $0.role == "assistant" }) else {
            try reader.reject(
              .malformedLine(
                file: file, line: row.line, reason: "messages need role/content strings and an assistant turn"))
            continue
          }
          let format = try chosen ?? chooseFormat()
          chosen = format
          try append(LabeledSequence(chat: parsed, tokenizer: tokenizer, format: format), file: file, line: row.line)
        } else if let prompt = row.object["prompt"] as? String {
          guard let completion = row.object["completion"] as? String else {
            try reader.reject(.missingField(file: file, line: row.line, field: "completion"))
            continue
          }
          let completionIds = tokenizer.encodeIds(completion) + (endOfText.map { [$0] } ?? [])
          try append(
            LabeledSequence(prompt: tokenizer.encodeIds(prompt), completion: completionIds), file: file, line: row.line)
        } else {
          try reader.reject(.missingField(file: file, line: row.line, field: "prompt"))
        }
      }
    }
    if examples.isEmpty { throw TrainingDataError.empty(file: files.joined(separator: ", ")) }
    return examples
  }

  /// Preference pairs from `{"prompt","chosen","rejected"}` lines.
  public mutating func preferences(files: [String], tokenizer: Tokenizer, endOfText: Int?, maxLength: Int) throws
    -> [PreferencePair]
  {
    var pairs: [PreferencePair] = []
    let end = endOfText.map { [$0] } ?? []
    for file in files {
      for row in try reader.read(URL(fileURLWithPath: file)) {
        do {
          let prompt = try JSONLinesReader.string(row.object, "prompt", file: file, line: row.line)
          let chosen = try JSONLinesReader.string(row.object, "chosen", file: file, line: row.line)
          let rejected = try JSONLinesReader.string(row.object, "rejected", file: file, line: row.line)
          let promptIds = Array(tokenizer.encodeIds(prompt).suffix(maxLength / 2))
          let room = Swift.max(1, maxLength - promptIds.count)
          pairs.append(
            PreferencePair(
              prompt: promptIds, chosen: Array((tokenizer.encodeIds(chosen) + end).prefix(room)),
              rejected: Array((tokenizer.encodeIds(rejected) + end).prefix(room))))
        } catch let error as TrainingDataError {
          try reader.reject(error)
        }
      }
    }
    if pairs.isEmpty { throw TrainingDataError.empty(file: files.joined(separator: ", ")) }
    return pairs
  }

  /// Labelled texts from `{"text","label"}` lines; labels may be strings or integers and are
  /// numbered in sorted order.
  public mutating func classification(files: [String]) throws -> (texts: [String], labels: [Int], names: [String]) {
    var texts: [String] = []
    var raw: [String] = []
    for file in files {
      for row in try reader.read(URL(fileURLWithPath: file)) {
        guard let text = row.object["text"] as? String else {
          try reader.reject(.missingField(file: file, line: row.line, field: "text"))
          continue
        }
        let label: String
        if let string = row.object["label"] as? String {
          label = string
        } else if let number = row.object["label"] as? Int {
          label = String(number)
        } else {
          try reader.reject(.missingField(file: file, line: row.line, field: "label"))
          continue
        }
        texts.append(text)
        raw.append(label)
      }
    }
    if texts.isEmpty { throw TrainingDataError.empty(file: files.joined(separator: ", ")) }
    let names = Array(Set(raw)).sorted { a, b in
      if let x = Int(a), let y = Int(b) { return x < y }
      return a < b
    }
    let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
    return (texts, raw.map { index[$0]! }, names)
  }
}
