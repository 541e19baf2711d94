import Foundation

/// BLEU's smoothing methods as sacrebleu names them (Chen & Cherry 2014): `exp` (NIST, the
/// default), `floor` (method 1, value 0.1), `add-k` (method 2, value 1) and `none`.
public enum BLEUSmoothing: Sendable, Equatable {
  case exp
  case floor(Double)
  case addK(Double)
  case none

  /// Parses sacrebleu's names; `value` overrides the default of `floor` and `add-k`.
  public init?(name: String, value: Double? = nil) {
    switch name {
    case "exp": self = .exp
    case "none": self = .none
    case "floor": self = .floor(value ?? 0.1)
    case "add-k": self = .addK(value ?? 1)
    default: return nil
    }
  }

  /// `smooth:` field of the signature, e.g. `exp` or `floor[0.10]`.
  public var signatureName: String {
    switch self {
    case .exp: return "exp"
    case .none: return "none"
    case .floor(let v): return "floor[\(Self.twoDecimals(v))]"
    case .addK(let v): return "add-k[\(Self.twoDecimals(v))]"
    }
  }

  static func twoDecimals(_ v: Double) -> String { String(format: "%.2f", v) }
}

/// BLEU's sufficient statistics for one segment or a whole corpus (sums of segments).
public struct BLEUStatistics: Sendable, Equatable {
  public var hypothesisLength: Int
  public var referenceLength: Int
  public var correct: [Int]
  public var total: [Int]

  public static func zero(order: Int) -> BLEUStatistics {
    BLEUStatistics(
      hypothesisLength: 0, referenceLength: 0, correct: Array(repeating: 0, count: order),
      total: Array(repeating: 0, count: order))
  }

  public static func + (a: BLEUStatistics, b: BLEUStatistics) -> BLEUStatistics {
    BLEUStatistics(
      hypothesisLength: a.hypothesisLength + b.hypothesisLength,
      referenceLength: a.referenceLength + b.referenceLength,
      correct: zip(a.correct, b.correct).map(+), total: zip(a.total, b.total).map(+))
  }
}

/// A BLEU score on sacrebleu's 0-100 scale with the numbers it prints beside it.
public struct BLEUScore: Sendable, Equatable {
  public var score: Double
  public var counts: [Double]
  public var totals: [Double]
  public var precisions: [Double]
  public var brevityPenalty: Double
  public var hypothesisLength: Int
  public var referenceLength: Int
}

/// BLEU exactly as sacrebleu 2.6.0 computes it, at corpus and sentence level.
///
/// Tokenize each segment (13a by default), count clipped n-gram matches against the maximum
/// count over the references, take the closest reference length (the shorter on ties), and
/// combine the modified precisions geometrically with a brevity penalty. Corpus BLEU sums the
/// segment statistics first; it is not the mean of sentence scores.
public struct SacreBLEU: Sendable {
  public static let version = "2.6.0"
  public var tokenizer: SacreBLEUTokenizer
  public var smoothing: BLEUSmoothing
  public var effectiveOrder: Bool
  public var lowercase: Bool
  public var maxOrder: Int

  /// Defaults of `sacrebleu.corpus_bleu`: 13a, exp smoothing, no effective order.
  public init(
    tokenizer: SacreBLEUTokenizer = .thirteenA, smoothing: BLEUSmoothing = .exp,
    effectiveOrder: Bool = false, lowercase: Bool = false, maxOrder: Int = 4
  ) {
    self.tokenizer = tokenizer
    self.smoothing = smoothing
    self.effectiveOrder = effectiveOrder
    self.lowercase = lowercase
    self.maxOrder = min(max(maxOrder, 1), 4)
  }

  /// sacrebleu's reproducibility signature; `nrefs` is `var` when pairs differ in count.
  public func signature(referenceCounts: Set<Int>) -> String {
    let nrefs = referenceCounts.count == 1 ? String(referenceCounts.first ?? 1) : "var"
    return
      "nrefs:\(nrefs)|case:\(lowercase ? "lc" : "mixed")|eff:\(effectiveOrder ? "yes" : "no")|tok:\(tokenizer.signatureName)|smooth:\(smoothing.signatureName)|version:\(Self.version)"
  }

  public func signature(for pairs: [TextPair]) -> String {
    signature(referenceCounts: Set(pairs.map(\.references.count)))
  }

  // MARK: - Statistics

  /// Interned token ids of one segment.
  private func ids(_ text: String, _ interner: inout SliceInterner) -> [Int32] {
    let cps = tokenizer.tokenizedCodePoints(lowercase ? PythonText.lower(text) : text)
    var out: [Int32] = []
    out.reserveCapacity(cps.count / 4 + 1)
    cps.withUnsafeBufferPointer { p in
      if tokenizer == .char {
        for i in 0..<p.count where !PythonText.isWhitespace(p[i]) {
          out.append(interner.id(UnsafeBufferPointer(rebasing: p[i..<(i + 1)])))
        }
        return
      }
      var start = -1
      for i in 0..<p.count {
        if PythonText.isWhitespace(p[i]) {
          if start >= 0 {
            out.append(interner.id(UnsafeBufferPointer(rebasing: p[start..<i])))
            start = -1
          }
        } else if start < 0 {
          start = i
        }
      }
      if start >= 0 { out.append(interner.id(UnsafeBufferPointer(rebasing: p[start..<p.count]))) }
    }
    return out
  }

  /// Statistics of one hypothesis against its references.
  public func statistics(hypothesis: String, references: [String]) -> BLEUStatistics {
    let table = GramTable()
    return statistics(hypothesis: hypothesis, references: references, table: table)
  }

  func statistics(hypothesis: String, references: [String], table: GramTable) -> BLEUStatistics {
    var interner = SliceInterner()
    let hyp = ids(hypothesis, &interner)
    if references.count == 1 {
      let ref = ids(references[0], &interner)
      if interner.count < 1 << 15 {
        return singleReference(hyp, ref, table: table)
      }
      return sorted(hyp, refs: [ref])
    }
    return sorted(hyp, refs: references.map { ids($0, &interner) })
  }

  /// One reference: count its n-grams (ids packed 15 bits each, exact for < 32,768 distinct
  /// tokens) into the table, then take each hypothesis n-gram: Σ min(hyp, ref) per order.
  private func singleReference(_ hyp: [Int32], _ ref: [Int32], table: GramTable) -> BLEUStatistics {
    @inline(__always) func key(_ p: UnsafeBufferPointer<Int32>, _ i: Int, _ n: Int) -> UInt64 {
      var k: UInt64 = 0
      for j in 0..<n { k |= UInt64(UInt32(bitPattern: p[i + j])) << (15 * UInt64(j)) }
      return k
    }
    table.reset(capacity: ref.count * maxOrder)
    ref.withUnsafeBufferPointer { p in
      for n in 1...maxOrder where p.count >= n {
        for i in 0...(p.count - n) { table.add(key(p, i, n), 0, UInt8(n)) }
      }
    }
    var stats = BLEUStatistics.zero(order: maxOrder)
    stats.hypothesisLength = hyp.count
    stats.referenceLength = ref.count
    hyp.withUnsafeBufferPointer { p in
      for n in 1...maxOrder {
        stats.total[n - 1] = max(p.count - n + 1, 0)
        guard p.count >= n else { continue }
        var correct = 0
        for i in 0...(p.count - n) where table.take(key(p, i, n), 0, UInt8(n)) { correct += 1 }
        stats.correct[n - 1] = correct
      }
    }
    return stats
  }

  /// Any number of references: run-length counts merged by maximum.
  private func sorted(_ hyp: [Int32], refs refIDs: [[Int32]]) -> BLEUStatistics {
    var refMax = [NGramCounts](repeating: NGramCounts(), count: maxOrder)
    var refLengths: [Int] = []
    for (r, ids) in refIDs.enumerated() {
      refLengths.append(ids.count)
      for n in 1...maxOrder {
        let c = NGramCounts(sorted: NGramKeys.sorted(ids, n))
        refMax[n - 1] = r == 0 ? c : NGramCounts.maximum(refMax[n - 1], c)
      }
    }
    var closestDiff = -1
    var closestLength = -1
    for l in refLengths {
      let diff = abs(hyp.count - l)
      if closestDiff == -1 || diff < closestDiff {
        closestDiff = diff
        closestLength = l
      } else if diff == closestDiff && l < closestLength {
        closestLength = l
      }
    }
    var stats = BLEUStatistics.zero(order: maxOrder)
    stats.hypothesisLength = hyp.count
    stats.referenceLength = closestLength
    for n in 1...maxOrder {
      let h = NGramCounts(sorted: NGramKeys.sorted(hyp, n))
      stats.total[n - 1] = max(hyp.count - n + 1, 0)
      stats.correct[n - 1] = h.clippedMatches(refMax[n - 1])
    }
    return stats
  }

  /// Counts of the n-grams of `ids` (for callers that need a dictionary).
  static func counts(_ ids: [Int32], _ n: Int) -> [NGramKey: Int] {
    let c = NGramCounts(sorted: NGramKeys.sorted(ids, n))
    var out: [NGramKey: Int] = [:]
    out.reserveCapacity(c.keys.count)
    for (k, v) in zip(c.keys, c.counts) { out[k] = Int(v) }
    return out
  }

  // MARK: - Scores

  /// `BLEU.compute_bleu` on (summed) statistics.
  public func score(_ stats: BLEUStatistics) -> BLEUScore {
    var correct = stats.correct.map(Double.init)
    var total = stats.total.map(Double.init)
    let sys = stats.hypothesisLength
    let ref = stats.referenceLength
    var bp = 1.0
    if sys < ref { bp = sys > 0 ? Foundation.exp(1 - Double(ref) / Double(sys)) : 0 }
    var precisions = [Double](repeating: 0, count: maxOrder)
    if !stats.correct.contains(where: { $0 != 0 }) {
      return BLEUScore(
        score: 0, counts: correct, totals: total, precisions: precisions, brevityPenalty: bp,
        hypothesisLength: sys, referenceLength: ref)
    }
    var smoothMteval = 1.0
    var effOrder = maxOrder
    for n in 1...maxOrder {
      if case .addK(let k) = smoothing, n > 1 {
        correct[n - 1] += k
        total[n - 1] += k
      }
      if total[n - 1] == 0 { break }
      if effectiveOrder { effOrder = n }
      if correct[n - 1] == 0 {
        switch smoothing {
        case .exp:
          smoothMteval *= 2
          precisions[n - 1] = 100 / (smoothMteval * total[n - 1])
        case .floor(let v):
          precisions[n - 1] = 100 * v / total[n - 1]
        default: break
        }
      } else {
        precisions[n - 1] = 100 * correct[n - 1] / total[n - 1]
      }
    }
    var logSum = 0.0
    for p in precisions[..<effOrder] { logSum += p == 0 ? -9_999_999_999 : Foundation.log(p) }
    let s = bp * Foundation.exp(logSum / Double(effOrder))
    return BLEUScore(
      score: s, counts: correct, totals: total, precisions: precisions, brevityPenalty: bp,
      hypothesisLength: sys, referenceLength: ref)
  }

  /// `corpus_score`: statistics summed over all pairs, then one BLEU.
  public func corpusScore(_ pairs: [TextPair]) -> BLEUScore {
    let stats = allStatistics(pairs)
    return score(stats.reduce(BLEUStatistics.zero(order: maxOrder), +))
  }

  /// `sentence_score` for every pair (the caller picks effective order; sacrebleu's
  /// `sentence_bleu` turns it on).
  public func sentenceScores(_ pairs: [TextPair]) -> [BLEUScore] {
    allStatistics(pairs).map(score)
  }

  /// Segment statistics of every pair, in parallel.
  public func allStatistics(_ pairs: [TextPair]) -> [BLEUStatistics] {
    parallelMap(pairs, state: GramTable()) { table, pair in
      statistics(hypothesis: pair.hypothesis, references: pair.references, table: table)
    }
  }
}
