/// Precision, recall, F1 and support, the numbers scikit-learn's
/// `precision_recall_fscore_support` returns.
public struct PrecisionRecallF1: Sendable, Equatable {
  public var precision: Double
  public var recall: Double
  public var f1: Double
  /// Number of true instances (nil for averages, as scikit-learn).
  public var support: Int?
}

/// How per-label scores are combined, with scikit-learn's meanings: `micro` pools the counts,
/// `macro` is the unweighted mean over labels, `weighted` weighs labels by their support and
/// `samples` (multi-label only) averages per-sample scores.
public enum ScoreAveraging: String, Sendable, CaseIterable {
  case micro, macro, weighted, samples
}

/// Errors from classification metrics on malformed input.
public enum ClassificationError: Error, Equatable, CustomStringConvertible {
  case lengthMismatch(truth: Int, predicted: Int)
  case raggedLabels(row: Int, expected: Int, found: Int)
  case singleClass(String)
  case empty
  case invalidArgument(String)

  public var description: String {
    switch self {
    case .lengthMismatch(let t, let p):
      return "truth has \(t) items but predictions have \(p)"
    case .raggedLabels(let row, let e, let f):
      return "row \(row) has \(f) labels, expected \(e)"
    case .singleClass(let what):
      return "\(what) is undefined when only one class is present in the truth"
    case .empty: return "no samples"
    case .invalidArgument(let reason): return reason
    }
  }
}

/// Classification metrics with scikit-learn's definitions and zero-division-gives-0 behaviour.
///
/// F1 is computed from counts as 2TP/(2TP+FP+FN), exactly as scikit-learn does, not as
/// 2PR/(P+R), which can differ in the last digit. Multi-class inputs are label indices;
/// multi-label inputs are 0/1 rows, one column per label.
public enum ClassificationMetrics {
  struct Counts {
    var tp: [Int]
    var fp: [Int]
    var fn: [Int]
  }

  static func divide(_ a: Double, _ b: Double) -> Double { b == 0 ? 0 : a / b }

  static func prf(tp: Int, fp: Int, fn: Int) -> (Double, Double, Double) {
    let p = divide(Double(tp), Double(tp + fp))
    let r = divide(Double(tp), Double(tp + fn))
    let f = divide(2 * Double(tp), 1 * Double(tp + fn) + Double(tp + fp))
    return (p, r, f)
  }

  static func summarize(_ c: Counts, average: ScoreAveraging?) -> [PrecisionRecallF1] {
    let labels = c.tp.count
    var per: [PrecisionRecallF1] = []
    for l in 0..<labels {
      let (p, r, f) = prf(tp: c.tp[l], fp: c.fp[l], fn: c.fn[l])
      per.append(PrecisionRecallF1(precision: p, recall: r, f1: f, support: c.tp[l] + c.fn[l]))
    }
    guard let average else { return per }
    switch average {
    case .micro:
      let (p, r, f) = prf(tp: c.tp.reduce(0, +), fp: c.fp.reduce(0, +), fn: c.fn.reduce(0, +))
      return [PrecisionRecallF1(precision: p, recall: r, f1: f, support: nil)]
    case .macro, .samples:
      let n = Double(max(labels, 1))
      return [
        PrecisionRecallF1(
          precision: per.reduce(0) { $0 + $1.precision } / n,
          recall: per.reduce(0) { $0 + $1.recall } / n, f1: per.reduce(0) { $0 + $1.f1 } / n,
          support: nil)
      ]
    case .weighted:
      let w = per.map { Double($0.support ?? 0) }
      let total = w.reduce(0, +)
      func avg(_ k: KeyPath<PrecisionRecallF1, Double>) -> Double {
        total == 0 ? 0 : zip(per, w).reduce(0) { $0 + $1.0[keyPath: k] * $1.1 } / total
      }
      return [
        PrecisionRecallF1(
          precision: avg(\.precision), recall: avg(\.recall), f1: avg(\.f1), support: nil)
      ]
    }
  }

  // MARK: - Multi-class

  /// Per-class scores (`average: nil`) or one averaged score, over `labels` (default: every
  /// label seen in truth or predictions, ascending). `samples` is not defined here.
  public static func precisionRecallF1(
    truth: [Int], predicted: [Int], labels: [Int]? = nil, average: ScoreAveraging?
  ) throws -> [PrecisionRecallF1] {
    guard truth.count == predicted.count else {
      throw ClassificationError.lengthMismatch(truth: truth.count, predicted: predicted.count)
    }
    let labels = labels ?? Array(Set(truth + predicted)).sorted()
    var index: [Int: Int] = [:]
    for (i, l) in labels.enumerated() { index[l] = i }
    var c = Counts(
      tp: Array(repeating: 0, count: labels.count), fp: Array(repeating: 0, count: labels.count),
      fn: Array(repeating: 0, count: labels.count))
    for (t, p) in zip(truth, predicted) {
      if t == p {
        if let i = index[t] { c.tp[i] += 1 }
      } else {
        if let i = index[p] { c.fp[i] += 1 }
        if let i = index[t] { c.fn[i] += 1 }
      }
    }
    return summarize(c, average: average == .samples ? .macro : average)
  }

  /// Fraction of exact matches.
  public static func accuracy(truth: [Int], predicted: [Int]) throws -> Double {
    guard truth.count == predicted.count else {
      throw ClassificationError.lengthMismatch(truth: truth.count, predicted: predicted.count)
    }
    guard !truth.isEmpty else { throw ClassificationError.empty }
    return Double(zip(truth, predicted).filter { $0 == $1 }.count) / Double(truth.count)
  }

  /// `confusion[i][j]`: samples of true label `labels[i]` predicted as `labels[j]`.
  public static func confusionMatrix(truth: [Int], predicted: [Int], labels: [Int]? = nil) throws
    -> [[Int]]
  {
    guard truth.count == predicted.count else {
      throw ClassificationError.lengthMismatch(truth: truth.count, predicted: predicted.count)
    }
    let labels = labels ?? Array(Set(truth + predicted)).sorted()
    var index: [Int: Int] = [:]
    for (i, l) in labels.enumerated() { index[l] = i }
    var m = [[Int]](repeating: [Int](repeating: 0, count: labels.count), count: labels.count)
    for (t, p) in zip(truth, predicted) {
      if let i = index[t], let j = index[p] { m[i][j] += 1 }
    }
    return m
  }

  /// How far apart two different labels count in Cohen's kappa, as scikit-learn's `weights`:
  /// every disagreement alike, or by the distance between the labels' positions in sorted order
  /// (linear) or its square (quadratic), which suits ordinal ratings.
  public enum KappaWeighting: String, Sendable, CaseIterable {
    case unweighted, linear, quadratic
  }

  /// Cohen's kappa as scikit-learn's `cohen_kappa_score`: 1 − Σ w·observed / Σ w·expected over
  /// the confusion matrix of the sorted labels both raters used, expected from the two raters'
  /// marginals, w = 1 off the diagonal (unweighted), |i − j| (linear) or (i − j)² (quadratic)
  /// for label positions i and j. NaN when undefined (both raters always give the one same label).
  public static func cohenKappa(truth: [Int], predicted: [Int], weighting: KappaWeighting = .unweighted) throws
    -> Double
  {
    guard !truth.isEmpty else { throw ClassificationError.empty }
    let m = try confusionMatrix(truth: truth, predicted: predicted)
    let n = Double(truth.count)
    let rowSums = m.map { Double($0.reduce(0, +)) }
    let colSums = m.indices.map { j in Double(m.reduce(0) { $0 + $1[j] }) }
    var observed = 0.0
    var expected = 0.0
    for i in m.indices {
      for j in m.indices where i != j {
        let distance = Double(abs(i - j))
        let weight: Double
        switch weighting {
        case .unweighted: weight = 1
        case .linear: weight = distance
        case .quadratic: weight = distance * distance
        }
        observed += weight * Double(m[i][j])
        expected += weight * colSums[i] * rowSums[j] / n
      }
    }
    return expected == 0 ? .nan : 1 - observed / expected
  }

  // MARK: - Multi-label

  static func checkRows(_ truth: [[Int]], _ predicted: [[Int]]) throws -> Int {
    guard truth.count == predicted.count else {
      throw ClassificationError.lengthMismatch(truth: truth.count, predicted: predicted.count)
    }
    let width = truth.first?.count ?? 0
    for (i, (t, p)) in zip(truth, predicted).enumerated() {
      if t.count != width {
        throw ClassificationError.raggedLabels(row: i, expected: width, found: t.count)
      }
      if p.count != width {
        throw ClassificationError.raggedLabels(row: i, expected: width, found: p.count)
      }
    }
    return width
  }

  /// Multi-label scores over 0/1 indicator rows (non-zero counts as 1): per label
  /// (`average: nil`) or averaged, including `samples`.
  public static func multilabel(truth: [[Int]], predicted: [[Int]], average: ScoreAveraging?)
    throws -> [PrecisionRecallF1]
  {
    let width = try checkRows(truth, predicted)
    if average == .samples {
      var sp = 0.0
      var sr = 0.0
      var sf = 0.0
      for (t, p) in zip(truth, predicted) {
        var tp = 0
        var fp = 0
        var fn = 0
        for (a, b) in zip(t, p) {
          let x = a != 0
          let y = b != 0
          if x && y { tp += 1 } else if y { fp += 1 } else if x { fn += 1 }
        }
        let (p1, r1, f1) = prf(tp: tp, fp: fp, fn: fn)
        sp += p1
        sr += r1
        sf += f1
      }
      let n = Double(max(truth.count, 1))
      return [PrecisionRecallF1(precision: sp / n, recall: sr / n, f1: sf / n, support: nil)]
    }
    var c = Counts(
      tp: Array(repeating: 0, count: width), fp: Array(repeating: 0, count: width),
      fn: Array(repeating: 0, count: width))
    for (t, p) in zip(truth, predicted) {
      for j in 0..<width {
        let x = t[j] != 0
        let y = p[j] != 0
        if x && y { c.tp[j] += 1 } else if y { c.fp[j] += 1 } else if x { c.fn[j] += 1 }
      }
    }
    return summarize(c, average: average)
  }

  /// Subset accuracy: rows whose labels all match.
  public static func subsetAccuracy(truth: [[Int]], predicted: [[Int]]) throws -> Double {
    _ = try checkRows(truth, predicted)
    guard !truth.isEmpty else { throw ClassificationError.empty }
    let exact = zip(truth, predicted).filter { t, p in
      zip(t, p).allSatisfy { ($0 != 0) == ($1 != 0) }
    }.count
    return Double(exact) / Double(truth.count)
  }

  // MARK: - Ranking metrics (binary)

  /// Distinct score thresholds in descending order with cumulative true and false positives,
  /// as scikit-learn's `_binary_clf_curve`.
  static func curve(truth: [Int], scores: [Double]) -> (tps: [Double], fps: [Double]) {
    let order = scores.indices.sorted { scores[$0] > scores[$1] }
    var tps: [Double] = []
    var fps: [Double] = []
    var tp = 0.0
    var fp = 0.0
    for (k, i) in order.enumerated() {
      if truth[i] != 0 { tp += 1 } else { fp += 1 }
      if k == order.count - 1 || scores[order[k + 1]] != scores[i] {
        tps.append(tp)
        fps.append(fp)
      }
    }
    return (tps, fps)
  }

  static func checkBinary(_ truth: [Int], _ scores: [Double], _ what: String) throws {
    guard truth.count == scores.count else {
      throw ClassificationError.lengthMismatch(truth: truth.count, predicted: scores.count)
    }
    guard !truth.isEmpty else { throw ClassificationError.empty }
    let positives = truth.filter { $0 != 0 }.count
    if positives == 0 || positives == truth.count { throw ClassificationError.singleClass(what) }
  }

  /// Area under the ROC curve (trapezoids between distinct thresholds, ties count half).
  public static func rocAUC(truth: [Int], scores: [Double]) throws -> Double {
    try checkBinary(truth, scores, "ROC AUC")
    let (tps, fps) = curve(truth: truth, scores: scores)
    let p = tps.last ?? 1
    let n = fps.last ?? 1
    var area = 0.0
    var prevT = 0.0
    var prevF = 0.0
    for (t, f) in zip(tps, fps) {
      let tpr = t / p
      let fpr = f / n
      area += (fpr - prevF) * (tpr + prevT) / 2
      prevT = tpr
      prevF = fpr
    }
    return area
  }

  /// Average precision (area under the precision-recall curve as scikit-learn's
  /// `average_precision_score`: Σ (R_k − R_{k−1}) P_k, no interpolation).
  public static func averagePrecision(truth: [Int], scores: [Double]) throws -> Double {
    try checkBinary(truth, scores, "average precision")
    let (tps, fps) = curve(truth: truth, scores: scores)
    let total = tps.last ?? 1
    var ap = 0.0
    var prevR = 0.0
    for (t, f) in zip(tps, fps) {
      let r = t / total
      let precision = t + f == 0 ? 0 : t / (t + f)
      ap += (r - prevR) * precision
      prevR = r
    }
    return ap
  }
}
