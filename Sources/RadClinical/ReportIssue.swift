/// The kinds of error the report checker flags.
public enum ReportIssueKind: String, Sendable, CaseIterable, Codable {
  /// The impression puts a finding on the other side from the findings.
  case lateralityConflict = "laterality_conflict"
  /// The impression states a finding the findings never mention.
  case unsupportedClaim = "unsupported_claim"
  /// A critical finding (pneumothorax, free air, mass, …) in the findings is missing from the impression.
  case missedCritical = "missed_critical"
  /// One section negates what the other affirms ("no effusion" against "effusion").
  case negationConflict = "negation_conflict"
  /// A size, SUVmax or Deauville score in the impression differs from the findings'.
  case numberMismatch = "number_mismatch"
  /// Anatomy of the other sex than the patient's.
  case sexMismatch = "sex_mismatch"
  /// The same word twice in a row.
  case repeatedWord = "repeated_word"
  /// A word the language model finds implausible in its context.
  case perplexityOutlier = "perplexity_outlier"
}

/// Which part of the report an issue points into.
public enum ReportSection: String, Sendable, Codable {
  case findings, impression
}

/// One flagged problem: its kind, the code-point range it covers in its section (as Python
/// indexes a `str`), and a message for the radiologist.
public struct ReportIssue: Sendable, Equatable, Codable {
  public var kind: ReportIssueKind
  public var start: Int
  public var end: Int
  public var section: ReportSection
  public var message: String

  public init(kind: ReportIssueKind, start: Int, end: Int, section: ReportSection, message: String) {
    self.kind = kind
    self.start = start
    self.end = end
    self.section = section
    self.message = message
  }
}

/// A report to check: its two sections and, if known, the patient's sex.
public struct CheckableReport: Sendable, Equatable {
  public enum Sex: String, Sendable { case female, male }
  public var id: String
  public var findings: String
  public var impression: String
  public var sex: Sex?

  public init(id: String, findings: String, impression: String, sex: Sex? = nil) {
    self.id = id
    self.findings = findings
    self.impression = impression
    self.sex = sex
  }
}
