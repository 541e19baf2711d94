import Foundation
import RadClinical
import RadEval
import Testing

/// Expert-review sheets: Cohen's kappa against scikit-learn, the import of filled sample sheets
/// against tools/reference/review_fixtures.py, and the export's CSV and HTML.
@Suite struct ReviewTests {
  static let folder = ClinicalFixture.directory.appendingPathComponent("review")

  static func optionalDouble(_ any: Any?) -> Double? { (any as? NSNumber)?.doubleValue }

  static func close(_ a: Double?, _ b: Double?) -> Bool {
    switch (a, b) {
    case (nil, nil): return true
    case (let x?, let y?): return abs(x - y) <= 1e-12
    default: return false
    }
  }

  @Test func kappaMatchesScikitLearn() throws {
    let fixture = try ClinicalFixture.json("review/kappa.json")
    let cases = try #require(fixture["cases"] as? [[String: Any]])
    #expect(cases.count >= 10)
    for row in cases {
      let a = try #require(row["a"] as? [Int])
      let b = try #require(row["b"] as? [Int])
      for weighting in ClassificationMetrics.KappaWeighting.allCases {
        let value = try ClassificationMetrics.cohenKappa(truth: a, predicted: b, weighting: weighting)
        let got: Double? = value.isNaN ? nil : value
        #expect(Self.close(got, Self.optionalDouble(row[weighting.rawValue])), "\(weighting) \(a) \(b)")
      }
    }
  }

  @Test func importOfFilledSheetsMatchesReference() throws {
    let files = ["rater_a", "rater_b", "rater_c"].map { Self.folder.appendingPathComponent("\($0).csv") }
    let summary = try ReviewImport.summarise(files)
    let expected = try ClinicalFixture.json("review/summary.json")
    let variants = try #require(expected["variants"] as? [[String: Any]])
    #expect(summary.variants.map(\.variant) == variants.map { $0["variant"] as? String ?? "" })
    for (got, want) in zip(summary.variants, variants) {
      for mean in got.criteria {
        let entry = try #require(want[mean.criterion] as? [String: Any])
        #expect(mean.n == entry["n"] as? Int)
        #expect(Self.close(mean.mean, Self.optionalDouble(entry["mean"])), "\(got.variant) \(mean.criterion)")
      }
    }
    let agreement = try #require(expected["agreement"] as? [[String: Any]])
    #expect(summary.agreement.count == agreement.count)
    for (got, want) in zip(summary.agreement, agreement) {
      #expect(got.criterion == want["criterion"] as? String)
      #expect(got.raters == want["raters"] as? [String])
      #expect(got.n == want["n"] as? Int)
      #expect(Self.close(got.unweighted, Self.optionalDouble(want["unweighted"])))
      #expect(Self.close(got.linear, Self.optionalDouble(want["linear"])))
      #expect(Self.close(got.quadratic, Self.optionalDouble(want["quadratic"])))
    }
  }

  @Test func exportWritesSheetsThatReadBack() throws {
    let work = FileManager.default.temporaryDirectory.appendingPathComponent("radlm-review-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: work) }
    let predictions = work.appendingPathComponent("predictions")
    let checks = work.appendingPathComponent("checks")
    try FileManager.default.createDirectory(at: predictions, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(at: checks, withIntermediateDirectories: true)
    // Written for RadLM: synthetic findings with a comma, a quote, a line break and markup.
    let reference = work.appendingPathComponent("reference.jsonl")
    try Data(
      """
      {"id": 10, "findings": "Small left effusion, \\"trace\\".\\nNo pneumothorax.", "impression": "Small left effusion."}
      {"id": 20, "findings": "Heart <normal> & lungs clear.", "impression": "Normal chest."}
      {"id": 30, "findings": "Not predicted.", "impression": "Nothing."}

      """.utf8
    ).write(to: reference)
    try Data("{\"id\":10,\"impression\":\"Left effusion, small.\"}\n{\"id\":20,\"impression\":\"Normal.\"}\n".utf8)
      .write(to: predictions.appendingPathComponent("lora.jsonl"))
    try Data("{\"id\":\"20\",\"impression\":\"Right effusion.\"}\n".utf8)
      .write(to: predictions.appendingPathComponent("zero-shot.jsonl"))
    try Data("{\"id\":20,\"issues\":[{\"kind\":\"unsupported_claim\",\"message\":\"effusion\"}]}\n".utf8)
      .write(to: checks.appendingPathComponent("zero-shot.jsonl"))
    let sheet = try ReviewExport.sheet(predictions: predictions, reference: reference, checks: checks)
    #expect(sheet.variants == ["lora", "zero-shot"])
    #expect(sheet.items.map(\.id) == ["10", "20"])
    #expect(sheet.items[1].flags["zero-shot"] == ["unsupported claim: effusion"])
    let written = try ReviewExport.write(sheet, to: work.appendingPathComponent("out"))
    let records = try CSVTable.read(try String(contentsOf: written.csv, encoding: .utf8), file: written.csv.path)
    #expect(records.count == 3)
    #expect(records[0].fields == sheet.header)
    #expect(records[1].fields[1] == "Small left effusion, \"trace\".\nNo pneumothorax.")
    #expect(records[2].line == 4)
    #expect(records[2].fields[sheet.header.firstIndex(of: "zero-shot flags")!] == "unsupported claim: effusion")
    let html = try String(contentsOf: written.html, encoding: .utf8)
    #expect(html.contains("<table id=\"review\">"))
    #expect(html.contains("Heart &lt;normal&gt; &amp; lungs clear."))
    #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"))
    // An unfilled sheet imports with no ratings.
    let empty = try ReviewImport.read(written.csv)
    #expect(empty.values.isEmpty && empty.variants == ["lora", "zero-shot"])
  }

  @Test func badRatingsNameFileLineAndColumn() throws {
    let work = FileManager.default.temporaryDirectory.appendingPathComponent(
      "radlm-review-bad-\(UUID().uuidString).csv")
    defer { try? FileManager.default.removeItem(at: work) }
    try Data("id,findings,lora,lora correctness,lora harm\n1,\"a\nb\",x,4,0\n2,c,y,6,0\n".utf8).write(to: work)
    #expect(
      throws: ReviewError.badRating(file: work.path, line: 4, column: "lora correctness", value: "6", allowed: 1...5)
    ) { try ReviewImport.read(work) }
    try Data("id,lora correctness\n1,\"4\n".utf8).write(to: work)
    #expect(throws: ReviewError.malformed(file: work.path, line: 2, reason: "a quoted field is never closed")) {
      try ReviewImport.read(work)
    }
  }
}
