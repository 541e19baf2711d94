/// chrF and chrF++ exactly as sacrebleu 2.6.0 computes them.
///
/// Character n-grams (orders 1-6, whitespace removed) and, for chrF++, word n-grams (orders
/// 1-2, with leading/trailing punctuation split off) are matched between hypothesis and
/// reference; the averaged precision and recall give an F-score with β = 2 on a 0-100 scale.
/// With several references the one with the best sentence F-score supplies the statistics.
public struct SacreCHRF: Sendable {
  public var charOrder: Int
  public var wordOrder: Int
  public var beta: Int
  public var lowercase: Bool
  public var whitespace: Bool
  public var epsSmoothing: Bool

  /// chrF defaults (`CHRF()`); pass `wordOrder: 2` for chrF++.
  public init(
    charOrder: Int = 6, wordOrder: Int = 0, beta: Int = 2, lowercase: Bool = false,
    whitespace: Bool = false, epsSmoothing: Bool = false
  ) {
    self.charOrder = min(max(charOrder, 1), 6)
    self.wordOrder = min(max(wordOrder, 0), 4)
    self.beta = beta
    self.lowercase = lowercase
    self.whitespace = whitespace
    self.epsSmoothing = epsSmoothing
  }

  /// Name sacrebleu prints: `chrF2`, `chrF2++`.
  public var name: String { "chrF\(beta)" + String(repeating: "+", count: wordOrder) }

  public func signature(referenceCounts: Set<Int>) -> String {
    let nrefs = referenceCounts.count == 1 ? String(referenceCounts.first ?? 1) : "var"
    return
      "nrefs:\(nrefs)|case:\(lowercase ? "lc" : "mixed")|eff:\(epsSmoothing ? "no" : "yes")|nc:\(charOrder)|nw:\(wordOrder)|space:\(whitespace ? "yes" : "no")|version:\(SacreBLEU.version)"
  }

  public func signature(for pairs: [TextPair]) -> String {
    signature(referenceCounts: Set(pairs.map(\.references.count)))
  }

  private var order: Int { charOrder + wordOrder }

  // MARK: - Statistics: [hyp, ref, match] per order, flattened.

  private static let punctuation: Set<Unicode.Scalar> = Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".unicodeScalars)

  /// sacrebleu's `_remove_punctuation`: split one punctuation mark off the end, else the start.
  static func removePunctuation(_ sentence: String) -> [String] {
    var out: [String] = []
    for w in PythonText.split(sentence) {
      let s = Array(w.unicodeScalars)
      if s.count == 1 {
        out.append(w)
      } else if let last = s.last, punctuation.contains(last) {
        out.append(String(String.UnicodeScalarView(s.dropLast())))
        out.append(String(last))
      } else if let first = s.first, punctuation.contains(first) {
        out.append(String(first))
        out.append(String(String.UnicodeScalarView(s.dropFirst())))
      } else {
        out.append(w)
      }
    }
    return out
  }

  /// Code points of a segment as chrF sees them (lowercased if asked, whitespace removed
  /// unless `whitespace`).
  private func characters(_ text: String) -> [UInt32] {
    var cps = PythonText.codePoints(lowercase ? PythonText.lower(text) : text)
    if !whitespace { cps.removeAll(where: PythonText.isWhitespace) }
    return cps
  }

  /// Calls `body(hi, lo, order)` for every character n-gram, orders 1…charOrder.
  @inline(__always)
  private func forEachCharGram(_ cps: [UInt32], _ body: (UInt64, UInt64, UInt8) -> Void) {
    cps.withUnsafeBufferPointer { p in
      for n in 1...charOrder where p.count >= n {
        for i in 0...(p.count - n) {
          var hi: UInt64 = 0
          var lo: UInt64 = 0
          for j in 0..<n {
            // 21 bits per code point, three per word.
            if j < 3 {
              hi |= UInt64(p[i + j]) << (21 * UInt64(j))
            } else {
              lo |= UInt64(p[i + j]) << (21 * UInt64(j - 3))
            }
          }
          body(hi, lo, UInt8(n))
        }
      }
    }
  }

  /// Best statistics of one hypothesis over its references.
  public func statistics(hypothesis: String, references: [String]) -> [Int] {
    let table = GramTable()
    return statistics(hypothesis: hypothesis, references: references, table: table)
  }

  func statistics(hypothesis: String, references: [String], table: GramTable) -> [Int] {
    var interner = SliceInterner()
    let hypChars = characters(hypothesis)
    let hypWords = wordOrder > 0 ? wordGrams(hypothesis, interner: &interner) : []
    var best: [Int] = []
    var bestF = -1.0
    for r in references {
      let refChars = characters(r)
      var stats = [Int](repeating: 0, count: 3 * order)
      table.reset(capacity: hypChars.count * charOrder)
      forEachCharGram(hypChars) { h, l, o in table.add(h, l, o) }
      var matches = [Int](repeating: 0, count: charOrder + 1)
      forEachCharGram(refChars) { h, l, o in
        if table.take(h, l, o) { matches[Int(o)] += 1 }
      }
      for n in 1...charOrder {
        let hypCount = max(hypChars.count - n + 1, 0)
        let refCount = max(refChars.count - n + 1, 0)
        stats[3 * (n - 1)] = refCount == 0 ? 0 : hypCount
        stats[3 * (n - 1) + 1] = refCount
        stats[3 * (n - 1) + 2] = matches[n]
      }
      if wordOrder > 0 {
        let refWords = wordGrams(r, interner: &interner)
        for (k, (h, rr)) in zip(hypWords, refWords).enumerated() {
          let i = 3 * (charOrder + k)
          stats[i] = rr.keys.isEmpty ? 0 : h.total
          stats[i + 1] = rr.total
          stats[i + 2] = h.clippedMatches(rr)
        }
      }
      let f = fScore(stats)
      if f > bestF {
        bestF = f
        best = stats
      }
    }
    return best
  }

  /// Word n-gram counts (chrF++), orders 1…wordOrder.
  private func wordGrams(_ text: String, interner: inout SliceInterner) -> [NGramCounts] {
    let t = lowercase ? PythonText.lower(text) : text
    let words = Self.removePunctuation(t).map { interner.id(PythonText.codePoints($0)[...]) }
    return (1...wordOrder).map { NGramCounts(sorted: NGramKeys.sorted(words, $0)) }
  }

  /// `_compute_f_score` on (summed) statistics.
  public func fScore(_ statistics: [Int]) -> Double {
    let eps = 1e-16
    var score = 0.0
    var effective = 0
    let factor = Double(beta * beta)
    var avgPrec = 0.0
    var avgRec = 0.0
    for i in 0..<order {
      guard 3 * i + 2 < statistics.count else { break }
      let nHyp = statistics[3 * i]
      let nRef = statistics[3 * i + 1]
      let nMatch = statistics[3 * i + 2]
      let prec = nHyp > 0 ? Double(nMatch) / Double(nHyp) : eps
      let rec = nRef > 0 ? Double(nMatch) / Double(nRef) : eps
      let denom = factor * prec + rec
      score += denom > 0 ? (1 + factor) * prec * rec / denom : eps
      if nHyp > 0 && nRef > 0 {
        avgPrec += prec
        avgRec += rec
        effective += 1
      }
    }
    if epsSmoothing { return 100 * score / Double(order) }
    if effective == 0 {
      avgPrec = 0
      avgRec = 0
    } else {
      avgPrec /= Double(effective)
      avgRec /= Double(effective)
    }
    if avgPrec + avgRec != 0 {
      var s = (1 + factor) * avgPrec * avgRec
      s /= (factor * avgPrec) + avgRec
      return 100 * s
    }
    return 0
  }

  /// Per-pair statistics (computed once, in parallel).
  public func allStatistics(_ pairs: [TextPair]) -> [[Int]] {
    parallelMap(pairs, state: GramTable()) { table, pair in
      statistics(hypothesis: pair.hypothesis, references: pair.references, table: table)
    }
  }

  /// Corpus chrF: statistics summed over pairs.
  public func corpusScore(statistics: [[Int]]) -> Double {
    var sum = [Int](repeating: 0, count: 3 * order)
    for s in statistics { for (i, v) in s.enumerated() where i < sum.count { sum[i] += v } }
    return fScore(sum)
  }

  public func corpusScore(_ pairs: [TextPair]) -> Double { corpusScore(statistics: allStatistics(pairs)) }

  /// Sentence chrF of every pair.
  public func sentenceScores(_ pairs: [TextPair]) -> [Double] { allStatistics(pairs).map(fScore) }
}
