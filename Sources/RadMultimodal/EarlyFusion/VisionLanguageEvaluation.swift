import Foundation
import RadInference
import RadSyntheticCXR

/// Scores an early-fusion model on synthetic chest annotations: exact-match accuracy per
/// question type (answers compared after trimming spaces and a final full stop, ignoring case),
/// and, with reports, the accuracy of the facts parsed back from each generated report (lesion
/// count, the set of sides with lesions, effusion) against the ground truth.
public enum VisionLanguageEvaluation {
  /// Correct and total per score name.
  public struct Scores: Sendable, Equatable {
    public var counts: [String: (correct: Int, total: Int)] = [:]

    public static func == (a: Scores, b: Scores) -> Bool {
      a.counts.keys == b.counts.keys && a.counts.allSatisfy { b.counts[$0.key].map { $0 == $0 } ?? false }
    }

    mutating func add(_ name: String, _ correct: Bool) {
      var entry = counts[name] ?? (0, 0)
      entry.total += 1
      if correct { entry.correct += 1 }
      counts[name] = entry
    }

    /// Accuracy per score name.
    public var accuracy: [String: Double] {
      counts.mapValues { $0.total > 0 ? Double($0.correct) / Double($0.total) : 0 }
    }
  }

  /// The facts a report states.
  public struct ReportFacts: Sendable, Equatable {
    public var count: Int?
    public var sides: Set<String>
    public var effusion: String?
  }

  /// Reads count, sides and effusion from a report in the synthetic template's words.
  public static func facts(of report: String) -> ReportFacts {
    let text = report.lowercased()
    var count: Int?
    for (index, word) in ["no nodules", "one nodule", "two nodules", "three nodules"].enumerated()
    where text.contains(word) {
      count = index
      break
    }
    var sides: Set<String> = []
    for side in ["right", "left"] {
      for zone in ["upper", "middle", "lower"] where text.contains("\(side) \(zone) zone") { sides.insert(side) }
    }
    var effusion: String?
    if text.contains("no pleural effusion") {
      effusion = "none"
    } else if text.contains("bilateral pleural effusion") {
      effusion = "both"
    } else if text.contains("left pleural effusion") {
      effusion = "left"
    } else if text.contains("right pleural effusion") {
      effusion = "right"
    }
    return ReportFacts(count: count, sides: sides, effusion: effusion)
  }

  static func normalized(_ answer: String) -> String {
    var text = answer.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    if text.hasSuffix(".") { text.removeLast() }
    return text
  }

  /// Scores `annotations` (image paths relative to `root`); `reports` adds report generation.
  /// `progress` gets the number of images done.
  public static func evaluate(
    _ model: VisionLanguageModel, annotations: [ChestAnnotation], root: URL, reports: Bool,
    maxAnswerTokens: Int = 8, maxReportTokens: Int = 96, progress: (Int) -> Void = { _ in }
  ) throws -> Scores {
    var scores = Scores()
    var settings = GenerationSettings()
    for (index, annotation) in annotations.enumerated() {
      let path = root.appendingPathComponent(annotation.image).path
      settings.maxTokens = maxAnswerTokens
      for pair in annotation.qa {
        let kind = ChestReport.Question(rawValue: pair.question)?.kind ?? pair.question
        let reply = try model.answer(imagePath: path, question: pair.question, settings: settings).text
        scores.add("vqa_\(kind)", normalized(reply) == normalized(pair.answer))
      }
      if reports {
        settings.maxTokens = maxReportTokens
        let generated = try model.answer(
          imagePath: path, question: SyntheticChestExamples.reportPrompt, settings: settings
        ).text
        let found = facts(of: generated)
        let truth = facts(of: annotation.report)
        scores.add("report_count", found.count == truth.count)
        scores.add("report_side", found.sides == truth.sides)
        scores.add("report_effusion", found.effusion == truth.effusion)
      }
      progress(index + 1)
    }
    return scores
  }
}
