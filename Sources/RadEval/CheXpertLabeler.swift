/// One observation found in a sentence and how it was classified.
public struct CheXpertMention: Sendable, Equatable {
  public var observation: String
  public var text: String
  public var sentence: String
  public var label: CheXpertLabel
}

/// The labels of one report: observation → positive / negative / uncertain; absent means blank.
public struct CheXpertReportLabels: Sendable, Equatable {
  public var labels: [CheXpertObservation: CheXpertLabel]
  public var mentions: [CheXpertMention]

  /// The label or nil (blank) of one observation.
  public subscript(_ o: CheXpertObservation) -> CheXpertLabel? { labels[o] }

  /// 0/1 vector in `order` for label F1: positive or uncertain = 1, negative or blank = 0.
  public func findingVector(_ order: [CheXpertObservation] = CheXpertObservation.chexbertOrder) -> [Int] {
    order.map { labels[$0]?.asFinding ?? 0 }
  }
}

/// A CheXpert-style rule-based labeler for chest X-ray reports.
///
/// Mentions come from chexpert-labeler's MIT phrase lists (plain substring matches on the
/// cleaned, lowercased sentence, minus unmention overlaps). Each mention is classified in
/// chexpert-labeler's order (pre-negation uncertainty, negation, post-negation uncertainty,
/// else positive), but scope is decided by a NegEx/ConText-style engine over trigger phrases
/// (`ContextRules`) instead of a dependency parse. Mentions are then aggregated per
/// observation with chexpert-labeler's rules, including No Finding and the CHF → uncertain
/// Cardiomegaly exception.
public struct CheXpertLabeler: Sendable {
  public init() {}

  // MARK: - Text preparation

  /// chexpert-labeler's sentence cleaning.
  static func clean(_ sentence: String) -> String {
    var s = Array(PythonText.lower(sentence).unicodeScalars)
    s = replace(s, Array("and/or".unicodeScalars), Array("or".unicodeScalars))
    // "(?<=[a-zA-Z])/(?=[a-zA-Z])" -> " or "
    var t: [Unicode.Scalar] = []
    for (i, c) in s.enumerated() {
      if c == "/" && i > 0 && i + 1 < s.count && isASCIILetter(s[i - 1]) && isASCIILetter(s[i + 1]) {
        t.append(contentsOf: " or ".unicodeScalars)
      } else {
        t.append(c)
      }
    }
    t = replace(t, Array("..".unicodeScalars), Array(".".unicodeScalars))
    var u: [Unicode.Scalar] = []
    for c in t {
      u.append(c)
      if c == "." || c == "," { u.append(" ") }
    }
    return PythonText.split(String(String.UnicodeScalarView(u))).joined(separator: " ")
  }

  static func isASCIILetter(_ c: Unicode.Scalar) -> Bool {
    (c.value >= 0x41 && c.value <= 0x5A) || (c.value >= 0x61 && c.value <= 0x7A)
  }

  static func replace(_ s: [Unicode.Scalar], _ old: [Unicode.Scalar], _ new: [Unicode.Scalar]) -> [Unicode.Scalar] {
    var out: [Unicode.Scalar] = []
    var i = 0
    while i < s.count {
      if i + old.count <= s.count && Array(s[i..<(i + old.count)]) == old {
        out.append(contentsOf: new)
        i += old.count
      } else {
        out.append(s[i])
        i += 1
      }
    }
    return out
  }

  /// Sentences: split at newlines and at `.`, `?`, `!` followed by whitespace or the end.
  static func sentences(_ report: String) -> [String] {
    var out: [String] = []
    var cur = String.UnicodeScalarView()
    let scalars = Array(report.unicodeScalars)
    for (i, c) in scalars.enumerated() {
      if c == "\n" || c == "\r" {
        out.append(String(cur))
        cur = String.UnicodeScalarView()
        continue
      }
      cur.append(c)
      if (c == "." || c == "?" || c == "!")
        && (i + 1 == scalars.count || PythonText.isWhitespace(scalars[i + 1].value))
      {
        out.append(String(cur))
        cur = String.UnicodeScalarView()
      }
    }
    out.append(String(cur))
    return out.map(clean).filter { !$0.isEmpty }
  }

  struct Token {
    var text: String
    var start: Int  // code-point offsets in the cleaned sentence
    var end: Int
  }

  /// Words of `[a-z0-9']` and semicolons (scope terminators), with offsets.
  static func tokens(_ s: [Unicode.Scalar]) -> [Token] {
    var out: [Token] = []
    var start = -1
    func flush(_ i: Int) {
      if start >= 0 {
        out.append(Token(text: String(String.UnicodeScalarView(s[start..<i])), start: start, end: i))
        start = -1
      }
    }
    for (i, c) in s.enumerated() {
      let v = c.value
      let word = (v >= 0x61 && v <= 0x7A) || (v >= 0x30 && v <= 0x39) || c == "'" || v >= 0x80
      if word {
        if start < 0 { start = i }
      } else {
        flush(i)
        if c == ";" { out.append(Token(text: ";", start: i, end: i + 1)) }
      }
    }
    flush(s.count)
    return out
  }

  // MARK: - Scope

  /// Token index ranges governed by any of `triggers` (pseudo-trigger spans excluded).
  static func scopes(_ triggers: [ContextTrigger], tokens: [Token], pseudo: [Range<Int>]) -> [Range<Int>] {
    let words = tokens.map(\.text)
    var result: [Range<Int>] = []
    for trigger in triggers {
      let n = trigger.words.count
      guard n > 0, words.count >= n else { continue }
      for i in 0...(words.count - n) where Array(words[i..<(i + n)]) == trigger.words {
        let span = i..<(i + n)
        if pseudo.contains(where: { $0.count > span.count && $0.clamped(to: span) == span }) { continue }
        if trigger.direction != .backward {
          var end = span.upperBound
          while end < words.count && end < span.upperBound + trigger.window
            && !ContextRules.terminators.contains(words[end]) && words[end] != ";"
          {
            end += 1
          }
          if end > span.upperBound { result.append(span.upperBound..<end) }
        }
        if trigger.direction != .forward {
          var start = span.lowerBound
          while start > 0 && start > span.lowerBound - trigger.window
            && !ContextRules.terminators.contains(words[start - 1]) && words[start - 1] != ";"
          {
            start -= 1
          }
          if start < span.lowerBound { result.append(start..<span.lowerBound) }
        }
      }
    }
    return result
  }

  static func pseudoSpans(_ tokens: [Token]) -> [Range<Int>] {
    let words = tokens.map(\.text)
    var spans: [Range<Int>] = []
    for p in ContextRules.pseudo {
      let n = p.words.count
      guard words.count >= n else { continue }
      for i in 0...(words.count - n) where Array(words[i..<(i + n)]) == p.words { spans.append(i..<(i + n)) }
    }
    return spans
  }

  // MARK: - Labelling

  /// Labels of one report.
  /// RadLM's additions to chexpert-labeler's unmention lists, from the comparison with the IU
  /// collection's MeSH terms (docs/reports-labels.md): substrings that are not the observation
  /// ("endplate" is not a plate, "granulomatous infection" is an old, healed process).
  static let extraUnmention: [String: [String]] = [
    "Support Devices": ["endplate", "platelike", "plate-like", "b-line", "valve surgery", "valve replacement"],
    "Pneumonia": ["granulomatous infection", "granulomatous infectious"],
  ]

  public func label(_ report: String) -> CheXpertReportLabels {
    var mentions: [CheXpertMention] = []
    for sentence in Self.sentences(report) {
      let s = Array(sentence.unicodeScalars)
      let toks = Self.tokens(s)
      let pseudo = Self.pseudoSpans(toks)
      let pre = Self.scopes(ContextRules.preNegationUncertainty, tokens: toks, pseudo: pseudo)
      let neg = Self.scopes(ContextRules.negation, tokens: toks, pseudo: pseudo)
      let post = Self.scopes(ContextRules.postNegationUncertainty, tokens: toks, pseudo: pseudo)
      let stable = Self.scopes(ContextRules.stabilityTriggers, tokens: toks, pseudo: [])
      for (observation, phrases) in CheXpertPhrases.mention.sorted(by: { $0.key < $1.key }) {
        let unmentions = ((CheXpertPhrases.unmention[observation] ?? []) + (Self.extraUnmention[observation] ?? []))
          .flatMap { Self.find($0, in: s) }
        for phrase in phrases {
          for span in Self.find(phrase, in: s) {
            if unmentions.contains(where: { $0.overlaps(span) }) { continue }
            let covered = toks.indices.filter { toks[$0].end > span.lowerBound && toks[$0].start < span.upperBound }
            guard let first = covered.first, let last = covered.last else { continue }
            let mentionTokens = first..<(last + 1)
            func inScope(_ scopes: [Range<Int>]) -> Bool { scopes.contains { $0.overlaps(mentionTokens) } }
            let label: CheXpertLabel
            if inScope(pre) {
              label = .uncertain
            } else if inScope(neg) {
              label = .negative
            } else if inScope(post) {
              label = .uncertain
            } else if mentionTokens.contains(where: { ContextRules.silhouetteWords.contains(toks[$0].text) })
              && inScope(stable)
            {
              label = .uncertain
            } else {
              label = .positive
            }
            mentions.append(
              CheXpertMention(
                observation: observation, text: String(String.UnicodeScalarView(s[span])),
                sentence: sentence, label: label))
          }
        }
      }
    }
    return CheXpertReportLabels(labels: Self.aggregate(mentions), mentions: mentions)
  }

  /// Labels of many reports, in parallel.
  public func label(reports: [String]) -> [CheXpertReportLabels] {
    parallelMap(reports, minimumPerChunk: 16) { label($0) }
  }

  /// Non-overlapping leftmost occurrences of `phrase` (as `re.finditer` on a literal).
  static func find(_ phrase: String, in s: [Unicode.Scalar]) -> [Range<Int>] {
    let p = Array(phrase.unicodeScalars)
    guard !p.isEmpty, s.count >= p.count else { return [] }
    var out: [Range<Int>] = []
    var i = 0
    while i <= s.count - p.count {
      if s[i] == p[0] && Array(s[i..<(i + p.count)]) == p {
        out.append(i..<(i + p.count))
        i += p.count
      } else {
        i += 1
      }
    }
    return out
  }

  /// chexpert-labeler's aggregation of mention labels into one label per observation.
  static func aggregate(_ mentions: [CheXpertMention]) -> [CheXpertObservation: CheXpertLabel] {
    var lists: [CheXpertObservation: [CheXpertLabel]] = [:]
    var noFinding = true
    for m in mentions {
      let finding = m.label != .negative
      if m.observation != CheXpertObservation.supportDevices.rawValue && finding { noFinding = false }
      if m.observation == CheXpertObservation.noFinding.rawValue { continue }
      if finding && (m.text == "chf" || m.text == "heart failure") {
        lists[.cardiomegaly, default: []].append(.uncertain)
      }
      if let o = CheXpertObservation(rawValue: m.observation) { lists[o, default: []].append(m.label) }
    }
    var result: [CheXpertObservation: CheXpertLabel] = [:]
    for (o, list) in lists {
      guard let first = list.first else { continue }
      if list.count == 1 {
        result[o] = first
      } else if list.contains(.negative) && list.contains(.uncertain) {
        result[o] = .uncertain
      } else if list.contains(.negative) && list.contains(.positive) {
        result[o] = .positive
      } else if list.contains(.uncertain) && list.contains(.positive) {
        result[o] = .positive
      } else {
        result[o] = first
      }
    }
    if noFinding { result[.noFinding] = .positive }
    return result
  }
}
