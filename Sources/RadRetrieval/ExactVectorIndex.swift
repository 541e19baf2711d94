import CBLAS
import Foundation
import RadTensor

/// Brute-force nearest neighbours: every stored vector is scored against the query with BLAS
/// (`cblas_sgemv` for one query, `cblas_sgemm` over blocks of queries), then the k best are kept.
/// Exact by construction, so it is also the yardstick for the approximate (HNSW) index.
public struct ExactVectorIndex: Sendable {
  public let metric: VectorMetric
  public let dimension: Int
  public let count: Int
  /// Row-major [count, dimension], normalised for cosine.
  let vectors: [Float]
  /// Squared norms of the rows (for L2: |q−x|² = |q|² − 2q·x + |x|²).
  let squaredNorms: [Float]

  /// Database rows per score block: the block of scores for a batch of queries stays in cache.
  static let rowBlock = 4096
  /// Queries per sgemm.
  static let queryBlock = 64

  public init(vectors: [Float], dimension: Int, metric: VectorMetric) {
    precondition(dimension > 0 && vectors.count % dimension == 0, "vectors must hold whole rows")
    self.metric = metric
    self.dimension = dimension
    count = vectors.count / dimension
    let prepared = metric.prepared(vectors, dimension: dimension)
    let rows = prepared.count / dimension
    var norms = [Float](repeating: 0, count: metric == .l2 ? rows : 0)
    if metric == .l2 {
      prepared.withUnsafeBufferPointer { v in
        for r in 0..<rows {
          let row = v.baseAddress! + r * dimension
          norms[r] = cblas_sdot(Int32(dimension), row, 1, row, 1)
        }
      }
    }
    self.vectors = prepared
    squaredNorms = norms
  }

  /// The k best rows for each query (row-major [queries, dimension]), best first. `allowed`, when
  /// given, limits results to rows whose flag is true. With `threads` > 1, blocks of queries are
  /// shared among that many threads.
  public func search(queries: [Float], k: Int, allowed: [Bool]? = nil, threads: Int = 1) -> [[VectorHit]] {
    let nq = queries.count / dimension
    guard nq > 0 else { return [] }
    let q = metric.prepared(queries, dimension: dimension)
    var results: [[VectorHit]] = []
    results.reserveCapacity(nq)
    if nq == 1 {
      var scores = [Float](repeating: 0, count: count)
      q.withUnsafeBufferPointer { qp in
        vectors.withUnsafeBufferPointer { v in
          scores.withUnsafeMutableBufferPointer { s in
            guard count > 0 else { return }
            cblas_sgemv(
              CblasRowMajor, CblasNoTrans, Int32(count), Int32(dimension), 1, v.baseAddress, Int32(dimension),
              qp.baseAddress, 1, 0, s.baseAddress, 1)
          }
        }
      }
      var top = TopK(k: k)
      collect(scores[...], firstRow: 0, query: q[...], into: &top, allowed: allowed)
      return [top.sorted()]
    }
    // Blocks of queries; with several threads each takes every threads-th block (one sgemm
    // thread each, so the top-k scans run in parallel too).
    let blocks = (nq + Self.queryBlock - 1) / Self.queryBlock
    let workers = Swift.max(1, Swift.min(threads, blocks))
    let slots = ResultSlots<[[VectorHit]]>(count: blocks)
    let run: @Sendable (Int) -> Void = { worker in
      var block = [Float](repeating: 0, count: Self.queryBlock * Self.rowBlock)
      var b = worker
      while b < blocks {
        let first = b * Self.queryBlock
        slots.set(
          b,
          self.searchBlock(q, start: first, count: Swift.min(Self.queryBlock, nq - first), k: k, allowed: allowed, buffer: &block))
        b += workers
      }
    }
    if workers == 1 {
      run(0)
    } else {
      let saved = BLAS.threadCount
      BLAS.setThreadCount(1)
      DispatchQueue.concurrentPerform(iterations: workers, execute: run)
      BLAS.setThreadCount(saved)
    }
    for hits in slots.values { results += hits ?? [] }
    return results
  }

  private func searchBlock(
    _ q: [Float], start: Int, count m: Int, k: Int, allowed: [Bool]?, buffer block: inout [Float]
  ) -> [[VectorHit]] {
    var tops = (0..<m).map { _ in TopK(k: k) }
    var rowStart = 0
    while rowStart < count {
      let n = Swift.min(Self.rowBlock, count - rowStart)
      q.withUnsafeBufferPointer { qp in
        vectors.withUnsafeBufferPointer { v in
          block.withUnsafeMutableBufferPointer { c in
            cblas_sgemm(
              CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(dimension), 1,
              qp.baseAddress! + start * dimension, Int32(dimension), v.baseAddress! + rowStart * dimension,
              Int32(dimension), 0, c.baseAddress, Int32(n))
          }
        }
      }
      for i in 0..<m {
        let query = q[(start + i) * dimension..<(start + i + 1) * dimension]
        collect(block[i * n..<(i + 1) * n], firstRow: rowStart, query: query, into: &tops[i], allowed: allowed)
      }
      rowStart += n
    }
    return tops.map { $0.sorted() }
  }

  /// Offers dot products `scores` (of rows firstRow…) to `top`, converted to the metric's score.
  private func collect(
    _ scores: ArraySlice<Float>, firstRow: Int, query: ArraySlice<Float>, into top: inout TopK, allowed: [Bool]?
  ) {
    var queryNorm: Float = 0
    if metric == .l2 { for x in query { queryNorm += x * x } }
    scores.withUnsafeBufferPointer { s in
      for j in 0..<s.count {
        let row = firstRow + j
        if let allowed, !allowed[row] { continue }
        var score = s[j]
        if metric == .l2 { score = -(queryNorm - 2 * score + squaredNorms[row]) }
        if score > top.threshold {
          top.offer(row: row, score: score)
        }
      }
    }
  }
}
