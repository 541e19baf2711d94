/// One hypothesis and the reference text(s) it is scored against.
///
/// Every text metric in RadEval takes a list of these. Most tasks have one reference per
/// hypothesis; BLEU, chrF and ROUGE also accept several (ROUGE keeps the best-matching one).
public struct TextPair: Sendable, Equatable {
  public var references: [String]
  public var hypothesis: String

  public init(reference: String, hypothesis: String) {
    self.references = [reference]
    self.hypothesis = hypothesis
  }

  public init(references: [String], hypothesis: String) {
    self.references = references
    self.hypothesis = hypothesis
  }
}
