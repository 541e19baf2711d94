import Foundation
import RadClinical
import RadEval
import RadModelFiles
import RadReports
import Testing

/// The MeSH → CheXpert map on project-written term lists, and the labeler's agreement with the
/// IU collection's own terms on the test split (requires `radlm fetch iu-reports`): the macro F1
/// must stay at the level docs/reports-labels.md reports, rounded down to the percent.
@Suite("MeSH major terms as CheXpert labels")
struct MeSHLabelTests {
  @Test func termsMapByHeadAndQualifier() {
    #expect(MeSHCheXpertMap.observations(["normal"]) == [.noFinding])
    #expect(MeSHCheXpertMap.observations(["normal", "Cardiomegaly/mild"]) == [.cardiomegaly])
    #expect(MeSHCheXpertMap.observations(["Cardiac Shadow/enlarged/mild"]) == [.cardiomegaly])
    #expect(MeSHCheXpertMap.observations(["Cardiac Shadow"]).isEmpty)
    #expect(MeSHCheXpertMap.observations(["Hydropneumothorax/apex/right"]) == [.pneumothorax, .pleuralEffusion])
    #expect(
      MeSHCheXpertMap.observations(["Thickening/pleura/bilateral", "Calcified Granuloma/lung"]) == [.pleuralOther])
    #expect(
      MeSHCheXpertMap.observations(["Catheters, Indwelling", "Pulmonary Atelectasis/base/left"]) == [
        .supportDevices, .atelectasis,
      ])
  }

  @Test func agreementCountsPerObservation() {
    let agreement = MeSHAgreement(
      predicted: [[.cardiomegaly], [.cardiomegaly, .edema], []], reference: [[.cardiomegaly], [], [.edema]])
    let cardiomegaly = agreement.rows.first { $0.observation == .cardiomegaly }
    #expect(cardiomegaly?.truePositives == 1 && cardiomegaly?.falsePositives == 1 && cardiomegaly?.precision == 0.5)
    let edema = agreement.rows.first { $0.observation == .edema }
    #expect(edema?.falsePositives == 1 && edema?.falseNegatives == 1 && edema?.f1 == 0)
  }

  @Test func labelerAgreesWithMeSHOnTheTestSplit() throws {
    let path: String
    do { path = try ModelCache().path(of: "iu-reports").path } catch {
      Issue.record("the IU reports are needed (radlm fetch iu-reports): \(error)")
      return
    }
    let agreement = MeSHAgreement.iuLabeler(collection: try IUReportCollection.load(from: path), split: .test)
    #expect(agreement.reports == 384)
    #expect(agreement.macroF1 >= 0.69, "macro F1 \(agreement.macroF1)")
    let f1 = Dictionary(uniqueKeysWithValues: agreement.rows.map { ($0.observation, $0.f1) })
    #expect((f1[.noFinding] ?? 0) >= 0.89 && (f1[.cardiomegaly] ?? 0) >= 0.89 && (f1[.pleuralEffusion] ?? 0) >= 0.93)
  }
}
