/// Flags common errors in a report by comparing its impression with its findings (side, presence,
/// negation, numbers), checking anatomy against the patient's sex and catching doubled words.
/// The rules read finding concepts, NegEx-style negation and sides from `FindingLexicon`; an
/// optional `WordSurprisalScorer` adds words a language model finds implausible.
public struct ReportChecker: Sendable {
  /// Scores words for the perplexity rule; nil leaves that rule out.
  public var scorer: (any WordSurprisalScorer)?
  /// A word is an outlier when its surprisal (nats) is at least this.
  public var surprisalThreshold: Double
  /// Lower-cased words that stand for removed text (the IU collection writes each redaction as
  /// four x's): a run of them is a redaction, not a repeated word.
  public var redactionTokens: Set<String> = ["xxxx"]

  public init(scorer: (any WordSurprisalScorer)? = nil, surprisalThreshold: Double = 14) {
    self.scorer = scorer
    self.surprisalThreshold = surprisalThreshold
  }

  /// Every issue found, ordered by section then offset.
  public func check(_ report: CheckableReport) throws -> [ReportIssue] {
    let findings = ClinicalText(report.findings)
    let impression = ClinicalText(report.impression)
    let fm = FindingMentions.find(in: findings)
    let im = FindingMentions.find(in: impression)
    var issues: [ReportIssue] = []
    issues += Self.conflicts(findings: fm, impression: im, findingsText: findings)
    issues += Self.missedCritical(findings: fm, impression: im, findingsText: findings)
    issues += Self.numberMismatches(findings: findings, impression: impression)
    if let sex = report.sex {
      issues += Self.sexMismatches(findings, .findings, sex) + Self.sexMismatches(impression, .impression, sex)
    }
    issues +=
      Self.repeatedWords(findings, .findings, redactions: redactionTokens)
      + Self.repeatedWords(impression, .impression, redactions: redactionTokens)
    if let scorer {
      issues += try outliers(report.findings, .findings, scorer) + outliers(report.impression, .impression, scorer)
    }
    return issues.sorted { ($0.section == .findings ? 0 : 1, $0.start) < ($1.section == .findings ? 0 : 1, $1.start) }
  }

  /// Laterality, negation and unsupported-claim rules over the impression's mentions.
  static func hasSupportingWords(_ concept: String, _ text: ClinicalText) -> Bool {
    guard let (first, second) = FindingLexicon.supportingWords[concept] else { return false }
    var sentencesWithFirst: Set<Int> = []
    var sentencesWithSecond: Set<Int> = []
    for (i, word) in text.words.enumerated() {
      if first.contains(word.lower) { sentencesWithFirst.insert(text.sentenceOfWord[i]) }
      if second.contains(word.lower) { sentencesWithSecond.insert(text.sentenceOfWord[i]) }
    }
    return !sentencesWithFirst.isDisjoint(with: sentencesWithSecond)
  }

  static func conflicts(findings fm: [FindingMention], impression im: [FindingMention], findingsText: ClinicalText)
    -> [ReportIssue]
  {
    var issues: [ReportIssue] = []
    for m in im {
      let same = fm.filter { $0.concept == m.concept }
      func sideFits(_ f: FindingMention) -> Bool {
        guard let a = f.side, let b = m.side else { return true }
        return a.compatible(with: b)
      }
      let affirmedInFindings = same.filter { $0.polarity != .negated }
      switch m.polarity {
      case .affirmed:
        if same.contains(where: { $0.polarity == .negated && sideFits($0) }) && affirmedInFindings.isEmpty {
          issues.append(
            ReportIssue(
              kind: .negationConflict, start: m.start, end: m.end, section: .impression,
              message: "the impression affirms \(m.concept), which the findings negate"))
        } else if let side = m.side, let range = m.sideRange, !affirmedInFindings.isEmpty,
          affirmedInFindings.allSatisfy({ $0.side != nil && !$0.side!.compatible(with: side) })
        {
          let other = affirmedInFindings.compactMap(\.side?.rawValue).first ?? "another"
          issues.append(
            ReportIssue(
              kind: .lateralityConflict, start: range.lowerBound, end: range.upperBound, section: .impression,
              message: "the impression puts \(m.concept) on the \(side.rawValue); the findings on the \(other)"))
        } else if same.isEmpty {
          let supporting = FindingLexicon.support[m.concept] ?? []
          if !fm.contains(where: { supporting.contains($0.concept) && $0.polarity != .negated })
            && !Self.hasSupportingWords(m.concept, findingsText)
          {
            issues.append(
              ReportIssue(
                kind: .unsupportedClaim, start: m.start, end: m.end, section: .impression,
                message: "the impression states \(m.concept), which the findings do not mention"))
          }
        }
      case .negated:
        let affirmed = same.filter { $0.polarity == .affirmed && sideFits($0) }
        let alsoAffirmedHere = im.contains { $0.concept == m.concept && $0.polarity != .negated }
        if !affirmed.isEmpty && !alsoAffirmedHere {
          issues.append(
            ReportIssue(
              kind: .negationConflict, start: m.start, end: m.end, section: .impression,
              message: "the impression negates \(m.concept), which the findings affirm"))
        }
      case .uncertain:
        break
      }
    }
    return issues
  }

  static func missedCritical(findings fm: [FindingMention], impression im: [FindingMention], findingsText: ClinicalText)
    -> [ReportIssue]
  {
    var issues: [ReportIssue] = []
    var reported: Set<String> = []
    for m in fm where m.critical && m.polarity == .affirmed && !reported.contains(m.concept) {
      if im.contains(where: { $0.concept == m.concept }) { continue }
      reported.insert(m.concept)
      issues.append(
        ReportIssue(
          kind: .missedCritical, start: m.start, end: m.end, section: .findings,
          message: "critical finding \(m.concept) is not in the impression"))
    }
    return issues
  }

  static func numberMismatches(findings: ClinicalText, impression: ClinicalText) -> [ReportIssue] {
    let found = Measurements.find(in: findings)
    var issues: [ReportIssue] = []
    for m in Measurements.find(in: impression) {
      let sameKind = found.filter { $0.kind == m.kind }
      guard !sameKind.isEmpty, !sameKind.contains(where: { abs($0.value - m.value) < 1e-6 }) else { continue }
      let name = ["size": "size", "suv": "SUVmax", "deauville": "Deauville score"][m.kind.rawValue] ?? m.kind.rawValue
      let stated = sameKind.map { formatted($0.value) + (m.kind == .size ? " mm" : "") }.joined(separator: ", ")
      issues.append(
        ReportIssue(
          kind: .numberMismatch, start: m.start, end: m.end, section: .impression,
          message: "\(name) \(formatted(m.value))\(m.kind == .size ? " mm" : "") is not in the findings (\(stated))"))
    }
    return issues
  }

  static func formatted(_ x: Double) -> String {
    x == x.rounded() && abs(x) < 1e12 ? String(Int(x)) : String(x)
  }

  static func sexMismatches(_ text: ClinicalText, _ section: ReportSection, _ sex: CheckableReport.Sex) -> [ReportIssue]
  {
    let other = sex == .female ? FindingLexicon.maleAnatomy : FindingLexicon.femaleAnatomy
    return text.words.filter { other.contains($0.lower) }.map {
      ReportIssue(
        kind: .sexMismatch, start: $0.start, end: $0.end, section: section,
        message:
          "\"\(text.text($0.start, $0.end))\" is \(sex == .female ? "male" : "female") anatomy; the patient is \(sex.rawValue)"
      )
    }
  }

  static func repeatedWords(_ text: ClinicalText, _ section: ReportSection, redactions: Set<String>)
    -> [ReportIssue]
  {
    var issues: [ReportIssue] = []
    let words = text.words
    for i in words.indices.dropFirst() {
      let a = words[i - 1]
      let b = words[i]
      guard a.lower == b.lower, !redactions.contains(a.lower),
        a.lower.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic }),
        !["that", "had"].contains(a.lower)
      else { continue }
      // Only separated by spaces (not "left. Left").
      let between = text.scalars[a.end..<b.start]
      guard between.allSatisfy({ $0 == " " }) else { continue }
      issues.append(
        ReportIssue(
          kind: .repeatedWord, start: b.start, end: b.end, section: section,
          message: "\"\(text.text(b.start, b.end))\" is repeated"))
    }
    return issues
  }

  func outliers(_ text: String, _ section: ReportSection, _ scorer: any WordSurprisalScorer) throws -> [ReportIssue] {
    guard !text.isEmpty else { return [] }
    let clinical = ClinicalText(text)
    return try scorer.wordSurprisals(text).filter { $0.nats >= surprisalThreshold }.map { w in
      ReportIssue(
        kind: .perplexityOutlier, start: w.start, end: w.end, section: section,
        message:
          "\"\(clinical.text(w.start, w.end))\" is implausible here (\(Self.formatted((w.nats * 10).rounded() / 10)) nats)"
      )
    }
  }
}

/// Scores how surprising each word of a text is to a language model, for the perplexity rule:
/// code-point ranges of words with their total surprisal in nats.
public protocol WordSurprisalScorer: Sendable {
  func wordSurprisals(_ text: String) throws -> [(start: Int, end: Int, nats: Double)]
}
