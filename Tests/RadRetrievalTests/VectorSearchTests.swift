import Foundation
import Testing

import RadRetrieval

/// Exact search equals a NumPy brute force (fixture); HNSW finds nearly the same neighbours,
/// persists and restores exactly, and refuses damaged images.
@Suite struct VectorSearchTests {
  @Test(arguments: VectorMetric.allCases) func exactSearchEqualsNumPy(metric: VectorMetric) throws {
    let fixture = try Fixtures.json("exact_search.json")
    let d = try #require(fixture["d"] as? Int)
    let k = try #require(fixture["k"] as? Int)
    let vectors = try Fixtures.floats("exact_vectors.f32")
    let queries = try Fixtures.floats("exact_queries.f32")
    let expected = try #require(fixture[metric.rawValue] as? [String: Any])
    let rows = try #require(expected["rows"] as? [[Int]])
    let scores = try #require(expected["scores"] as? [[Double]])
    let index = ExactVectorIndex(vectors: vectors, dimension: d, metric: metric)
    // Batched (sgemm) and one at a time (sgemv).
    let batched = index.search(queries: queries, k: k)
    for q in 0..<rows.count {
      let single = index.search(queries: Array(queries[(q * d)..<((q + 1) * d)]), k: k)[0]
      for hits in [batched[q], single] {
        #expect(hits.map(\.row) == rows[q])
        for (hit, want) in zip(hits, scores[q]) { #expect(abs(Double(hit.score) - want) <= 2e-4 * max(1, abs(want))) }
      }
    }
  }

  @Test func exactSearchHonoursAllowedRows() {
    let vectors: [Float] = [1, 0, 0.9, 0.1, 0, 1, 0.5, 0.5]
    let index = ExactVectorIndex(vectors: vectors, dimension: 2, metric: .dot)
    let hits = index.search(queries: [1, 0], k: 2, allowed: [false, true, true, false])[0]
    #expect(hits.map(\.row) == [1, 2])
  }

  /// Vectors near a 6-dimensional subspace of a 32-dimensional space (seeded), as sentence
  /// embeddings occupy few directions of their space; uniformly random vectors would make every
  /// neighbour almost equally far and test nothing an index can use.
  static func clustered(count: Int, dimension: Int, seed: UInt64) -> [Float] {
    var state = seed
    func next() -> UInt64 {  // SplitMix64
      state &+= 0x9e37_79b9_7f4a_7c15
      var z = state
      z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
      z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
      return z ^ (z >> 31)
    }
    func unit() -> Double { Double((next() >> 11) + 1) / Double(1 << 53) }
    func gaussian() -> Float {
      let u1 = unit()
      let u2 = unit()
      return Float((-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
    }
    // The subspace is the same for every seed (its own generator); the points differ by seed.
    var basisState: UInt64 = 99
    func basisValue() -> Float {
      basisState &+= 0x9e37_79b9_7f4a_7c15
      let z = (basisState ^ (basisState >> 31)) &* 0xbf58_476d_1ce4_e5b9
      return Float(Double(z >> 11) / Double(1 << 53)) * 2 - 1
    }
    let latent = 6
    let basis = (0..<(latent * dimension)).map { _ in basisValue() }
    var out: [Float] = []
    out.reserveCapacity(count * dimension)
    for _ in 0..<count {
      let z = (0..<latent).map { _ in gaussian() }
      for j in 0..<dimension {
        var x: Float = 0.05 * gaussian()
        for l in 0..<latent { x += basis[l * dimension + j] * z[l] }
        out.append(x)
      }
    }
    return out
  }

  @Test(arguments: VectorMetric.allCases) func hnswRecallAgainstExact(metric: VectorMetric) {
    let d = 32
    let vectors = Self.clustered(count: 4000, dimension: d, seed: 1)
    let queries = Self.clustered(count: 100, dimension: d, seed: 2)
    let exact = ExactVectorIndex(vectors: vectors, dimension: d, metric: metric).search(queries: queries, k: 10)
    let hnsw = HNSWIndex(vectors: vectors, dimension: d, parameters: HNSWParameters(m: 16, efConstruction: 100, efSearch: 64, metric: metric))
    let approximate = hnsw.search(queries: queries, k: 10, threads: 2)
    var found = 0
    for (a, e) in zip(approximate, exact) { found += Set(a.map(\.row)).intersection(e.map(\.row)).count }
    let recall = Double(found) / Double(10 * exact.count)
    #expect(recall >= 0.95, "recall@10 \(recall)")
    // Scores of shared rows agree with the exact ones.
    for (a, e) in zip(approximate, exact) {
      let exactScores = Dictionary(uniqueKeysWithValues: e.map { ($0.row, $0.score) })
      for hit in a { if let s = exactScores[hit.row] { #expect(abs(s - hit.score) < 1e-3 * max(1, abs(s))) } }
    }
  }

  @Test func hnswSerializationRoundTrips() throws {
    let d = 16
    let vectors = Self.clustered(count: 1500, dimension: d, seed: 3)
    let index = HNSWIndex(vectors: vectors, dimension: d, parameters: HNSWParameters(m: 8, efConstruction: 60))
    let bytes = index.serialized()
    let restored = try HNSWIndex.deserialize(bytes, vectors: vectors, dimension: d, source: "test")
    let queries = Self.clustered(count: 20, dimension: d, seed: 4)
    #expect(restored.search(queries: queries, k: 5) == index.search(queries: queries, k: 5))
    #expect(restored.serialized() == bytes)
    // Adding after a restore continues the same graph as adding without one.
    let more = Self.clustered(count: 200, dimension: d, seed: 5)
    index.add(more)
    restored.add(more)
    #expect(restored.serialized() == index.serialized())
  }

  @Test func damagedHNSWImagesAreRefused() throws {
    let d = 8
    let vectors = Self.clustered(count: 300, dimension: d, seed: 6)
    let bytes = HNSWIndex(vectors: vectors, dimension: d, parameters: HNSWParameters(m: 4, efConstruction: 20)).serialized()
    var flipped = bytes
    flipped[bytes.count / 2] ^= 0xff
    let cases: [[UInt8]] = [Array(bytes.prefix(bytes.count / 3)), flipped, Array("not an index".utf8), []]
    for damaged in cases {
      #expect(throws: RetrievalError.self) {
        try HNSWIndex.deserialize(damaged, vectors: vectors, dimension: d, source: "idx")
      }
    }
    #expect(throws: RetrievalError.self) {
      try HNSWIndex.deserialize(bytes, vectors: Array(vectors.prefix(100 * d)), dimension: d, source: "idx")
    }
  }

  @Test func reciprocalRankFusionFavoursItemsBothListsRankWell() {
    let fused = RankFusion.reciprocalRank([["a", "b", "c"], ["c", "a", "d"]])
    #expect(fused.map(\.item) == ["a", "c", "b", "d"])
    #expect(abs(fused[0].score - (1 / 61.0 + 1 / 62.0)) < 1e-12)
  }
}
