import Foundation

/// BLEU-1…4 as pycocoevalcap computes them (the COCO caption evaluation code that most
/// radiology report-generation papers use), kept apart from sacrebleu's BLEU.
///
/// Tokens are the whitespace-separated words of already tokenized text; the reference length is
/// the closest one (shorter on ties); BLEU-n is the n-th root of the running product of
/// (correct_k + 1e-15)/(guess_k + 1e-9), times exp(1 − 1/ratio) when the hypothesis is shorter.
/// Scores are on a 0-1 scale.
public struct CocoBLEU: Sendable {
  public let maxOrder: Int
  public init(maxOrder: Int = 4) { self.maxOrder = max(1, min(maxOrder, 4)) }

  public static let signature = "pycocoevalcap:1.2|bleu|tok:whitespace|reflen:closest"

  public struct Result: Sendable, Equatable {
    /// Corpus BLEU-1…BLEU-n.
    public var corpus: [Double]
    /// Per pair BLEU-1…BLEU-n (`perPair[k][i]` is BLEU-(k+1) of pair i, as pycocoevalcap).
    public var perPair: [[Double]]
  }

  struct Cooked: Sendable {
    var testLength: Int
    var refLength: Int
    var guess: [Int]
    var correct: [Int]
  }

  func cook(_ pair: TextPair) -> Cooked {
    var interner = TokenInterner()
    let test = interner.ids(PythonText.split(pair.hypothesis))
    var refMax: [[NGramKey: Int]] = Array(repeating: [:], count: maxOrder)
    var lengths: [Int] = []
    for r in pair.references {
      let ids = interner.ids(PythonText.split(r))
      lengths.append(ids.count)
      for n in 1...maxOrder {
        for (k, c) in SacreBLEU.counts(ids, n) where c > refMax[n - 1][k, default: 0] {
          refMax[n - 1][k] = c
        }
      }
    }
    // min((abs(l - testlen), l) for l in reflen)[1]
    var best = (Int.max, Int.max)
    for l in lengths {
      let cand = (abs(l - test.count), l)
      if cand < best { best = cand }
    }
    var cooked = Cooked(
      testLength: test.count, refLength: best.1,
      guess: (1...maxOrder).map { max(0, test.count - $0 + 1) },
      correct: Array(repeating: 0, count: maxOrder))
    for n in 1...maxOrder {
      for (k, c) in SacreBLEU.counts(test, n) { cooked.correct[n - 1] += min(refMax[n - 1][k] ?? 0, c) }
    }
    return cooked
  }

  public func evaluate(_ pairs: [TextPair]) -> Result {
    let tiny = 1e-15
    let small = 1e-9
    let cooked = parallelMap(pairs) { cook($0) }
    var perPair = [[Double]](repeating: [], count: maxOrder)
    var testLen = 0
    var refLen = 0
    var guess = [Int](repeating: 0, count: maxOrder)
    var correct = [Int](repeating: 0, count: maxOrder)
    for c in cooked {
      testLen += c.testLength
      refLen += c.refLength
      for k in 0..<maxOrder {
        guess[k] += c.guess[k]
        correct[k] += c.correct[k]
      }
      var bleu = 1.0
      for k in 0..<maxOrder {
        bleu *= (Double(c.correct[k]) + tiny) / (Double(c.guess[k]) + small)
        perPair[k].append(Foundation.pow(bleu, 1.0 / Double(k + 1)))
      }
      let ratio = (Double(c.testLength) + tiny) / (Double(c.refLength) + small)
      if ratio < 1 {
        for k in 0..<maxOrder { perPair[k][perPair[k].count - 1] *= Foundation.exp(1 - 1 / ratio) }
      }
    }
    var corpus: [Double] = []
    var bleu = 1.0
    for k in 0..<maxOrder {
      bleu *= (Double(correct[k]) + tiny) / (Double(guess[k]) + small)
      corpus.append(Foundation.pow(bleu, 1.0 / Double(k + 1)))
    }
    let ratio = (Double(testLen) + tiny) / (Double(refLen) + small)
    if ratio < 1 { for k in 0..<maxOrder { corpus[k] *= Foundation.exp(1 - 1 / ratio) } }
    return Result(corpus: corpus, perPair: perPair)
  }
}

/// ROUGE-L as pycocoevalcap computes it: LCS over tokens split on single spaces, the best
/// precision and the best recall over the references, F with β = 1.2. Not rouge-score's
/// ROUGE-L (different tokens and β), so it carries its own name.
public struct CocoRougeL: Sendable {
  public let beta: Double
  public init(beta: Double = 1.2) { self.beta = beta }

  public static let signature = "pycocoevalcap:1.2|rougeL|beta:1.2|tok:space"

  public func score(_ pair: TextPair) -> Double {
    var interner = TokenInterner()
    // Python `str.split(" ")`: empty strings between repeated spaces are tokens too.
    func tokens(_ s: String) -> [Int32] {
      interner.ids(
        s.unicodeScalars.split(separator: " ", omittingEmptySubsequences: false).map {
          String(String.UnicodeScalarView($0))
        })
    }
    let c = tokens(pair.hypothesis)
    var precMax = -Double.infinity
    var recMax = -Double.infinity
    for r in pair.references {
      let t = tokens(r)
      let lcs = Double(LCS.length(t, c))
      precMax = max(precMax, lcs / Double(c.count))
      recMax = max(recMax, lcs / Double(t.count))
    }
    guard precMax != 0, recMax != 0, precMax.isFinite, recMax.isFinite else { return 0 }
    let b2 = beta * beta
    return ((1 + b2) * precMax * recMax) / (recMax + b2 * precMax)
  }

  /// Per-pair scores and their mean (pycocoevalcap reports `np.mean`).
  public func evaluate(_ pairs: [TextPair]) -> (mean: Double, perPair: [Double]) {
    let s = parallelMap(pairs) { score($0) }
    return (s.isEmpty ? 0 : s.reduce(0, +) / Double(s.count), s)
  }
}
