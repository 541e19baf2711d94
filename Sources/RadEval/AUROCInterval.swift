/// The area under the ROC curve of a binary classifier with a percentile bootstrap interval.
///
/// The test cases are resampled with replacement (indices drawn as NumPy's legacy
/// `RandomState(seed).randint(0, n, n)`), a resample holding only one class is skipped because
/// its AUROC is undefined, and the interval is NumPy's linear percentiles of the resampled
/// AUROCs, so a seeded run equals the same loop over scikit-learn's `roc_auc_score`.
public struct AUROCInterval: Sendable, Equatable {
  /// AUROC on all cases.
  public var auroc: Double
  /// Lower and upper percentile of the resampled AUROCs.
  public var low: Double
  public var high: Double
  /// Resamples drawn, and how many held both classes (the interval is taken over these).
  public var samples: Int
  public var validSamples: Int
  public var confidence: Double

  /// Bootstraps `samples` resamples of (`truth`, `scores`) at `confidence` (0.95: the 2.5th and
  /// 97.5th percentiles).
  public static func bootstrap(
    truth: [Int], scores: [Double], samples: Int = 1000, confidence: Double = 0.95, seed: UInt32 = 0
  ) throws -> AUROCInterval {
    let auroc = try ClassificationMetrics.rocAUC(truth: truth, scores: scores)
    guard samples > 0, confidence > 0, confidence < 1 else {
      throw ClassificationError.invalidArgument("bootstrap needs samples > 0 and 0 < confidence < 1")
    }
    var generator = MersenneTwister(seed: seed)
    let n = truth.count
    var aurocs: [Double] = []
    aurocs.reserveCapacity(samples)
    var resampledTruth = [Int](repeating: 0, count: n)
    var resampledScores = [Double](repeating: 0, count: n)
    for _ in 0..<samples {
      var positives = 0
      for k in 0..<n {
        let i = generator.nextInt(below: n)
        resampledTruth[k] = truth[i]
        resampledScores[k] = scores[i]
        if truth[i] != 0 { positives += 1 }
      }
      guard positives > 0, positives < n else { continue }
      aurocs.append(try ClassificationMetrics.rocAUC(truth: resampledTruth, scores: resampledScores))
    }
    guard !aurocs.isEmpty else {
      throw ClassificationError.invalidArgument("every bootstrap resample held a single class")
    }
    aurocs.sort()
    let tail = (1 - confidence) / 2
    return AUROCInterval(
      auroc: auroc, low: BootstrapInterval.percentile(aurocs, 100 * tail),
      high: BootstrapInterval.percentile(aurocs, 100 * (1 - tail)), samples: samples, validSamples: aurocs.count,
      confidence: confidence)
  }
}
