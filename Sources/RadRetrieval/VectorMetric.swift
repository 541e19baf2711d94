import Foundation

/// How vectors are compared. Cosine compares directions (vectors are normalised once when an index
/// loads them, then compared by dot product), dot is the raw inner product, and l2 is Euclidean
/// distance. Scores are always "higher is better": the similarity for cosine and dot, and the
/// negated squared distance for l2.
public enum VectorMetric: String, Sendable, CaseIterable, Codable {
  case cosine, dot, l2

  /// Kind code of `radlm_gather_distances`: 0 for negated dot products, 1 for squared L2.
  var distanceKind: Int32 { self == .l2 ? 1 : 0 }

  /// The vectors this metric compares: unit length for cosine, as stored otherwise.
  func prepared(_ values: [Float], dimension: Int) -> [Float] {
    guard self == .cosine, dimension > 0 else { return values }
    var out = values
    let rows = values.count / dimension
    out.withUnsafeMutableBufferPointer { p in
      for r in 0..<rows {
        var sum: Float = 0
        for i in 0..<dimension { sum += p[r * dimension + i] * p[r * dimension + i] }
        let scale = 1 / Swift.max(sum.squareRoot(), 1e-12)
        for i in 0..<dimension { p[r * dimension + i] *= scale }
      }
    }
    return out
  }
}

/// One nearest-neighbour result: the row of the matrix and its score (higher is better).
public struct VectorHit: Sendable, Equatable {
  public var row: Int
  public var score: Float
  public init(row: Int, score: Float) {
    self.row = row
    self.score = score
  }
}

/// Keeps the k best (highest-scoring) rows seen so far; ties go to the lower row, so results are
/// reproducible. A min-heap on score whose root is the current k-th best.
struct TopK {
  let k: Int
  private(set) var scores: [Float] = []
  private(set) var rows: [Int] = []

  init(k: Int) {
    self.k = k
    scores.reserveCapacity(k)
    rows.reserveCapacity(k)
  }

  /// The score a new row must beat to enter (−∞ until k rows are held).
  var threshold: Float { scores.count < k ? -.infinity : scores[0] }

  /// Whether (score, row) ranks below (otherScore, otherRow).
  @inline(__always) private static func worse(_ s: Float, _ r: Int, _ os: Float, _ orow: Int) -> Bool {
    s < os || (s == os && r > orow)
  }

  mutating func offer(row: Int, score: Float) {
    if scores.count < k {
      scores.append(score)
      rows.append(row)
      var i = scores.count - 1
      while i > 0 {
        let parent = (i - 1) / 2
        guard Self.worse(scores[i], rows[i], scores[parent], rows[parent]) else { break }
        scores.swapAt(i, parent)
        rows.swapAt(i, parent)
        i = parent
      }
      return
    }
    guard k > 0, Self.worse(scores[0], rows[0], score, row) else { return }
    scores[0] = score
    rows[0] = row
    var i = 0
    while true {
      let l = 2 * i + 1
      let r = l + 1
      var m = i
      if l < k && Self.worse(scores[l], rows[l], scores[m], rows[m]) { m = l }
      if r < k && Self.worse(scores[r], rows[r], scores[m], rows[m]) { m = r }
      if m == i { break }
      scores.swapAt(i, m)
      rows.swapAt(i, m)
      i = m
    }
  }

  /// The held rows, best first.
  func sorted() -> [VectorHit] {
    zip(rows, scores).map { VectorHit(row: $0, score: $1) }
      .sorted { $0.score > $1.score || ($0.score == $1.score && $0.row < $1.row) }
  }
}
