/// CheXbert-style label agreement between reference and generated reports.
///
/// Both sides are turned into 0/1 vectors over the 14 CheXpert observations (positive or
/// uncertain = 1, as in report-generation papers), then scored with scikit-learn's multi-label
/// precision/recall/F1: micro, macro, weighted and samples over 14 labels, micro and macro over
/// the 5-label subset, and 5-label exact-match accuracy, as f1chexbert reports them.
public struct LabelAgreement: Sendable {
  public var micro14: PrecisionRecallF1
  public var macro14: PrecisionRecallF1
  public var weighted14: PrecisionRecallF1
  public var samples14: PrecisionRecallF1
  public var micro5: PrecisionRecallF1
  public var macro5: PrecisionRecallF1
  public var accuracy5: Double
  public var perSampleExact5: [Double]
  /// Per-label report over the 14 labels in `CheXpertObservation.chexbertOrder`.
  public var perLabel: [PrecisionRecallF1]

  /// From 0/1 vectors in `CheXpertObservation.chexbertOrder`.
  public init(references: [[Int]], hypotheses: [[Int]]) throws {
    micro14 = try ClassificationMetrics.multilabel(truth: references, predicted: hypotheses, average: .micro)[0]
    macro14 = try ClassificationMetrics.multilabel(truth: references, predicted: hypotheses, average: .macro)[0]
    weighted14 = try ClassificationMetrics.multilabel(truth: references, predicted: hypotheses, average: .weighted)[0]
    samples14 = try ClassificationMetrics.multilabel(truth: references, predicted: hypotheses, average: .samples)[0]
    perLabel = try ClassificationMetrics.multilabel(truth: references, predicted: hypotheses, average: nil)
    let idx = CheXpertObservation.fiveLabels.compactMap { CheXpertObservation.chexbertOrder.firstIndex(of: $0) }
    let r5 = references.map { row in idx.map { row[$0] } }
    let h5 = hypotheses.map { row in idx.map { row[$0] } }
    micro5 = try ClassificationMetrics.multilabel(truth: r5, predicted: h5, average: .micro)[0]
    macro5 = try ClassificationMetrics.multilabel(truth: r5, predicted: h5, average: .macro)[0]
    perSampleExact5 = zip(r5, h5).map { $0 == $1 ? 1.0 : 0.0 }
    accuracy5 = perSampleExact5.isEmpty ? 0 : perSampleExact5.reduce(0, +) / Double(perSampleExact5.count)
  }

  /// Labels both report lists with `labeler` and compares them.
  public init(referenceReports: [String], generatedReports: [String], labeler: CheXpertLabeler = CheXpertLabeler())
    throws
  {
    guard referenceReports.count == generatedReports.count else {
      throw ClassificationError.lengthMismatch(truth: referenceReports.count, predicted: generatedReports.count)
    }
    let r = labeler.label(reports: referenceReports).map { $0.findingVector() }
    let h = labeler.label(reports: generatedReports).map { $0.findingVector() }
    try self.init(references: r, hypotheses: h)
  }
}
