import Foundation
import Testing

@testable import RadReports

/// Gold sections of the project-written reports in Fixtures/sections (annotated by hand from the
/// fixture text: kind, heading as written, section text).
private let goldSections: [String: [(ReportSectionKind, String, String)]] = [
  "cxr_classic.txt": [
    (.examination, "EXAMINATION", "CHEST (PA AND LAT)"),
    (.indication, "INDICATION", "67-year-old with cough and fever."),
    (.technique, "TECHNIQUE", "PA and lateral views of the chest."),
    (.comparison, "COMPARISON", "None."),
    (
      .findings, "FINDINGS",
      "The lungs are clear without focal consolidation. No pleural effusion or pneumothorax.\nHeart size is normal."
    ),
    (.impression, "IMPRESSION", "No acute cardiopulmonary process."),
  ],
  "ct_subheadings.txt": [
    (.preamble, "", "CT CHEST WITH CONTRAST\nDictated at the main campus."),
    (.indication, "Clinical information", "Follow-up of pulmonary nodule."),
    (.technique, "Technique", "Axial images from the thoracic inlet to the adrenals after 80 mL iohexol."),
    (.comparison, "Comparison", "CT chest from last year."),
    (
      .findings, "Findings",
      "LUNGS: 6 mm nodule in the right upper lobe, unchanged.\nHEART: Normal size. No pericardial effusion.\n"
        + "ABDOMEN: Limited views are unremarkable."
    ),
    (.impression, "Conclusion", "1. Stable 6 mm right upper lobe nodule.\n2. No new findings."),
    (.recommendation, "Recommendation", "No further follow-up needed."),
  ],
  "cxr_inline.txt": [
    (.indication, "Indication", "shortness of breath."),
    (.findings, "Findings", "mild cardiomegaly, no effusion."),
    (.impression, "Impression", "cardiomegaly without failure."),
  ],
  "mr_markdown.txt": [
    (.indication, "History", "Headache for two weeks."),
    (.technique, "Technique", "Multiplanar multisequence MRI of the brain without and with gadolinium."),
    (.comparison, "Prior studies", "None available."),
    (.findings, "Findings", "No mass, hemorrhage or infarct. Ventricles are normal in size."),
    (.impression, "Summary", "Normal MRI of the brain."),
  ],
  "numbered_mixed.txt": [
    (.indication, "Reason for exam", "trauma."),
    (.comparison, "Comparison", "none"),
    (
      .findingsAndImpression, "Findings/Impression",
      "No fracture. Soft tissues are normal. Impression is unchanged from the history."
    ),
  ],
  "pet_ct.txt": [
    (.preamble, "", "PET/CT SKULL BASE TO MID THIGH"),
    (.indication, "CLINICAL HISTORY", "Diffuse large B-cell lymphoma, interim restaging."),
    (
      .technique, "TECHNIQUE",
      "10.2 mCi of F-18 FDG was administered intravenously. Blood glucose was 94 mg/dL. "
        + "Imaging began 62 minutes after injection."
    ),
    (.comparison, "COMPARISON", "PET/CT from 3 months earlier."),
    (
      .findings, "FINDINGS",
      "HEAD/NECK: Left level II lymph node with SUVmax 6.4 (previously 12.1).\n"
        + "CHEST: Right hilar lymph node measuring 1.2 cm, SUV max of 3.1. Mediastinal blood pool SUVmax 2.0.\n"
        + "ABDOMEN/PELVIS: Liver SUVmean 2.4. Spleen normal. Uptake time of 60 min."
    ),
    (
      .impression, "IMPRESSION",
      "1. Partial metabolic response, Deauville score 4.\n2. Residual left cervical node, Deauville IV."
    ),
  ],
]

/// Python-style slicing: the code points `start..<end` of `text`.
func codePointSlice(_ text: String, _ start: Int, _ end: Int) -> String {
  let scalars = Array(text.unicodeScalars)
  var view = String.UnicodeScalarView()
  view.append(contentsOf: scalars[start..<end])
  return String(view)
}

@Suite struct ReportSectionTests {
  @Test func patternsCompile() {
    #expect(ReportSectionParser().patternsAreValid)
    #expect(PETValueExtractor().patternsAreValid)
  }

  @Test(arguments: goldSections.keys.sorted())
  func sectionsOfFixture(name: String) throws {
    let text = try String(
      contentsOf: TestSupport.fixtures.appendingPathComponent("sections/\(name)"), encoding: .utf8)
    let parsed = ReportSectionParser().parse(text)
    let gold = try #require(goldSections[name])
    #expect(parsed.sections.map(\.kind) == gold.map(\.0))
    #expect(parsed.sections.map(\.heading) == gold.map(\.1))
    #expect(parsed.sections.map(\.text) == gold.map(\.2))
    for section in parsed.sections {
      #expect(codePointSlice(text, section.start, section.end) == section.text)
    }
  }

  @Test func offsetsAreCodePointsWithEmojiAndCombiningMarks() {
    // "🫁" is one code point but two UTF-16 units; "é" written as e + U+0301 is two code points, one Character.
    let text = "Clinical history: cafe\u{301} worker 🫁.\nFindings: clear 🫁 lungs.\nImpression: normal."
    let parsed = ReportSectionParser().parse(text)
    #expect(parsed.sections.map(\.kind) == [.indication, .findings, .impression])
    // Python: text.index("clear") == 44 (UTF-16 would say 45, Characters 43).
    #expect(parsed.sections[1].start == 44)
    for section in parsed.sections {
      #expect(codePointSlice(text, section.start, section.end) == section.text)
    }
    #expect(parsed.findings == "clear 🫁 lungs.")
  }

  @Test func subHeadingsAndWordsInTextAreNotSections() {
    let text = "FINDINGS:\nLUNGS: clear.\nHistory of smoking is noted in the findings above.\nIMPRESSION: normal"
    let parsed = ReportSectionParser().parse(text)
    #expect(parsed.sections.map(\.kind) == [.findings, .impression])
    #expect(parsed.impression == "normal")
  }

  @Test func reportWithoutHeadingsIsAllPreamble() {
    let parsed = ReportSectionParser().parse("  Heart size normal. Lungs clear.  ")
    #expect(parsed.sections.map(\.kind) == [.preamble])
    #expect(parsed.sections.first?.text == "Heart size normal. Lungs clear.")
    #expect(ReportSectionParser().parse("   ").sections.isEmpty)
  }

  @Test func petValuesOfFixture() throws {
    let text = try String(
      contentsOf: TestSupport.fixtures.appendingPathComponent("sections/pet_ct.txt"), encoding: .utf8)
    let values = PETValueExtractor().extract(from: text)
    let summary = values.map { "\($0.kind.rawValue)|\($0.value.map { String($0) } ?? "-")|\($0.site ?? "-")" }
    #expect(
      summary == [
        "injected_activity|377.4|-", "tracer|-|-", "blood_glucose|94.0|-", "uptake_time|62.0|-",
        "suv_max|6.4|Left level II lymph node", "suv_max|3.1|Right hilar lymph node",
        "suv_max|2.0|Mediastinal blood pool", "suv_mean|2.4|Liver", "uptake_time|60.0|-", "deauville|4.0|-",
        "deauville|4.0|Residual left cervical node",
      ])
    #expect(values.first { $0.kind == .tracer }?.unit == "FDG")
    for value in values {
      #expect(codePointSlice(text, value.start, value.end) == value.text)
    }
  }

  @Test(arguments: [
    ("SUVmax = 7.2 in the lesion", PETValue.Kind.suvMax, 7.2),
    ("max SUV of 11", .suvMax, 11), ("SUV(max) 3.4", .suvMax, 3.4), ("SUVpeak: 5.5", .suvPeak, 5.5),
    ("SUV 4.0", .suv, 4.0), ("Deauville 5/5", .deauville, 5), ("DS 3", .deauville, 3),
    ("5-point scale score 2", .deauville, 2), ("injected 370 MBq", .injectedActivity, 370),
    ("0.5 GBq of tracer", .injectedActivity, 500), ("12 millicuries", .injectedActivity, 444),
    ("imaged 1 hour after tracer injection", .uptakeTime, 60), ("uptake period: 75 min", .uptakeTime, 75),
    ("glucose 5.5 mmol/L", .bloodGlucose, 99),
  ])
  func petValueVariants(text: String, kind: PETValue.Kind, value: Double) throws {
    let found = try #require(PETValueExtractor().extract(from: text).first { $0.kind == kind })
    #expect(abs((found.value ?? -1) - value) < 1e-9)
  }

  @Test(arguments: [
    ("18F-FDG", "FDG"), ("[18F]FDG", "FDG"), ("Ga-68 DOTATATE", "DOTATATE"), ("68Ga-PSMA-11", "PSMA-11"),
    ("F-18 piflufolastat", "DCFPyL"), ("fluciclovine", "fluciclovine"), ("NaF", "NaF"),
  ])
  func tracers(text: String, name: String) {
    #expect(PETValueExtractor().extract(from: "Tracer: \(text).").map(\.unit) == [name])
  }

  @Test func sizesAreNotSUVs() {
    #expect(PETValueExtractor().extract(from: "SUV 2.5 cm lesion").isEmpty)
  }
}
