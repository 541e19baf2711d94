import Foundation

/// One evaluation document: IU findings with identifiers injected, the labelled spans of the
/// injected identifiers and the word ranges that must survive (the report's own words and
/// injected clinical distractors such as "Swan-Ganz catheter" or "45-year-old").
public struct DeidCase: Sendable {
  public let id: String
  public let text: String
  public let gold: [PHISpan]
  public let clinicalWords: [Range<Int>]
}

/// Builds the de-identification evaluation set at run time from IU findings (never stored): each
/// report gets two to four identifiers, the categories taken in turn so every category appears in
/// every split, in varied formats (several per category) and positions (before, between and after
/// the report's sentences), and sometimes a clinical distractor sentence.
public enum DeidEvaluationSet {
  /// The cases of `collection` (one per report with findings; `split` nil for all).
  public static func build(from collection: IUReportCollection, split: IUSplit? = .test, seed: UInt64 = 14)
    -> [DeidCase]
  {
    let labels = PHILabel.allCases
    var cases: [DeidCase] = []
    var turn = 0
    for report in collection.reports where split == nil || report.split == split {
      guard let findings = report.findings else { continue }
      var random = DeidRandom(seed: seed, document: "deid-eval-\(report.number)")
      let sentences = splitSentences(findings)
      var pieces: [[InjectedPart]] = sentences.map { [InjectedPart($0, label: nil, clinical: true)] }
      let count = 2 + random.below(3)
      for _ in 0..<count {
        let label = labels[turn % labels.count]
        turn += 1
        let snippet = DeidSnippets.make(label, &random)
        // Mostly a sentence of its own; sometimes a parenthesis inside one of the report's sentences.
        let host = random.below(pieces.count)
        if random.below(4) == 0, let sentence = pieces[host].first, pieces[host].count == 1, sentence.clinical,
          sentence.text.hasSuffix(".")
        {
          var inner = snippet
          if let last = inner.last, last.label == nil, last.text.hasSuffix(".") {
            inner[inner.count - 1] = InjectedPart(String(last.text.dropLast()), label: nil, clinical: last.clinical)
          }
          pieces[host] =
            [InjectedPart(String(sentence.text.dropLast()), clinical: true), InjectedPart(" (")] + inner
            + [InjectedPart(").")]
        } else {
          pieces.insert(snippet, at: random.below(pieces.count + 1))
        }
      }
      if random.below(2) == 0 {
        pieces.insert(DeidSnippets.distractor(&random), at: random.below(pieces.count + 1))
      }
      cases.append(compose(id: String(report.number), pieces))
    }
    return cases
  }

  /// Sentences of a findings text (each keeps its final period).
  static func splitSentences(_ text: String) -> [String] {
    var sentences: [String] = []
    var current = ""
    let characters = Array(text)
    for (index, character) in characters.enumerated() {
      current.append(character)
      if character == "." && (index + 1 == characters.count || characters[index + 1] == " ") {
        let sentence = current.trimmingCharacters(in: .whitespaces)
        if !sentence.isEmpty { sentences.append(sentence) }
        current = ""
      }
    }
    let rest = current.trimmingCharacters(in: .whitespaces)
    if !rest.isEmpty { sentences.append(rest) }
    return sentences
  }

  private static func compose(id: String, _ pieces: [[InjectedPart]]) -> DeidCase {
    var text = String.UnicodeScalarView()
    var gold: [PHISpan] = []
    var words: [Range<Int>] = []
    for (index, piece) in pieces.enumerated() {
      if index > 0 { text.append(" ") }
      for part in piece {
        let start = text.count
        text.append(contentsOf: part.text.unicodeScalars)
        let end = text.count
        if let label = part.label {
          gold.append(PHISpan(start: start, end: end, label: label, text: part.text))
        } else if part.clinical {
          words += wordRanges(part.text).map { ($0.lowerBound + start)..<($0.upperBound + start) }
        }
      }
    }
    return DeidCase(id: id, text: String(text), gold: gold, clinicalWords: words)
  }

  /// Runs of letters and digits (code-point ranges).
  static func wordRanges(_ text: String) -> [Range<Int>] {
    var ranges: [Range<Int>] = []
    var start: Int?
    for (index, scalar) in text.unicodeScalars.enumerated() {
      let isWord = scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
      if isWord, start == nil { start = index }
      if !isWord, let begun = start {
        ranges.append(begun..<index)
        start = nil
      }
    }
    if let begun = start { ranges.append(begun..<text.unicodeScalars.count) }
    return ranges
  }
}

/// A piece of an injected snippet: identifier text (with its label), connecting text, or clinical
/// text whose words must survive.
struct InjectedPart {
  let text: String
  let label: PHILabel?
  let clinical: Bool

  init(_ text: String, label: PHILabel? = nil, clinical: Bool = false) {
    self.text = text
    self.label = label
    self.clinical = clinical
  }
}
