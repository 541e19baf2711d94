import Foundation
import RadClinical
import RadTensor
import Testing

/// The checker's rules on project-written reports: each kind fires on a report built to have it
/// (at the right code-point range) and stays quiet on its corrected twin.
@Suite("Report consistency checks")
struct ReportCheckerTests {
  let checker = ReportChecker()

  func issues(_ findings: String, _ impression: String, sex: CheckableReport.Sex? = nil) throws -> [ReportIssue] {
    try checker.check(CheckableReport(id: "t", findings: findings, impression: impression, sex: sex))
  }

  func text(_ s: String, _ issue: ReportIssue) -> String {
    let scalars = Array(s.unicodeScalars)
    return String(String.UnicodeScalarView(scalars[issue.start..<issue.end]))
  }

  @Test func lateralityConflict() throws {
    let impression = "Right lower lobe consolidation."
    let found = try issues("Consolidation in the left lower lobe. No effusion.", impression)
    #expect(found.map(\.kind) == [.lateralityConflict])
    #expect(text(impression, found[0]) == "Right" && found[0].section == .impression)
    #expect(try issues("Consolidation in the left lower lobe.", "Left lower lobe consolidation.").isEmpty)
    #expect(try issues("Bilateral pleural effusions.", "Left pleural effusion.").isEmpty)
  }

  @Test func unsupportedClaimAndSupportingFindings() throws {
    let found = try issues("The lungs are clear. Heart size normal.", "Large hiatal hernia.")
    #expect(found.map(\.kind) == [.unsupportedClaim])
    #expect(text("Large hiatal hernia.", found[0]) == "hiatal hernia")
    #expect(try issues("Patchy right basilar consolidation.", "Right lower lobe pneumonia.").isEmpty)
    #expect(try issues("The lungs are clear.", "Possible early pneumonia.").isEmpty)  // hedged: not a claim
  }

  @Test func missedCriticalFinding() throws {
    let findings = "Small right apical pneumothorax. Lungs otherwise clear."
    let found = try issues(findings, "No acute cardiopulmonary abnormality.")
    #expect(found.map(\.kind) == [.missedCritical])
    #expect(text(findings, found[0]) == "pneumothorax" && found[0].section == .findings)
    #expect(try issues(findings, "Small right pneumothorax.").isEmpty)
    #expect(try issues("No pneumothorax.", "Normal chest.").isEmpty)
  }

  @Test func negationConflict() throws {
    let found = try issues("No pleural effusion or pneumothorax.", "Small left pleural effusion.")
    #expect(found.map(\.kind) == [.negationConflict])
    let second = try issues("Small left pleural effusion.", "No pleural effusion.")
    #expect(second.map(\.kind) == [.negationConflict])
    #expect(try issues("No change in the small left pleural effusion.", "Stable left pleural effusion.").isEmpty)
    #expect(try issues("The previously seen effusion has resolved.", "No effusion.").isEmpty)
  }

  @Test func numberMismatch() throws {
    let impression = "1.4 cm right upper lobe nodule. SUVmax 9.1. Deauville 4."
    let found = try issues("Right upper lobe nodule measuring 12 mm, SUVmax 6.2. Deauville score 4.", impression)
    #expect(found.map(\.kind) == [.numberMismatch, .numberMismatch])
    #expect(found.map { text(impression, $0) } == ["1.4", "9.1"])
    #expect(try issues("Nodule measuring 1.2 x 0.8 cm, SUV max of 6.2.", "12 mm nodule, SUVmax 6.2.").isEmpty)
  }

  @Test func sexSpecificAnatomy() throws {
    let found = try issues("Status post prostatectomy. Lungs clear.", "No acute disease.", sex: .female)
    #expect(found.map(\.kind) == [.sexMismatch])
    #expect(try issues("Status post prostatectomy.", "No acute disease.", sex: .male).isEmpty)
    #expect(try issues("Status post hysterectomy.", "No acute disease.", sex: .male).map(\.kind) == [.sexMismatch])
    #expect(try issues("Status post hysterectomy.", "No acute disease.").isEmpty)  // sex unknown
  }

  @Test func repeatedWords() throws {
    // A run of redaction tokens is no repeated word; "redacted" stands in for a collection's token.
    var redacting = ReportChecker()
    redacting.redactionTokens = ["redacted"]
    let findings = "The the lungs are clear. Redacted redacted are intact. Left. Left lung clear."
    let found = try redacting.check(CheckableReport(id: "t", findings: findings, impression: "No no acute disease."))
    #expect(found.map(\.kind) == [.repeatedWord, .repeatedWord])
    #expect(found[0].start == 4 && found[0].end == 7 && found[1].section == .impression)
    // Without the token declared, the same run is flagged.
    #expect(try issues(findings, "No acute disease.").map(\.kind) == [.repeatedWord, .repeatedWord])
  }

  @Test func offsetsCountCodePoints() throws {
    let findings = "Café 😀 – small right apical pneumothorax."
    let found = try issues(findings, "Normal.")
    #expect(found.count == 1 && text(findings, found[0]) == "pneumothorax")
    #expect(found[0].start == Array(findings.unicodeScalars).count - 13)
  }

  @Test func inputLinesAndErrors() throws {
    let lines = try CheckInput.parse(
      #"{"id":7,"findings":"a","impression":"b","sex":"F"}"# + "\n\n" + #"{"id":"x","findings":"c","impression":"d"}"#,
      source: "in.jsonl")
    #expect(lines.map(\.idJSON) == ["7", "\"x\""] && lines[0].report.sex == .female)
    let issue = ReportIssue(kind: .repeatedWord, start: 1, end: 2, section: .findings, message: "\"a\" is repeated")
    #expect(
      CheckInput.outputLine(idJSON: "7", issues: [issue])
        == #"{"id":7,"issues":[{"kind":"repeated_word","start":1,"end":2,"section":"findings","message":"\"a\" is repeated"}]}"#
    )
    for (bad, message) in [
      (#"{"id":1,"findings":"a"}"#, "in.jsonl:2: \"impression\" must be a string"),
      (#"{"id":1,"findings":"a","impression":"b","sex":"x"}"#, "in.jsonl:2: \"sex\" must be"),
      ("not json", "in.jsonl:2: not a JSON object"),
    ] {
      #expect {
        try CheckInput.parse("\n" + bad, source: "in.jsonl")
      } throws: { error in
        "\(error)".hasPrefix(message)
      }
    }
  }

  @Test(arguments: ReportIssueKind.allCases.filter { $0 != .perplexityOutlier })
  func injectedErrorIsFoundAndOriginalIsClean(kind: ReportIssueKind) throws {
    let original = CheckableReport(
      id: "1",
      findings: "The heart is normal in size. The lungs are clear without focal airspace disease. No pneumothorax.",
      impression: "No acute cardiopulmonary abnormality.", sex: .female)
    #expect(try checker.check(original).isEmpty)
    var random = SeededRandom(seed: 7)
    var found = 0
    for _ in 0..<20 {
      guard let damaged = ErrorInjector.inject(kind, into: original, random: &random) else { continue }
      if try checker.check(damaged).contains(where: { $0.kind == kind }) { found += 1 }
    }
    #expect(found == 20)
  }
}
