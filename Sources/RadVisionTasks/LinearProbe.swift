import RadEval

/// A linear probe: features standardised with the training split's mean and deviation, then an
/// L2 logistic regression whose penalty is chosen by validation AUROC over a grid of C values.
/// It measures how much of a task a frozen encoder's features already separate.
public struct LinearProbe: Sendable {
  public let mean: [Double]
  public let deviation: [Double]
  public let model: LogisticRegression
  /// The C chosen, and the validation AUROC of every C tried.
  public let c: Double
  public let validationAUROC: [(c: Double, auroc: Double)]

  /// scikit-learn's default C and two decades either side.
  public static let defaultGrid: [Double] = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10]

  public static func train(
    features: [[Double]], labels: [Int], validationFeatures: [[Double]], validationLabels: [Int],
    grid: [Double] = defaultGrid
  ) throws -> LinearProbe {
    guard let width = features.first?.count, !grid.isEmpty else {
      throw LinearProbeError.invalidInput("no training features or no C values")
    }
    var mean = [Double](repeating: 0, count: width)
    var deviation = [Double](repeating: 0, count: width)
    for row in features { for j in 0..<width { mean[j] += row[j] } }
    for j in 0..<width { mean[j] /= Double(features.count) }
    for row in features { for j in 0..<width { deviation[j] += (row[j] - mean[j]) * (row[j] - mean[j]) } }
    // A constant feature keeps deviation 1 (it standardises to 0 either way).
    for j in 0..<width { deviation[j] = deviation[j] > 0 ? (deviation[j] / Double(features.count)).squareRoot() : 1 }
    func standardised(_ rows: [[Double]]) -> [[Double]] {
      rows.map { row in (0..<width).map { (row[$0] - mean[$0]) / deviation[$0] } }
    }
    let x = standardised(features)
    let xv = standardised(validationFeatures)
    var best: (c: Double, auroc: Double, model: LogisticRegression)?
    var tried: [(c: Double, auroc: Double)] = []
    for c in grid {
      let model = try LogisticRegression.fit(features: x, labels: labels, c: c, tolerance: 1e-6)
      let auroc = try ClassificationMetrics.rocAUC(truth: validationLabels, scores: model.probabilities(xv))
      tried.append((c, auroc))
      if best == nil || auroc > best!.auroc { best = (c, auroc, model) }
    }
    guard let best else { throw LinearProbeError.invalidInput("no C value tried") }
    return LinearProbe(mean: mean, deviation: deviation, model: best.model, c: best.c, validationAUROC: tried)
  }

  /// P(label 1) for raw (unstandardised) feature rows.
  public func probabilities(_ features: [[Double]]) -> [Double] {
    model.probabilities(features.map { row in (0..<row.count).map { (row[$0] - mean[$0]) / deviation[$0] } })
  }
}
