import Foundation

/// Builds an in-context-learning prompt from worked examples: an instruction, then each
/// example's input and output under fixed labels, then the query's input with the output label
/// left open for the model to complete. Examples come from a JSONL file with one
/// `{"input": …, "output": …}` object per line.
public struct FewShotPromptBuilder: Sendable {
  public struct Example: Sendable, Equatable, Codable {
    public var input: String
    public var output: String
    public init(input: String, output: String) {
      self.input = input
      self.output = output
    }
  }

  public var instruction: String
  public var examples: [Example]
  public var inputLabel = "Input:"
  public var outputLabel = "Output:"

  public init(instruction: String, examples: [Example], inputLabel: String = "Input:", outputLabel: String = "Output:")
  {
    self.instruction = instruction
    self.examples = examples
    self.inputLabel = inputLabel
    self.outputLabel = outputLabel
  }

  /// Reads examples from JSONL; a malformed line is reported with its number.
  public static func examples(fromJSONL url: URL) throws -> [Example] {
    guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8)
    else {
      throw FewShotError.unreadable(file: url.path)
    }
    var result: [Example] = []
    for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.isEmpty { continue }
      guard let object = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any],
        let input = object["input"] as? String, let output = object["output"] as? String
      else {
        throw FewShotError.badLine(file: url.path, line: number + 1)
      }
      result.append(Example(input: input, output: output))
    }
    return result
  }

  /// The prompt for `query`, using the first `shots` examples (all when nil).
  public func prompt(for query: String, shots: Int? = nil) -> String {
    var parts: [String] = []
    if !instruction.isEmpty { parts.append(instruction) }
    for example in examples.prefix(shots ?? examples.count) {
      parts.append("\(inputLabel) \(example.input)\n\(outputLabel) \(example.output)")
    }
    parts.append("\(inputLabel) \(query)\n\(outputLabel)")
    return parts.joined(separator: "\n\n")
  }
}

/// Problems reading few-shot examples.
public enum FewShotError: Error, Equatable, CustomStringConvertible {
  case unreadable(file: String)
  case badLine(file: String, line: Int)

  public var description: String {
    switch self {
    case .unreadable(let file): return "\(file): cannot be read as UTF-8 text"
    case .badLine(let file, let line):
      return "\(file):\(line): expected a JSON object with string fields \"input\" and \"output\""
    }
  }
}
