import Foundation
import RadTensor

/// Makes a report wrong in one known way, for measuring the checker: each kind inserts or edits
/// text (phrasing, side, numbers and position drawn from a seeded generator) so the damaged
/// report carries exactly one error of that kind. Returns nil when a kind does not apply.
public enum ErrorInjector {
  static let opposite = ["left": "right", "right": "left"]

  /// (finding phrase for the findings, short form for the impression, keywords that must be absent)
  static let lateralTemplates: [(String, String, [String])] = [
    ("There is a small %s pleural effusion.", "Small %s pleural effusion.", ["effusion"]),
    ("Patchy opacity in the %s lower lobe.", "%s lower lobe opacity.", ["opacity", "opacities"]),
    ("A %s apical pneumothorax is present.", "%s pneumothorax.", ["pneumothorax"]),
    ("Focal consolidation in the %s upper lobe.", "%s upper lobe consolidation.", ["consolidation"]),
    ("Subsegmental atelectasis at the %s base.", "%s basilar atelectasis.", ["atelectasis"]),
    ("Nondisplaced %s posterior rib fracture.", "%s rib fracture.", ["fracture"]),
  ]

  static let claims: [(String, [String])] = [
    ("Right lower lobe pneumonia.", ["pneumonia", "consolidation", "opacity", "infiltrate", "airspace"]),
    ("Moderate cardiomegaly.", ["cardiomegaly", "enlarged", "enlargement"]),
    ("Small left pleural effusion.", ["effusion"]),
    ("Large hiatal hernia.", ["hernia"]),
    ("Mild pulmonary edema.", ["edema", "congestion"]),
    ("Left upper lobe mass.", ["mass", "nodule", "opacity"]),
    ("Right apical pneumothorax.", ["pneumothorax"]),
  ]

  static let criticals: [(String, String)] = [
    ("Small right apical pneumothorax.", "pneumothorax"),
    ("Free air under the right hemidiaphragm.", "free air"),
    ("There is a 3 cm mass in the left upper lobe.", "mass"),
    ("Pneumomediastinum is present.", "pneumomediastinum"),
  ]

  static let negations: [(String, String, String)] = [
    ("No pleural effusion.", "Small bilateral pleural effusions.", "effusion"),
    ("No pneumothorax.", "Small left pneumothorax.", "pneumothorax"),
    ("No focal consolidation.", "Right lower lobe consolidation.", "consolidation"),
    ("No pulmonary edema.", "Pulmonary edema.", "edema"),
  ]

  static let femaleOnly = [
    "Status post hysterectomy.", "Calcified uterine fibroid partially imaged.", "Surgical clips from prior oophorectomy.",
  ]
  static let maleOnly = [
    "Prostate brachytherapy seeds are partially imaged.", "Status post prostatectomy.", "Calcifications in the scrotum.",
  ]

  static let outOfPlace = ["banana", "saxophone", "volcano", "umbrella", "giraffe", "pancake", "trombone", "carburetor"]

  static func pick<T>(_ list: [T], _ random: inout SeededRandom) -> T {
    list[Int(random.next() % UInt64(list.count))]
  }

  static func fill(_ template: String, _ side: String, capitalised: Bool) -> String {
    let word = capitalised ? side.prefix(1).uppercased() + side.dropFirst() : side
    return template.replacingOccurrences(of: "%s", with: word)
  }

  /// Adds a sentence at the start or the end of a section.
  static func insert(_ sentence: String, into text: String, _ random: inout SeededRandom) -> String {
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    if trimmed.isEmpty { return sentence }
    return random.next() % 2 == 0 ? sentence + " " + trimmed : trimmed + " " + sentence
  }

  static func mentions(_ text: String, _ keywords: [String]) -> Bool {
    let lower = text.lowercased()
    return keywords.contains { lower.contains($0) }
  }

  /// `report` with one injected error of `kind`, or nil if the kind cannot be injected here.
  public static func inject(_ kind: ReportIssueKind, into report: CheckableReport, random: inout SeededRandom)
    -> CheckableReport?
  {
    var out = report
    let both = report.findings + " " + report.impression
    switch kind {
    case .lateralityConflict:
      let usable = lateralTemplates.filter { !mentions(both, $0.2) }
      guard !usable.isEmpty else { return nil }
      let (finding, summary, _) = pick(usable, &random)
      let side = pick(["left", "right"], &random)
      out.findings = insert(fill(finding, side, capitalised: finding.hasPrefix("%s")), into: report.findings, &random)
      out.impression = insert(fill(summary, opposite[side] ?? side, capitalised: true), into: report.impression, &random)
    case .unsupportedClaim:
      let usable = claims.filter { !mentions(both, $0.1) }
      guard !usable.isEmpty else { return nil }
      out.impression = insert(pick(usable, &random).0, into: report.impression, &random)
    case .missedCritical:
      let usable = criticals.filter { !mentions(both, [$0.1]) }
      guard !usable.isEmpty else { return nil }
      out.findings = insert(pick(usable, &random).0, into: report.findings, &random)
    case .negationConflict:
      let usable = negations.filter { !mentions(report.impression, [$0.2]) }
      guard !usable.isEmpty else { return nil }
      let (negation, claim, keyword) = pick(usable, &random)
      let lower = report.findings.lowercased()
      if mentions(report.findings, [keyword]) {
        guard ["no ", "no pleural ", "no focal "].contains(where: { lower.contains($0 + keyword) }) else { return nil }
      } else {
        out.findings = insert(negation, into: report.findings, &random)
      }
      out.impression = insert(claim, into: report.impression, &random)
    case .numberMismatch:
      guard !report.findings.contains(where: \.isNumber) && !report.impression.contains(where: \.isNumber) else { return nil }
      let variant = random.next() % 4
      let side = pick(["left", "right"], &random)
      switch variant {
      case 0:
        let n = 4 + Int(random.next() % 20)
        let m = n + 1 + Int(random.next() % 9)
        out.findings = insert("A \(n) mm nodule in the \(side) upper lobe.", into: report.findings, &random)
        out.impression = insert("\(m) mm \(side) upper lobe nodule.", into: report.impression, &random)
      case 1:
        let n = 2 + Int(random.next() % 6)
        let m = n + 1 + Int(random.next() % 3)
        out.findings = insert("Mass in the \(side) hilum measuring \(n).\(random.next() % 10) x 2 cm.", into: report.findings, &random)
        out.impression = insert("\(m) cm \(side) hilar mass.", into: report.impression, &random)
      case 2:
        let x = 3 + Double(random.next() % 90) / 10
        let y = x + 1 + Double(random.next() % 40) / 10
        out.findings = insert("Hypermetabolic \(side) hilar node with SUVmax \(x).", into: report.findings, &random)
        out.impression = insert("FDG-avid \(side) hilar node, SUVmax \(y).", into: report.impression, &random)
      default:
        let d = 1 + Int(random.next() % 4)
        out.findings = insert("Residual \(side) axillary node uptake, Deauville \(d).", into: report.findings, &random)
        out.impression = insert("Deauville score \(d + 1).", into: report.impression, &random)
      }
    case .sexMismatch:
      let sex = report.sex ?? (random.next() % 2 == 0 ? .female : .male)
      out.sex = sex
      out.findings = insert(pick(sex == .female ? maleOnly : femaleOnly, &random), into: report.findings, &random)
    case .repeatedWord:
      let section = random.next() % 2 == 0 ? report.findings : report.impression
      let words = ClinicalText(section).words.filter {
        $0.lower != "xxxx" && $0.lower.unicodeScalars.allSatisfy { $0.properties.isAlphabetic }
      }
      guard !words.isEmpty else { return nil }
      let word = pick(words, &random)
      var scalars = Array(section.unicodeScalars)
      let copy = Array(scalars[word.start..<word.end]) + [" "]
      scalars.insert(contentsOf: copy, at: word.start)
      let damaged = String(String.UnicodeScalarView(scalars))
      if section == report.findings { out.findings = damaged } else { out.impression = damaged }
    case .perplexityOutlier:
      let words = ClinicalText(report.findings).words.filter { $0.lower.count >= 4 && $0.lower != "xxxx" }
      guard !words.isEmpty else { return nil }
      let word = pick(words, &random)
      var scalars = Array(report.findings.unicodeScalars)
      scalars.replaceSubrange(word.start..<word.end, with: pick(outOfPlace, &random).unicodeScalars)
      out.findings = String(String.UnicodeScalarView(scalars))
    }
    return out
  }
}
