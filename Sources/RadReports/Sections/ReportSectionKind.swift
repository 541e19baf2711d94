/// What a report section is for, whatever heading the author wrote: `HISTORY:`, `Clinical
/// information -` and `Reason for exam:` are all the indication. Headings RadLM does not know
/// (organ sub-headings such as `LUNGS:` inside the findings) stay in the text of their section.
public enum ReportSectionKind: String, Sendable, CaseIterable, Codable {
  /// Text before the first recognised heading (exam title, dictation header).
  case preamble
  case examination
  case indication
  case technique
  case comparison
  case findings
  /// One section holding both (`FINDINGS/IMPRESSION:`).
  case findingsAndImpression = "findings_and_impression"
  case impression
  case recommendation
  case addendum

  /// The headings recognised for each kind, upper case; matched without regard to case, with
  /// any run of spaces between words.
  public static let headings: [ReportSectionKind: [String]] = [
    .examination: [
      "EXAM", "EXAMINATION", "EXAM TYPE", "TYPE OF EXAM", "TYPE OF EXAMINATION", "STUDY", "PROCEDURE",
      "EXAMINATION PERFORMED", "EXAM PERFORMED",
    ],
    .indication: [
      "INDICATION", "INDICATIONS", "CLINICAL INDICATION", "CLINICAL INDICATIONS", "INDICATION FOR EXAM",
      "INDICATION FOR EXAMINATION", "INDICATION FOR STUDY", "HISTORY", "CLINICAL HISTORY", "PATIENT HISTORY",
      "MEDICAL HISTORY", "BRIEF HISTORY", "RELEVANT HISTORY", "HISTORY/INDICATION", "CLINICAL HISTORY/INDICATION",
      "INDICATION/HISTORY", "CLINICAL INFORMATION", "CLINICAL INFO", "CLINICAL DATA", "CLINICAL DETAILS",
      "CLINICAL NOTES", "CLINICAL QUESTION", "CLINICAL", "REASON FOR EXAM", "REASON FOR EXAMINATION",
      "REASON FOR STUDY", "REASON FOR REFERRAL", "REASON FOR REQUEST", "REASON", "HX",
    ],
    .technique: [
      "TECHNIQUE", "TECHNIQUES", "IMAGING TECHNIQUE", "EXAM TECHNIQUE", "EXAMINATION TECHNIQUE", "PROTOCOL",
      "METHOD", "METHODS", "TECHNICAL FACTORS", "CONTRAST", "RADIOPHARMACEUTICAL", "ACQUISITION",
      "PET/CT TECHNIQUE", "PROCEDURE DETAILS",
    ],
    .comparison: [
      "COMPARISON", "COMPARISONS", "COMPARISON STUDY", "COMPARISON STUDIES", "COMPARISON EXAM",
      "COMPARISON EXAMS", "COMPARISON EXAMINATION", "PRIOR", "PRIORS", "PRIOR STUDY", "PRIOR STUDIES",
      "PRIOR EXAM", "PRIOR EXAMS", "PRIOR IMAGING", "PREVIOUS STUDY", "PREVIOUS STUDIES", "PREVIOUS EXAM",
      "CORRELATION",
    ],
    .findings: [
      "FINDINGS", "FINDING", "REPORT", "DESCRIPTION", "RESULTS", "OBSERVATIONS", "CT FINDINGS", "PET FINDINGS",
      "PET/CT FINDINGS", "MRI FINDINGS", "MR FINDINGS", "DETAILED FINDINGS",
    ],
    .findingsAndImpression: [
      "FINDINGS AND IMPRESSION", "FINDINGS/IMPRESSION", "FINDINGS & IMPRESSION", "IMPRESSION/FINDINGS",
      "FINDINGS AND CONCLUSION",
    ],
    .impression: [
      "IMPRESSION", "IMPRESSIONS", "FINAL IMPRESSION", "OVERALL IMPRESSION", "CONCLUSION", "CONCLUSIONS",
      "SUMMARY", "OPINION", "INTERPRETATION", "ASSESSMENT", "IMPRESSION AND RECOMMENDATIONS",
      "IMPRESSION/RECOMMENDATIONS", "IMPRESSION AND PLAN",
    ],
    .recommendation: ["RECOMMENDATION", "RECOMMENDATIONS", "FOLLOW-UP", "FOLLOW UP", "FOLLOWUP"],
    .addendum: ["ADDENDUM"],
  ]

  /// The kind a heading (as written) names, or nil when it is not a section heading.
  public static func kind(ofHeading heading: String) -> ReportSectionKind? {
    let normal = heading.uppercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
      .replacingOccurrences(of: " /", with: "/").replacingOccurrences(of: "/ ", with: "/")
    return headingIndex[normal]
  }

  static let headingIndex: [String: ReportSectionKind] = {
    var index: [String: ReportSectionKind] = [:]
    for (kind, names) in headings {
      for name in names { index[name] = kind }
    }
    return index
  }()
}
