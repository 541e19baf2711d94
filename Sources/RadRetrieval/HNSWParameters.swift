import Foundation

/// Settings of a hierarchical navigable small-world graph: `m` links per node on the upper layers
/// (2·m on the bottom layer), `efConstruction` candidates kept while inserting, `efSearch`
/// candidates kept while searching (more: higher recall, slower), the metric and the seed of the
/// level draws (a fixed seed gives the same graph for the same vectors).
public struct HNSWParameters: Sendable, Equatable, Codable {
  public var m: Int
  public var efConstruction: Int
  public var efSearch: Int
  public var metric: VectorMetric
  public var seed: UInt64

  public init(m: Int = 16, efConstruction: Int = 100, efSearch: Int = 64, metric: VectorMetric = .cosine, seed: UInt64 = 42) {
    self.m = m
    self.efConstruction = efConstruction
    self.efSearch = efSearch
    self.metric = metric
    self.seed = seed
  }
}

/// SplitMix64: a small seeded generator for the HNSW level draws (reproducible graphs).
struct SplitMix64 {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9e37_79b9_7f4a_7c15
    var z = state
    z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
    z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
    return z ^ (z >> 31)
  }
  /// Uniform in (0, 1].
  mutating func unit() -> Double { Double((next() >> 11) + 1) / Double(1 << 53) }
}
