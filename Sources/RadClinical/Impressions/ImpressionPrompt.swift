import Foundation
import RadInference

/// How the prompt for an impression is built: the instruction, the worked examples (none, a fixed
/// set, or the most similar training reports), and whether the model first lists the abnormal
/// findings (chain of thought). The examples are laid out by `FewShotPromptBuilder` with
/// "Findings:"/"Impression:" labels inside one user turn of the model's chat template.
public struct ImpressionPrompt: Sendable {
  public enum Examples: Sendable {
    case none
    case fixed([ReportExample])
    case retrieved(any SimilarReports, k: Int)
  }

  /// The system turn (it also replaces a template's default persona, such as SmolLM2's).
  public static let systemMessage = "You are an experienced radiologist."
  public static let instruction =
    "Write the impression of this chest X-ray report from its findings: "
    + "a short summary of the main conclusions."
  public static let chainOfThoughtInstruction =
    "First list the abnormal findings of this chest X-ray report, one per line "
    + "starting with \"- \" (write \"- none\" if there are none). Then write \"Impression:\" followed by "
    + "a short impression."

  public var examples: Examples
  public var chainOfThought: Bool

  public init(examples: Examples = .none, chainOfThought: Bool = false) {
    self.examples = examples
    self.chainOfThought = chainOfThought
  }

  /// The query as the model reads it: the indication (when known) and the findings.
  static func query(_ request: ImpressionRequest) -> String {
    guard let indication = request.indication?.trimmingCharacters(in: .whitespacesAndNewlines), !indication.isEmpty
    else { return request.findings }
    return "\(request.findings)\n(Indication: \(indication))"
  }

  /// The user turn for each request (retrieved examples looked up in one batch).
  public func userMessages(_ requests: [ImpressionRequest]) throws -> [String] {
    let shots: [[ReportExample]]
    switch examples {
    case .none: shots = requests.map { _ in [] }
    case .fixed(let fixed): shots = requests.map { _ in fixed }
    case .retrieved(let index, let k):
      // Most similar last, nearest the query, where a small model attends most.
      shots = try index.nearest(toFindings: requests.map(\.findings), k: k).map { Array($0.reversed()) }
    }
    return zip(requests, shots).map { request, examples in
      let builder = FewShotPromptBuilder(
        instruction: chainOfThought ? Self.chainOfThoughtInstruction : Self.instruction,
        examples: examples.map { .init(input: $0.findings, output: $0.impression) },
        inputLabel: "Findings:", outputLabel: "Impression:")
      var prompt = builder.prompt(for: Self.query(request))
      // With chain of thought the reply starts with the list, so the open label is dropped.
      if chainOfThought, prompt.hasSuffix("\nImpression:") { prompt = String(prompt.dropLast("\nImpression:".count)) }
      return prompt
    }
  }

  /// The impression inside a reply: after the last "Impression:" label if there is one, cut at
  /// the first blank line or a new "Findings:" label, without surrounding space.
  public static func impression(fromReply reply: String) -> String {
    var text = reply
    if let label = text.range(of: "Impression:", options: [.caseInsensitive, .backwards]) {
      text = String(text[label.upperBound...])
    }
    if let next = text.range(of: "Findings:", options: .caseInsensitive) { text = String(text[..<next.lowerBound]) }
    text = text.trimmingCharacters(in: .whitespacesAndNewlines)
    if let blank = text.range(of: "\n\n") { text = String(text[..<blank.lowerBound]) }
    return text.trimmingCharacters(in: .whitespacesAndNewlines)
  }
}
