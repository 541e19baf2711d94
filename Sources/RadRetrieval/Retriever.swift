import Foundation

/// How `Retriever` ranks chunks: exact vector search, the HNSW graph, BM25 keywords, or both
/// vector and keyword rankings fused by reciprocal rank.
public enum SearchMode: String, Sendable, CaseIterable {
  case exact, hnsw, bm25, hybrid
  var needsVectors: Bool { self != .bm25 }
}

/// One search result, best first: the document, the chunk (`doc_id#position`), the score under
/// the search mode (similarity, BM25 score or fused score) and the chunk's text.
public struct SearchResult: Sendable, Equatable {
  public var docId: String
  public var chunkId: String
  public var score: Double
  public var text: String
}

/// Searches a store. It loads one consistent snapshot of the chunks (vectors, and texts for
/// keyword search) and the persisted HNSW graph: a graph saved at the store's current write
/// generation is used as it is, one saved before further additions is extended, and otherwise
/// (no graph, deletions, other parameters) a new one is built and saved.
public final class Retriever: @unchecked Sendable {
  // @unchecked: built once, then only read.
  public let store: SQLiteDocumentStore
  public let embedder: (any TextEmbedder)?
  public let snapshot: StoreSnapshot
  public let metric: VectorMetric
  private var exactIndex: ExactVectorIndex?
  private var hnswIndex: HNSWIndex?
  private var bm25Index: BM25Index?
  /// Longest query accepted, in characters.
  public static let maxQueryCharacters = 10_000

  /// Opens a search over `store` for `modes`. Vector modes need `embedder`, whose model must be
  /// the one the store was built with.
  public init(
    store: SQLiteDocumentStore, embedder: (any TextEmbedder)?, modes: Set<SearchMode>, filter: MetadataFilter = .init(),
    hnsw: HNSWParameters? = nil, progress: ((String) -> Void)? = nil
  ) throws {
    self.store = store
    self.embedder = embedder
    metric = try store.metric() ?? .cosine
    if modes.contains(where: \.needsVectors) {
      guard let embedder else { throw RetrievalError.badQuery("vector search needs an embedding model") }
      if let stored = try store.modelIdentity(), !stored.isCompatible(with: embedder.identity) {
        throw RetrievalError.modelMismatch(
          path: store.location, stored: stored.description, requested: embedder.identity.description)
      }
    }
    let needsTexts = modes.contains(.bm25) || modes.contains(.hybrid)
    snapshot = try store.snapshot(includeTexts: needsTexts, filter: filter)
    if modes.contains(.exact) || modes.contains(.hybrid), snapshot.dimension > 0 {
      exactIndex = ExactVectorIndex(vectors: snapshot.vectors, dimension: snapshot.dimension, metric: metric)
    }
    if modes.contains(.hnsw), snapshot.dimension > 0 {
      hnswIndex = try Self.loadOrBuildHNSW(
        store: store, snapshot: snapshot, parameters: hnsw ?? HNSWParameters(metric: metric), progress: progress)
    }
    if needsTexts { bm25Index = BM25Index(documents: (snapshot.texts ?? []).map(BM25Index.tokenize)) }
  }

  /// The persisted graph, brought up to date with the snapshot (and saved) when needed.
  static func loadOrBuildHNSW(
    store: SQLiteDocumentStore, snapshot: StoreSnapshot, parameters: HNSWParameters, progress: ((String) -> Void)?
  ) throws -> HNSWIndex {
    var wanted = parameters
    wanted.metric = try store.metric() ?? parameters.metric
    if let record = try store.savedIndexRecord(named: "hnsw"), record.parameters.hnsw.m == wanted.m,
      record.parameters.hnsw.efConstruction == wanted.efConstruction, record.parameters.hnsw.metric == wanted.metric
    {
      let nodes = record.parameters.nodes
      let prefixIntact =
        nodes <= snapshot.count && (nodes == 0 || snapshot.chunkRowIds[nodes - 1] == record.parameters.lastRowId)
      if prefixIntact {
        let index = try HNSWIndex.deserialize(
          record.data, vectors: Array(snapshot.vectors[0..<(nodes * snapshot.dimension)]), dimension: snapshot.dimension,
          source: store.location)
        if record.generation == snapshot.generation && nodes == snapshot.count { return index }
        progress?("rag: adding \(snapshot.count - nodes) chunks to the HNSW index")
        index.add(Array(snapshot.vectors[(nodes * snapshot.dimension)...]))
        try save(index, store: store, snapshot: snapshot)
        return index
      }
    }
    progress?("rag: building the HNSW index over \(snapshot.count) chunks")
    let index = HNSWIndex(dimension: snapshot.dimension, parameters: wanted)
    index.add(snapshot.vectors) { done in progress?("rag: HNSW \(done)/\(snapshot.count)") }
    try save(index, store: store, snapshot: snapshot)
    return index
  }

  static func save(_ index: HNSWIndex, store: SQLiteDocumentStore, snapshot: StoreSnapshot) throws {
    try store.saveIndex(
      named: "hnsw", generation: snapshot.generation, parameters: index.parameters, nodes: index.count,
      lastRowId: snapshot.chunkRowIds.last ?? 0, data: index.serialized())
  }

  /// Checks queries: not empty, not longer than `maxQueryCharacters`.
  public static func validate(_ queries: [String]) throws {
    for (i, query) in queries.enumerated() {
      let name = queries.count == 1 ? "the query" : "query \(i + 1)"
      if query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw RetrievalError.badQuery("\(name) is empty") }
      if query.count > maxQueryCharacters {
        throw RetrievalError.badQuery("\(name) has \(query.count) characters; the limit is \(maxQueryCharacters)")
      }
    }
  }

  /// The k best chunks for each query, best first.
  public func search(_ queries: [String], k: Int, mode: SearchMode, efSearch: Int? = nil) throws -> [[SearchResult]] {
    try Self.validate(queries)
    guard k >= 1 else { throw RetrievalError.badQuery("k must be at least 1") }
    if snapshot.count == 0 { return queries.map { _ in [] } }
    var rankings: [[(row: Int, score: Double)]] = []
    switch mode {
    case .exact:
      rankings = try dense(queries, k: k, mode: .exact, efSearch: efSearch)
    case .hnsw:
      rankings = try dense(queries, k: k, mode: .hnsw, efSearch: efSearch)
    case .bm25:
      rankings = keyword(queries, k: k)
    case .hybrid:
      let depth = Swift.max(4 * k, 50)
      let vector = try dense(queries, k: depth, mode: .exact, efSearch: efSearch)
      let keywords = keyword(queries, k: depth)
      rankings = zip(vector, keywords).map { v, w in
        RankFusion.reciprocalRank([v.map(\.row), w.map(\.row)]).prefix(k).map { ($0.item, $0.score) }
      }
    }
    let rows = Set(rankings.flatMap { $0.map(\.row) })
    let texts: [Int64: String]
    if let all = snapshot.texts {
      texts = Dictionary(uniqueKeysWithValues: rows.map { (snapshot.chunkRowIds[$0], all[$0]) })
    } else {
      texts = try store.texts(rowIds: rows.map { snapshot.chunkRowIds[$0] })
    }
    return rankings.map { ranking in
      ranking.map { hit in
        SearchResult(
          docId: snapshot.docIds[hit.row], chunkId: snapshot.chunkId(hit.row), score: hit.score,
          text: texts[snapshot.chunkRowIds[hit.row]] ?? "")
      }
    }
  }

  /// Query vectors, row-major.
  public func embedQueries(_ queries: [String]) throws -> [Float] {
    guard let embedder else { throw RetrievalError.badQuery("vector search needs an embedding model") }
    return try embedder.embed(queries).flatMap { $0 }
  }

  func dense(_ queries: [String], k: Int, mode: SearchMode, efSearch: Int?) throws -> [[(row: Int, score: Double)]] {
    let vectors = try embedQueries(queries)
    let hits: [[VectorHit]]
    if mode == .hnsw, let hnswIndex {
      let allowedCount = snapshot.allowed?.filter { $0 }.count ?? snapshot.count
      if let allowed = snapshot.allowed, allowedCount < Swift.max(1000, snapshot.count / 20) {
        // A narrow filter: most graph neighbours would be filtered out, so score the few allowed rows exactly.
        let exact = exactIndex ?? ExactVectorIndex(vectors: snapshot.vectors, dimension: snapshot.dimension, metric: metric)
        hits = exact.search(queries: vectors, k: k, allowed: allowed)
      } else {
        let d = snapshot.dimension
        hits = (0..<queries.count).map { i in
          hnswIndex.search(Array(vectors[(i * d)..<((i + 1) * d)]), k: k, efSearch: efSearch, allowed: snapshot.allowed)
        }
      }
    } else {
      let exact = exactIndex ?? ExactVectorIndex(vectors: snapshot.vectors, dimension: snapshot.dimension, metric: metric)
      hits = exact.search(queries: vectors, k: k, allowed: snapshot.allowed)
    }
    return hits.map { $0.map { ($0.row, Double($0.score)) } }
  }

  func keyword(_ queries: [String], k: Int) -> [[(row: Int, score: Double)]] {
    guard let bm25Index else { return queries.map { _ in [] } }
    return queries.map { query in
      bm25Index.search(BM25Index.tokenize(query), k: k, allowed: snapshot.allowed).map { ($0.document, $0.score) }
    }
  }
}
