/// The templated texts of a synthetic study, derived from its scene alone: the report (count,
/// side, zone and size of each lesion at the stated pixel spacing, effusion), the question–answer
/// pairs, and the comparison with a prior study. Because the texts are a function of the scene,
/// facts parsed back from a generated report can be scored exactly.
public enum ChestReport {
  /// The four questions every image is asked, in this order.
  public enum Question: String, Sendable, CaseIterable {
    case count = "How many nodules?"
    case side = "Which side is the largest nodule on?"
    case effusion = "Is there an effusion?"
    case size = "What size is the largest nodule?"

    /// Short name for per-type scores.
    public var kind: String {
      switch self {
      case .count: return "count"
      case .side: return "side"
      case .effusion: return "effusion"
      case .size: return "size"
      }
    }
  }

  static let numberWords = ["No", "One", "Two", "Three", "Four"]

  /// The lesion with the largest diameter (ties cannot occur in generated scenes).
  public static func largest(_ scene: ChestScene) -> ChestLesion? {
    scene.lesions.max { $0.sizeMillimetres(spacing: scene.spacing) < $1.sizeMillimetres(spacing: scene.spacing) }
  }

  /// The exact answer to `question` about `scene`.
  public static func answer(_ question: Question, for scene: ChestScene) -> String {
    switch question {
    case .count: return String(scene.lesions.count)
    case .side: return largest(scene)?.side.rawValue ?? "none"
    case .effusion: return scene.effusion == .none ? "no" : "yes"
    case .size: return largest(scene).map { "\($0.sizeMillimetres(spacing: scene.spacing)) mm" } ?? "none"
    }
  }

  /// Every question with its answer.
  public static func questionsAndAnswers(for scene: ChestScene) -> [(question: String, answer: String)] {
    Question.allCases.map { ($0.rawValue, answer($0, for: scene)) }
  }

  /// The report: findings sentence per lesion, then the pleura.
  public static func report(for scene: ChestScene) -> String {
    let spacing = String(format2(scene.spacing))
    var sentences = ["Pixel spacing \(spacing) mm."]
    let count = scene.lesions.count
    if count == 0 {
      sentences.append("No nodules.")
    } else {
      let noun = count == 1 ? "nodule" : "nodules"
      let places = scene.lesions.map {
        "\($0.side.rawValue) \($0.zone.rawValue) zone \($0.sizeMillimetres(spacing: scene.spacing)) mm"
      }
      sentences.append("\(numberWords[count]) \(noun): \(places.joined(separator: ", ")).")
      if let largest = largest(scene), count > 1 {
        sentences.append(
          "The largest is in the \(largest.side.rawValue) \(largest.zone.rawValue) zone and measures "
            + "\(largest.sizeMillimetres(spacing: scene.spacing)) mm.")
      }
    }
    switch scene.effusion {
    case .none: sentences.append("No pleural effusion.")
    case .left: sentences.append("Left pleural effusion.")
    case .right: sentences.append("Right pleural effusion.")
    case .both: sentences.append("Bilateral pleural effusions.")
    }
    return sentences.joined(separator: " ")
  }

  /// The comparison with the prior: one clause per changed lesion, or "No interval change."
  public static func comparison(_ changes: [LesionComparison]) -> String {
    var clauses: [String] = []
    for item in changes {
      let place = "\(item.side.rawValue) \(item.zone.rawValue) zone nodule"
      switch item.change {
      case .unchanged: continue
      case .new: clauses.append("New \(place) (\(item.currentMillimetres ?? 0) mm).")
      case .larger:
        clauses.append("Larger \(place) (\(item.priorMillimetres ?? 0) mm, now \(item.currentMillimetres ?? 0) mm).")
      case .smaller:
        clauses.append("Smaller \(place) (\(item.priorMillimetres ?? 0) mm, now \(item.currentMillimetres ?? 0) mm).")
      case .resolved: clauses.append("Resolved \(place) (\(item.priorMillimetres ?? 0) mm).")
      }
    }
    return clauses.isEmpty ? "No interval change." : clauses.joined(separator: " ")
  }

  /// 5.0, 2.5: one decimal.
  static func format2(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(tenths % 10)"
  }
}
