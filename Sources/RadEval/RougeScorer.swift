import Foundation

/// Precision, recall and F-measure of one ROUGE variant for one pair.
public struct PRF: Sendable, Equatable, Hashable {
  public var precision: Double
  public var recall: Double
  public var fmeasure: Double
  public init(precision: Double, recall: Double, fmeasure: Double) {
    self.precision = precision
    self.recall = recall
    self.fmeasure = fmeasure
  }
  public static let zero = PRF(precision: 0, recall: 0, fmeasure: 0)

  /// rouge-score's `fmeasure`: 2PR/(P+R), or 0 when both are 0.
  public init(precision p: Double, recall r: Double) {
    self.init(precision: p, recall: r, fmeasure: p + r > 0 ? 2 * p * r / (p + r) : 0)
  }
}

/// A ROUGE variant: `rougeN` (n-gram overlap), `rougeL` (longest common subsequence) or
/// `rougeLsum` (summary-level LCS over newline-separated sentences).
public enum RougeType: Sendable, Hashable, CustomStringConvertible {
  case n(Int)
  case l
  case lsum

  /// Parses `rouge1`…`rouge9`, `rougeL`, `rougeLsum` (rouge-score's names).
  public init?(name: String) {
    switch name {
    case "rougeL": self = .l
    case "rougeLsum": self = .lsum
    default:
      guard name.hasPrefix("rouge"), name.count == 6, let d = Int(name.dropFirst(5)), d > 0
      else { return nil }
      self = .n(d)
    }
  }

  public var description: String {
    switch self {
    case .n(let k): return "rouge\(k)"
    case .l: return "rougeL"
    case .lsum: return "rougeLsum"
    }
  }

  public static let standard: [RougeType] = [.n(1), .n(2), .l, .lsum]
}

/// ROUGE exactly as Google's rouge-score 0.1.2 computes it.
///
/// The first text of a pair is the reference (target): recall counts over its tokens, precision
/// over the hypothesis (prediction) tokens. Tokens come from `RougeTokenizer` (optionally
/// Porter-stemmed). With several references the reference with the highest F-measure is taken
/// per variant, as `score_multi` does.
public struct RougeScorer: Sendable {
  public let types: [RougeType]
  public let tokenizer: RougeTokenizer

  public init(types: [RougeType] = RougeType.standard, useStemmer: Bool = false) {
    self.types = types
    self.tokenizer = RougeTokenizer(useStemmer: useStemmer)
  }

  /// rouge-score has no signature string of its own; this one names every choice that changes
  /// the numbers.
  public var signature: String {
    "rouge-score:0.1.2|types:\(types.map(\.description).joined(separator: ","))|stem:\(tokenizer.useStemmer ? "yes" : "no")|tok:default|lsum-split:newline"
  }

  /// Scores of one pair, in the order of `types`.
  public func score(reference: String, hypothesis: String) -> [PRF] {
    var cache = StemCache()
    return score(references: [reference], hypothesis: hypothesis, cache: &cache)
  }

  /// `score_multi`: per variant, the score against the reference with the highest F-measure
  /// (the first one on ties, like `np.argmax`).
  public func score(references: [String], hypothesis: String) -> [PRF] {
    var cache = StemCache()
    return score(references: references, hypothesis: hypothesis, cache: &cache)
  }

  func score(references: [String], hypothesis: String, cache: inout StemCache) -> [PRF] {
    guard !references.isEmpty else { return types.map { _ in .zero } }
    var interner = SliceInterner()
    let pred = tokenizer.tokenIDs(hypothesis, interner: &interner, cache: &cache)
    let all = references.map { ref -> [PRF] in
      let target = tokenizer.tokenIDs(ref, interner: &interner, cache: &cache)
      return scoreTokens(target: target, prediction: pred, vocabulary: interner.count)
    }
    if all.count == 1 { return all[0] }
    return types.indices.map { t in
      var best = all[0][t]
      for s in all.dropFirst() where s[t].fmeasure > best.fmeasure { best = s[t] }
      return best
    }
  }

  func scoreTokens(target: [[Int32]], prediction: [[Int32]], vocabulary: Int) -> [PRF] {
    let flatTarget = target.count == 1 ? target[0] : target.flatMap { $0 }
    let flatPrediction = prediction.count == 1 ? prediction[0] : prediction.flatMap { $0 }
    return types.map { type -> PRF in
      switch type {
      case .n(let k): return Self.ngramScore(flatTarget, flatPrediction, k)
      case .l: return Self.lcsScore(flatTarget, flatPrediction)
      case .lsum: return Self.summaryLCS(target, prediction, vocabulary: vocabulary)
      }
    }
  }

  /// Scores of many pairs, in parallel on all cores; result order follows the input.
  public func scoreAll(_ pairs: [TextPair]) -> [[PRF]] {
    parallelMap(pairs, state: StemCache()) { cache, pair in
      score(references: pair.references, hypothesis: pair.hypothesis, cache: &cache)
    }
  }

  /// The plain mean of per-pair values, per variant (what papers call "average ROUGE").
  public static func mean(_ perPair: [[PRF]], count: Int) -> [PRF] {
    guard !perPair.isEmpty else { return Array(repeating: .zero, count: count) }
    var sums = [(Double, Double, Double)](repeating: (0, 0, 0), count: count)
    for row in perPair {
      for (i, s) in row.enumerated() {
        sums[i].0 += s.precision
        sums[i].1 += s.recall
        sums[i].2 += s.fmeasure
      }
    }
    let n = Double(perPair.count)
    return sums.map { PRF(precision: $0.0 / n, recall: $0.1 / n, fmeasure: $0.2 / n) }
  }

  /// rouge-score's `BootstrapAggregator.aggregate()` after `np.random.seed(seed)`: one interval
  /// per variant, each over (precision, recall, fmeasure).
  public static func bootstrap(
    _ perPair: [[PRF]], types: Int, seed: UInt32, samples: Int = 1000, confidence: Double = 0.95
  ) -> [BootstrapInterval] {
    var generator = MersenneTwister(seed: seed)
    return (0..<types).map { t in
      let matrix = perPair.map { [$0[t].precision, $0[t].recall, $0[t].fmeasure] }
      return BootstrapInterval.resample(
        matrix, samples: samples, confidence: confidence, generator: &generator)
    }
  }

  // MARK: - Variants

  static func ngramScore(_ target: [Int32], _ prediction: [Int32], _ n: Int) -> PRF {
    var overlap = 0
    let targetCount = max(target.count - n + 1, 0)
    let predictionCount = max(prediction.count - n + 1, 0)
    if n <= 4 {
      overlap = NGramKeys.clippedOverlap(
        NGramKeys.sorted(target, n), NGramKeys.sorted(prediction, n))
    } else {
      let p = NGramKeys.counts(prediction, n)
      for (g, c) in NGramKeys.counts(target, n) { overlap += min(c, p[g] ?? 0) }
    }
    let precision = Double(overlap) / Double(max(predictionCount, 1))
    let recall = Double(overlap) / Double(max(targetCount, 1))
    return PRF(precision: precision, recall: recall)
  }

  static func lcsScore(_ target: [Int32], _ prediction: [Int32]) -> PRF {
    guard !target.isEmpty, !prediction.isEmpty else { return .zero }
    let lcs = LCS.length(target, prediction)
    return PRF(
      precision: Double(lcs) / Double(prediction.count), recall: Double(lcs) / Double(target.count))
  }

  /// Summary-level LCS (ROUGE paper 3.2): union of LCS hits per reference sentence, clipped by
  /// token counts on both sides. Ids are dense below `vocabulary`.
  static func summaryLCS(_ refSents: [[Int32]], _ canSents: [[Int32]], vocabulary: Int) -> PRF {
    let m = refSents.reduce(0) { $0 + $1.count }
    let n = canSents.reduce(0) { $0 + $1.count }
    guard m > 0, n > 0 else { return .zero }
    var countsR = [Int32](repeating: 0, count: vocabulary)
    var countsC = [Int32](repeating: 0, count: vocabulary)
    for s in refSents { for t in s { countsR[Int(t)] += 1 } }
    for s in canSents { for t in s { countsC[Int(t)] += 1 } }
    var hits = 0
    var marks: [Bool] = []
    var scratch: [Int32] = []
    for r in refSents {
      marks = [Bool](repeating: false, count: r.count)
      for c in canSents { LCS.markIndices(r, c, into: &marks, table: &scratch) }
      for (i, marked) in marks.enumerated() where marked {
        let t = Int(r[i])
        if countsC[t] > 0 && countsR[t] > 0 {
          hits += 1
          countsC[t] -= 1
          countsR[t] -= 1
        }
      }
    }
    return PRF(precision: Double(hits) / Double(n), recall: Double(hits) / Double(m))
  }
}
