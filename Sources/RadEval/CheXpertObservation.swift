/// The 14 CheXpert observations a report is labelled with.
///
/// `csvOrder` is the column order of chexpert-labeler's output CSV (No Finding first);
/// `chexbertOrder` is the order CheXbert / f1chexbert report metrics in (No Finding last).
/// The 5-label subset used in report-generation papers is `fiveLabels`.
public enum CheXpertObservation: String, Sendable, CaseIterable, Hashable, Codable {
  case noFinding = "No Finding"
  case enlargedCardiomediastinum = "Enlarged Cardiomediastinum"
  case cardiomegaly = "Cardiomegaly"
  case lungLesion = "Lung Lesion"
  case lungOpacity = "Lung Opacity"
  case edema = "Edema"
  case consolidation = "Consolidation"
  case pneumonia = "Pneumonia"
  case atelectasis = "Atelectasis"
  case pneumothorax = "Pneumothorax"
  case pleuralEffusion = "Pleural Effusion"
  case pleuralOther = "Pleural Other"
  case fracture = "Fracture"
  case supportDevices = "Support Devices"

  public static let csvOrder: [CheXpertObservation] = allCases

  public static let chexbertOrder: [CheXpertObservation] = [
    .enlargedCardiomediastinum, .cardiomegaly, .lungOpacity, .lungLesion, .edema, .consolidation,
    .pneumonia, .atelectasis, .pneumothorax, .pleuralEffusion, .pleuralOther, .fracture,
    .supportDevices, .noFinding,
  ]

  public static let fiveLabels: [CheXpertObservation] = [
    .cardiomegaly, .edema, .consolidation, .atelectasis, .pleuralEffusion,
  ]
}

/// A label value as chexpert-labeler writes it: 1 positive, 0 negative, −1 uncertain, blank
/// when the observation is not mentioned.
public enum CheXpertLabel: Int, Sendable, Hashable, Codable {
  case positive = 1
  case negative = 0
  case uncertain = -1

  /// The binary value used for label F1 in report generation: positive or uncertain = 1.
  public var asFinding: Int { self == .negative ? 0 : 1 }
}
