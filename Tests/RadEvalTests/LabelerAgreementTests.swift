import Foundation
import RadEval
import Testing

/// Per-label agreement of RadEval's CheXpert-style labeler with the reference labels of 400 CC BY
/// ROCO captions (tools/reference/labeler_agreement_fixtures.py: chexpert-labeler's mention lists,
/// cleaning and aggregation with negspacy's NegEx for negation, since NegBio and the BLLIP parser
/// cannot be installed here). Labels are three-way (affirmed = positive or uncertain, negative,
/// blank) because that reference has no uncertainty class. The floors are the figures documented
/// in docs/LABELER_AGREEMENT.md, rounded down: a change that labels worse fails here.
@Suite struct LabelerAgreementTests {
  struct Item {
    var text: String
    var reference: [String]
  }

  static func fixture() throws -> (observations: [String], items: [Item], root: [String: Any]) {
    let root = try Fixture.json("labeler_agreement.json")
    let observations = try #require(root["observations"] as? [String])
    let items = try #require(root["items"] as? [[String: Any]]).map { item in
      Item(text: item["text"] as? String ?? "", reference: item["labels"] as? [String] ?? [])
    }
    return (observations, items, root)
  }

  static func threeWay(_ label: CheXpertLabel?) -> String {
    switch label {
    case .positive?, .uncertain?: return "A"
    case .negative?: return "N"
    case nil: return "B"
    }
  }

  /// Documented agreement (docs/LABELER_AGREEMENT.md) rounded down to the percent, per label.
  static let agreementFloor: [String: Double] = [
    "No Finding": 0.96, "Enlarged Cardiomediastinum": 0.99, "Cardiomegaly": 0.99, "Lung Lesion": 0.98,
    "Lung Opacity": 0.99, "Edema": 1, "Consolidation": 1, "Pneumonia": 1, "Atelectasis": 0.99,
    "Pneumothorax": 1, "Pleural Effusion": 1, "Pleural Other": 1, "Fracture": 1, "Support Devices": 0.99,
  ]
  /// The same over the reports that either labeler mentions the observation in.
  static let mentionedFloor: [String: Double] = [
    "No Finding": 0.88, "Enlarged Cardiomediastinum": 0.90, "Cardiomegaly": 0.85, "Lung Lesion": 0.96,
    "Lung Opacity": 0.92, "Edema": 1, "Consolidation": 1, "Pneumonia": 1, "Atelectasis": 0.85,
    "Pneumothorax": 1, "Pleural Effusion": 1, "Pleural Other": 1, "Fracture": 1, "Support Devices": 0.98,
  ]
  static let overallFloor = 0.995

  @Test func agreementWithTheReferenceLabelsIsAtTheDocumentedLevel() throws {
    let (observations, items, _) = try Self.fixture()
    #expect(items.count == 400 && observations.count == 14)
    let labels = CheXpertLabeler().label(reports: items.map(\.text))
    var table =
      "| Observation | reference A/N/B | radlm A/N/B | agreement | Cohen's κ | mentioned by either | agreement there |\n|---|---|---|---:|---:|---:|---:|\n"
    var agreeing = 0
    for (k, name) in observations.enumerated() {
      let observation = try #require(CheXpertObservation(rawValue: name))
      let ours = labels.map { Self.threeWay($0[observation]) }
      let ref = items.map { $0.reference[k] }
      let same = zip(ours, ref).filter { $0 == $1 }.count
      agreeing += same
      let code = ["A": 1, "N": 0, "B": 2]
      let kappa = try ClassificationMetrics.cohenKappa(
        truth: ref.map { code[$0] ?? -1 }, predicted: ours.map { code[$0] ?? -1 })
      func counts(_ v: [String]) -> String {
        ["A", "N", "B"].map { c in "\(v.filter { $0 == c }.count)" }.joined(separator: "/")
      }
      let agreement = Double(same) / Double(items.count)
      // Blanks agree by construction (both sides use the same mention lists); the labels of
      // reports that either side mentions show the negation engines' differences.
      let mentioned = zip(ours, ref).filter { $0 != "B" || $1 != "B" }
      let mentionedAgreement = Double(mentioned.filter { $0 == $1 }.count) / Double(Swift.max(mentioned.count, 1))
      table +=
        "| \(name) | \(counts(ref)) | \(counts(ours)) | \(String(format: "%.3f", agreement)) | "
        + "\(kappa.isNaN ? "n/a" : String(format: "%.3f", kappa)) | \(mentioned.count) | \(String(format: "%.3f", mentionedAgreement)) |\n"
      #expect(agreement >= Self.agreementFloor[name, default: 1], "\(name): \(agreement)")
      #expect(mentionedAgreement >= Self.mentionedFloor[name, default: 1], "\(name) (mentioned): \(mentionedAgreement)")
    }
    let overall = Double(agreeing) / Double(items.count * observations.count)
    table += "| all 14 | | | \(String(format: "%.4f", overall)) | | | |\n"
    print(table)
    #expect(overall >= Self.overallFloor)
  }

  @Test func cohenKappaMatchesScikitLearn() throws {
    let check = try #require(try Self.fixture().root["kappa_check"] as? [String: Any])
    let a = try #require(check["a"] as? [Int]), b = try #require(check["b"] as? [Int])
    let want = try #require(check["kappa"] as? Double)
    #expect(abs(try ClassificationMetrics.cohenKappa(truth: a, predicted: b) - want) <= 1e-12)
    #expect(try ClassificationMetrics.cohenKappa(truth: [1, 1], predicted: [1, 1]).isNaN)
  }
}
