/// A percentile bootstrap confidence interval over per-pair scores, computed as rouge-score's
/// `BootstrapAggregator` does.
///
/// Resample the pairs with replacement `samples` times, average each resample, and report the
/// lower percentile, the median and the upper percentile of those means (NumPy's linear
/// percentile). With a seed the resamples are NumPy's own, so a seeded run equals
/// `np.random.seed(seed); BootstrapAggregator().aggregate()` exactly.
public struct BootstrapInterval: Sendable, Equatable {
  public var low: [Double]
  public var mid: [Double]
  public var high: [Double]

  /// `matrix[pair][measure]`; the generator is advanced as NumPy's would be, so several score
  /// types resampled in turn with the same generator match rouge-score's `aggregate()` loop.
  public static func resample(
    _ matrix: [[Double]], samples: Int = 1000, confidence: Double = 0.95,
    generator: inout MersenneTwister
  ) -> BootstrapInterval {
    let n = matrix.count
    let width = matrix.first?.count ?? 0
    guard n > 0, width > 0, samples > 0 else {
      return BootstrapInterval(low: [], mid: [], high: [])
    }
    var means = [[Double]](repeating: [Double](repeating: 0, count: samples), count: width)
    var sums = [Double](repeating: 0, count: width)
    for s in 0..<samples {
      for j in 0..<width { sums[j] = 0 }
      for _ in 0..<n {
        let row = matrix[generator.nextInt(below: n)]
        for j in 0..<width { sums[j] += row[j] }
      }
      for j in 0..<width { means[j][s] = sums[j] / Double(n) }
    }
    let delta = (1 - confidence) / 2
    let q = [100 * delta, 100 * 0.5, 100 * (1 - delta)]
    var result = BootstrapInterval(low: [], mid: [], high: [])
    for j in 0..<width {
      let sorted = means[j].sorted()
      result.low.append(percentile(sorted, q[0]))
      result.mid.append(percentile(sorted, q[1]))
      result.high.append(percentile(sorted, q[2]))
    }
    return result
  }

  /// NumPy's default ('linear') percentile of an ascending array, same floating-point steps.
  public static func percentile(_ sorted: [Double], _ q: Double) -> Double {
    let n = Double(sorted.count)
    let quantile = q / 100
    let virtualIndex = n * quantile + (1 + quantile * (1 - 1 - 1)) - 1
    let previous = virtualIndex.rounded(.down)
    let gamma = virtualIndex - previous
    let lo = max(0, min(sorted.count - 1, Int(previous)))
    let hi = max(0, min(sorted.count - 1, lo + 1))
    let a = sorted[lo]
    let b = sorted[hi]
    let diff = b - a
    return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma
  }
}
