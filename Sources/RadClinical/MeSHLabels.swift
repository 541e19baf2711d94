import Foundation
import RadEval

/// The Indiana University collection's MeSH major terms as CheXpert observations: the annotators'
/// own reading of each report, used as a reference for text labelers. A term maps by its head
/// (the text before the first `/`), some heads only with a qualifier (`Cardiac Shadow/enlarged`);
/// the table is in docs/reports-labels.md. A report whose only term is `normal` is No Finding.
public enum MeSHCheXpertMap {
  /// (head, qualifier required or nil, observation)
  static let rules: [(String, String?, CheXpertObservation)] = [
    ("Cardiomegaly", nil, .cardiomegaly),
    ("Cardiac Shadow", "enlarged", .cardiomegaly),
    ("Heart", "enlarged", .cardiomegaly),
    ("Mediastinum", "enlarged", .enlargedCardiomediastinum),
    ("Mediastinum", "prominent", .enlargedCardiomediastinum),
    ("Mediastinum", "widened", .enlargedCardiomediastinum),
    ("Opacity", nil, .lungOpacity),
    ("Airspace Disease", nil, .lungOpacity),
    ("Density", nil, .lungOpacity),
    ("Infiltrate", nil, .lungOpacity),
    ("Lung Diseases, Interstitial", nil, .lungOpacity),
    ("Markings", "interstitial", .lungOpacity),
    ("Nodule", nil, .lungLesion),
    ("Mass", nil, .lungLesion),
    ("Pulmonary Edema", nil, .edema),
    ("Pulmonary Congestion", nil, .edema),
    ("Heart Failure", nil, .edema),
    ("Consolidation", nil, .consolidation),
    ("Pneumonia", nil, .pneumonia),
    ("Pulmonary Atelectasis", nil, .atelectasis),
    ("Pneumothorax", nil, .pneumothorax),
    ("Hydropneumothorax", nil, .pneumothorax),
    ("Hemopneumothorax", nil, .pneumothorax),
    ("Pleural Effusion", nil, .pleuralEffusion),
    ("Hydropneumothorax", nil, .pleuralEffusion),
    ("Thickening", "pleura", .pleuralOther),
    ("Pleura", nil, .pleuralOther),
    ("Cicatrix", "pleura", .pleuralOther),
    ("Fractures, Bone", nil, .fracture),
    ("Catheters, Indwelling", nil, .supportDevices),
    ("Implanted Medical Device", nil, .supportDevices),
    ("Surgical Instruments", nil, .supportDevices),
    ("Tube, Inserted", nil, .supportDevices),
    ("Medical Device", nil, .supportDevices),
    ("Stents", nil, .supportDevices),
  ]

  /// The observations a report's major terms name (No Finding when every term is `normal`).
  public static func observations(_ meshMajor: [String]) -> Set<CheXpertObservation> {
    var out: Set<CheXpertObservation> = []
    for term in meshMajor {
      let parts = term.split(separator: "/").map { $0.trimmingCharacters(in: .whitespaces) }
      guard let head = parts.first else { continue }
      for (ruleHead, qualifier, observation) in rules where ruleHead.lowercased() == head.lowercased() {
        if let qualifier, !parts.dropFirst().contains(where: { $0.lowercased() == qualifier }) { continue }
        out.insert(observation)
      }
    }
    if !meshMajor.isEmpty && meshMajor.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).lowercased() == "normal" }) {
      out.insert(.noFinding)
    }
    return out
  }

  /// The mapping as Markdown table rows (for the docs).
  public static var markdownRows: [String] {
    rules.map { "| \($0.0)\($0.1.map { "/…\($0)…" } ?? "") | \($0.2.rawValue) |" }
  }
}

/// How a text labeler's positive mentions agree with the MeSH reference, per observation: true
/// and false positives and negatives over a set of reports, with precision, recall and F1.
public struct MeSHAgreement: Sendable {
  public struct Row: Sendable, Equatable {
    public var observation: CheXpertObservation
    public var truePositives = 0
    public var falsePositives = 0
    public var falseNegatives = 0
    public var support: Int { truePositives + falseNegatives }
    public var precision: Double {
      truePositives + falsePositives > 0 ? Double(truePositives) / Double(truePositives + falsePositives) : 0
    }
    public var recall: Double { support > 0 ? Double(truePositives) / Double(support) : 0 }
    public var f1: Double { precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0 }
  }

  public var reports: Int
  public var rows: [Row]

  /// Compares predicted observation sets with reference sets, report by report.
  public init(predicted: [Set<CheXpertObservation>], reference: [Set<CheXpertObservation>]) {
    reports = predicted.count
    rows = CheXpertObservation.allCases.map { observation in
      var row = Row(observation: observation)
      for (p, r) in zip(predicted, reference) {
        switch (p.contains(observation), r.contains(observation)) {
        case (true, true): row.truePositives += 1
        case (true, false): row.falsePositives += 1
        case (false, true): row.falseNegatives += 1
        default: break
        }
      }
      return row
    }
  }

  /// Macro F1 over observations with support.
  public var macroF1: Double {
    let supported = rows.filter { $0.support > 0 }
    return supported.isEmpty ? 0 : supported.map(\.f1).reduce(0, +) / Double(supported.count)
  }

  /// The labeler's positive (or uncertain) observations for a report text.
  public static func labelerPositives(_ labels: CheXpertReportLabels) -> Set<CheXpertObservation> {
    Set(labels.labels.filter { $0.value == .positive || $0.value == .uncertain }.map(\.key))
  }

  public var table: String {
    var lines = ["| observation | support | precision | recall | F1 |", "|---|---:|---:|---:|---:|"]
    for row in rows {
      lines.append(
        "| \(row.observation.rawValue) | \(row.support) | \(Self.f(row.precision)) | \(Self.f(row.recall)) | \(Self.f(row.f1)) |")
    }
    lines.append("| macro (observations with support) | | | | \(Self.f(macroF1)) |")
    return lines.joined(separator: "\n")
  }

  public var json: String {
    let items = rows.map {
      "{\"observation\":\"\($0.observation.rawValue)\",\"support\":\($0.support),\"tp\":\($0.truePositives),"
        + "\"fp\":\($0.falsePositives),\"fn\":\($0.falseNegatives),\"precision\":\(Self.f($0.precision)),"
        + "\"recall\":\(Self.f($0.recall)),\"f1\":\(Self.f($0.f1))}"
    }
    return "{\"reports\":\(reports),\"macro_f1\":\(Self.f(macroF1)),\"observations\":[\(items.joined(separator: ","))]}"
  }

  static func f(_ x: Double) -> String { String(format: "%.4f", x) }
}
