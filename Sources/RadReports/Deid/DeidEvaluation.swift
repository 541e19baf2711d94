import Foundation

/// Scores of one category (or all together): a gold identifier counts as found when predicted
/// spans (of any label) cover all of it, since a leak is a leak whatever the label; a predicted
/// span is correct when it overlaps a gold identifier. `labelAgreement` is the share of gold
/// identifiers overlapped by a prediction of their own label.
public struct DeidCategoryScore: Sendable, Equatable, Codable {
  public var gold = 0
  public var found = 0
  public var predicted = 0
  public var correct = 0
  public var sameLabel = 0

  public var recall: Double { gold == 0 ? 1 : Double(found) / Double(gold) }
  public var precision: Double { predicted == 0 ? 1 : Double(correct) / Double(predicted) }
  public var f1: Double { recall + precision == 0 ? 0 : 2 * recall * precision / (recall + precision) }
  public var labelAgreement: Double { gold == 0 ? 1 : Double(sameLabel) / Double(gold) }

  enum CodingKeys: String, CodingKey {
    case gold, found, predicted, correct
    case sameLabel = "same_label"
    case recall, precision, f1
    case labelAgreement = "label_agreement"
  }

  public init() {}

  public init(from decoder: Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    gold = try container.decode(Int.self, forKey: .gold)
    found = try container.decode(Int.self, forKey: .found)
    predicted = try container.decode(Int.self, forKey: .predicted)
    correct = try container.decode(Int.self, forKey: .correct)
    sameLabel = try container.decode(Int.self, forKey: .sameLabel)
  }

  public func encode(to encoder: Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(gold, forKey: .gold)
    try container.encode(found, forKey: .found)
    try container.encode(predicted, forKey: .predicted)
    try container.encode(correct, forKey: .correct)
    try container.encode(sameLabel, forKey: .sameLabel)
    try container.encode(recall, forKey: .recall)
    try container.encode(precision, forKey: .precision)
    try container.encode(f1, forKey: .f1)
    try container.encode(labelAgreement, forKey: .labelAgreement)
  }
}

/// The evaluation's result: per-category and overall scores, and how many clinical words (the
/// report's own and the distractors') came through untouched.
public struct DeidEvaluationReport: Sendable, Equatable, Codable {
  public let documents: Int
  public let categories: [String: DeidCategoryScore]
  public let overall: DeidCategoryScore
  public let clinicalWords: Int
  public let clinicalWordsKept: Int

  public var clinicalWordSurvival: Double {
    clinicalWords == 0 ? 1 : Double(clinicalWordsKept) / Double(clinicalWords)
  }

  enum CodingKeys: String, CodingKey {
    case documents, categories, overall
    case clinicalWords = "clinical_words"
    case clinicalWordsKept = "clinical_words_kept"
    case clinicalWordSurvival = "clinical_word_survival"
  }

  public init(
    documents: Int, categories: [String: DeidCategoryScore], overall: DeidCategoryScore, clinicalWords: Int,
    clinicalWordsKept: Int
  ) {
    self.documents = documents
    self.categories = categories
    self.overall = overall
    self.clinicalWords = clinicalWords
    self.clinicalWordsKept = clinicalWordsKept
  }

  public init(from decoder: Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    documents = try container.decode(Int.self, forKey: .documents)
    categories = try container.decode([String: DeidCategoryScore].self, forKey: .categories)
    overall = try container.decode(DeidCategoryScore.self, forKey: .overall)
    clinicalWords = try container.decode(Int.self, forKey: .clinicalWords)
    clinicalWordsKept = try container.decode(Int.self, forKey: .clinicalWordsKept)
  }

  public func encode(to encoder: Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(documents, forKey: .documents)
    try container.encode(categories, forKey: .categories)
    try container.encode(overall, forKey: .overall)
    try container.encode(clinicalWords, forKey: .clinicalWords)
    try container.encode(clinicalWordsKept, forKey: .clinicalWordsKept)
    try container.encode(clinicalWordSurvival, forKey: .clinicalWordSurvival)
  }
}

/// Spans the detector marks in reports that are already de-identified (the IU collection's own
/// text, every section, nothing injected): each one is a false alarm or an identifier the
/// collection's redaction missed.
public struct DeidUntouchedScore: Sendable, Equatable, Codable {
  public let reports: Int
  public let words: Int
  public let spans: Int
  public let labels: [String: Int]

  /// Spans per 10,000 words.
  public var spansPer10kWords: Double { words == 0 ? 0 : Double(spans) * 10_000 / Double(words) }
}

/// Runs the detector over the evaluation set and scores it.
public enum DeidEvaluation {
  /// The detector over every section of the reports of `split` (nil: all), unchanged.
  public static func untouched(_ collection: IUReportCollection, split: IUSplit?, detector: PHIDetector = PHIDetector())
    -> DeidUntouchedScore
  {
    var reports = 0
    var words = 0
    var labels: [String: Int] = [:]
    for report in collection.reports where split == nil || report.split == split {
      reports += 1
      for section in report.sections {
        words += DeidEvaluationSet.wordRanges(section.text).count
        for span in detector.detect(section.text) { labels[span.label.rawValue, default: 0] += 1 }
      }
    }
    return DeidUntouchedScore(reports: reports, words: words, spans: labels.values.reduce(0, +), labels: labels)
  }

  /// Predicted spans overlapping no gold identifier (false alarms), for `--misses`.
  public static func falseAlarms(_ cases: [DeidCase], detector: PHIDetector = PHIDetector()) -> [(
    id: String, span: PHISpan
  )] {
    cases.flatMap { item in
      detector.detect(item.text).filter { span in
        !item.gold.contains { $0.start < span.end && span.start < $0.end }
      }.map { (item.id, $0) }
    }
  }

  /// The gold identifiers not fully covered, with the predictions overlapping them (for `--misses`).
  public static func misses(_ cases: [DeidCase], detector: PHIDetector = PHIDetector())
    -> [(id: String, gold: PHISpan, predicted: [PHISpan])]
  {
    var result: [(id: String, gold: PHISpan, predicted: [PHISpan])] = []
    for item in cases {
      let predicted = detector.detect(item.text)
      for gold in item.gold {
        let overlapping = predicted.filter { $0.start < gold.end && gold.start < $0.end }
        var covered = Set<Int>()
        for span in overlapping { covered.formUnion(span.start..<span.end) }
        if !(gold.start..<gold.end).allSatisfy({ covered.contains($0) }) {
          result.append((item.id, gold, overlapping))
        }
      }
    }
    return result
  }

  public static func evaluate(_ cases: [DeidCase], detector: PHIDetector = PHIDetector()) -> DeidEvaluationReport {
    var categories: [PHILabel: DeidCategoryScore] = [:]
    var overall = DeidCategoryScore()
    var words = 0
    var kept = 0
    for item in cases {
      let predicted = detector.detect(item.text)
      var covered = [Bool](repeating: false, count: item.text.unicodeScalars.count)
      for span in predicted {
        for index in span.start..<span.end { covered[index] = true }
      }
      for gold in item.gold {
        var score = categories[gold.label] ?? DeidCategoryScore()
        score.gold += 1
        overall.gold += 1
        if (gold.start..<gold.end).allSatisfy({ covered[$0] }) {
          score.found += 1
          overall.found += 1
        }
        if predicted.contains(where: { $0.label == gold.label && $0.start < gold.end && gold.start < $0.end }) {
          score.sameLabel += 1
          overall.sameLabel += 1
        }
        categories[gold.label] = score
      }
      for span in predicted {
        var score = categories[span.label] ?? DeidCategoryScore()
        score.predicted += 1
        overall.predicted += 1
        if item.gold.contains(where: { $0.start < span.end && span.start < $0.end }) {
          score.correct += 1
          overall.correct += 1
        }
        categories[span.label] = score
      }
      for word in item.clinicalWords {
        words += 1
        if !word.contains(where: { covered[$0] }) { kept += 1 }
      }
    }
    return DeidEvaluationReport(
      documents: cases.count,
      categories: Dictionary(uniqueKeysWithValues: categories.map { ($0.key.rawValue, $0.value) }),
      overall: overall, clinicalWords: words, clinicalWordsKept: kept)
  }
}
