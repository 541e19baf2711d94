import Foundation
import RadEval
import Testing

/// Minimal RFC 4180 reader (quoted fields may hold commas and newlines).
func readCSV(_ text: String) -> [[String]] {
  var rows: [[String]] = []
  var row: [String] = []
  var field = ""
  var quoted = false
  var chars = Array(text.unicodeScalars)[...]
  while let c = chars.popFirst() {
    if quoted {
      if c == "\"" {
        if chars.first == "\"" { field.unicodeScalars.append("\""); chars = chars.dropFirst() } else { quoted = false }
      } else {
        field.unicodeScalars.append(c)
      }
    } else if c == "\"" {
      quoted = true
    } else if c == "," {
      row.append(field); field = ""
    } else if c == "\n" {
      row.append(field); rows.append(row); row = []; field = ""
    } else if c != "\r" {
      field.unicodeScalars.append(c)
    }
  }
  if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
  return rows
}

@Suite("CheXpert-style labeler")
struct CheXpertLabelerTests {
  static let labelerDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../third_party/chexpert-labeler").standardized

  @Test("chexpert-labeler's sample reports get their expected labels (all 14 columns)")
  func sampleReports() throws {
    let text = try String(
      contentsOf: Self.labelerDirectory.appendingPathComponent("chexpert_labeler_labeled_reports.csv"), encoding: .utf8)
    let rows = readCSV(text)
    let header = try #require(rows.first)
    #expect(header.count == 15)
    let body = rows.dropFirst().filter { $0.count == 15 }
    #expect(body.count >= 3)
    let labeler = CheXpertLabeler()
    for row in body {
      let got = labeler.label(row[0])
      for (column, name) in header.enumerated().dropFirst() {
        let observation = try #require(CheXpertObservation(rawValue: name))
        let expected: CheXpertLabel? =
          row[column].isEmpty ? nil : CheXpertLabel(rawValue: Int(Double(row[column]) ?? 9))
        #expect(
          got[observation] == expected,
          "\(name) in «\(row[0])»: \(String(describing: got[observation])) vs \(String(describing: expected)); mentions \(got.mentions.map { "\($0.text)=\($0.label)" })"
        )
      }
    }
  }

  @Test(
    "Scope rules: negation, uncertainty, pseudo-triggers, terminators, CHF exception",
    arguments: [
      ("No pneumothorax.", CheXpertObservation.pneumothorax, CheXpertLabel?.some(.negative)),
      ("No focal consolidation, pleural effusion, or pneumothorax.", .pleuralEffusion, .negative),
      ("Small left effusion but no pneumothorax.", .pleuralEffusion, .positive),
      ("Cannot exclude a small pneumothorax.", .pneumothorax, .uncertain),
      ("No new consolidation.", .consolidation, .uncertain),
      ("Opacity may represent pneumonia.", .pneumonia, .uncertain),
      ("No change in the moderate right pleural effusion.", .pleuralEffusion, .positive),
      ("Heart size is normal.", .cardiomegaly, .negative),
      ("Stable cardiac silhouette.", .cardiomegaly, .uncertain),
      ("Findings consistent with CHF.", .cardiomegaly, .uncertain),
      ("Pneumothorax has resolved.", .pneumothorax, .negative),
      ("Right PICC line in place.", .supportDevices, .positive),
      ("Calcified nodule in the right lung base.", .lungLesion, nil),
      ("Pericardial effusion.", .pleuralEffusion, nil),
    ])
  func rules(report: String, observation: CheXpertObservation, expected: CheXpertLabel?) {
    #expect(CheXpertLabeler().label(report)[observation] == expected)
  }

  @Test("No Finding only when nothing but support devices is positive or uncertain")
  func noFinding() {
    let l = CheXpertLabeler()
    #expect(l.label("Lungs are clear. No effusion. Pacemaker leads in place.")[.noFinding] == .positive)
    #expect(l.label("Mild degenerative changes of the spine.")[.noFinding] == nil)
    #expect(l.label("Mild cardiomegaly.")[.noFinding] == nil)
  }

  @Test("Label F1 between generated and reference reports")
  func agreement() throws {
    let refs = ["Left pleural effusion.", "No acute findings. No effusion.", "Cardiomegaly with mild edema."]
    let same = try LabelAgreement(referenceReports: refs, generatedReports: refs)
    #expect(same.micro14.f1 == 1 && same.accuracy5 == 1)
    let other = try LabelAgreement(
      referenceReports: refs, generatedReports: ["No effusion.", "No effusion.", "Cardiomegaly."])
    #expect(other.micro5.f1 < 1 && other.micro5.f1 > 0)
    #expect(throws: ClassificationError.self) {
      try LabelAgreement(referenceReports: refs, generatedReports: ["x"])
    }
  }
}
