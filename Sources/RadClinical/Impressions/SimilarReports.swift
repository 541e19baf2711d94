import Foundation
import RadModels

/// Finds the training reports whose findings are most like a query's, for retrieval few-shot
/// prompts and the nearest-neighbour baseline. The retrieval store satisfies it; until then
/// `ExactReportIndex` does, by brute force over MiniLM embeddings.
public protocol SimilarReports: Sendable {
  /// The `k` most similar reports, most similar first.
  func nearest(toFindings findings: String, k: Int) throws -> [ReportExample]
  /// The `k` most similar reports for each query (batched where the implementation can).
  func nearest(toFindings queries: [String], k: Int) throws -> [[ReportExample]]
}

extension SimilarReports {
  public func nearest(toFindings queries: [String], k: Int) throws -> [[ReportExample]] {
    try queries.map { try nearest(toFindings: $0, k: k) }
  }
}

/// Exact nearest neighbours by cosine similarity of sentence embeddings of the findings: every
/// example's findings embedded once, each query compared with all of them. Ties go to the
/// earlier example, so results are deterministic.
public final class ExactReportIndex: SimilarReports, @unchecked Sendable {
  // @unchecked: immutable after init; SentenceEmbedder is itself safe to call from any thread.
  public let examples: [ReportExample]
  private let embedder: SentenceEmbedder
  private let vectors: [[Float]]

  public init(embedder: SentenceEmbedder, examples: [ReportExample], batchSize: Int = 32) throws {
    self.embedder = embedder
    self.examples = examples
    self.vectors = try embedder.embed(examples.map(\.findings), batchSize: batchSize).map(Self.normalized)
  }

  static func normalized(_ vector: [Float]) -> [Float] {
    let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
    return norm > 0 ? vector.map { $0 / norm } : vector
  }

  public func nearest(toFindings findings: String, k: Int) throws -> [ReportExample] {
    try nearest(toFindings: [findings], k: k)[0]
  }

  public func nearest(toFindings queries: [String], k: Int) throws -> [[ReportExample]] {
    let embedded = try embedder.embed(queries, batchSize: 32).map(Self.normalized)
    return embedded.map { query in
      let scores = vectors.map { vector in zip(vector, query).reduce(Float(0)) { $0 + $1.0 * $1.1 } }
      let order = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
      return order.prefix(k).map { examples[$0] }
    }
  }
}
