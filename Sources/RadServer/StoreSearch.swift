import RadRetrieval

/// The retrieval store a server searches (`radlm serve --rag-db`): `/v1/rag/search` and grounded
/// chat ask it for the best chunks of a store built by `radlm rag index`. Searches run one at a
/// time on this actor; each metadata filter gets its own search over a snapshot of the store taken
/// when that filter is first used (a store re-indexed while serving is seen after a restart).
public actor StoreSearch {
  public let store: SQLiteDocumentStore
  let embedder: (any TextEmbedder)?
  private var retrievers: [String: Retriever] = [:]
  /// Distinct filters kept open; beyond this the oldest searches are dropped and reopened on use.
  static let openLimit = 16

  /// Opens the unfiltered search at once, so a store built with another embedding model is refused
  /// when the server starts (the message names both models), not at the first request.
  public init(store: SQLiteDocumentStore, embedder: (any TextEmbedder)?) throws {
    self.store = store
    self.embedder = embedder
    retrievers[""] = try Retriever(store: store, embedder: embedder, modes: Self.modes(embedder, hnsw: false))
  }

  /// Modes a search is opened for: without an embedder only keywords; the HNSW graph only when asked
  /// for (building a missing one writes it to the store).
  static func modes(_ embedder: (any TextEmbedder)?, hnsw: Bool) -> Set<SearchMode> {
    guard embedder != nil else { return [.bm25] }
    return hnsw ? [.exact, .bm25, .hybrid, .hnsw] : [.exact, .bm25, .hybrid]
  }

  /// The `k` best chunks for `query`, best first.
  public func search(_ query: String, k: Int, mode: SearchMode, filter: MetadataFilter) throws -> [SearchResult] {
    if mode != .bm25 && embedder == nil {
      throw RetrievalError.badQuery("the store has no embedding model: only bm25 search is possible")
    }
    let key = filter.equals.map { "\($0.key)=\($0.value)" }.joined(separator: "\u{0}") + (mode == .hnsw ? "#hnsw" : "")
    let retriever: Retriever
    if let open = retrievers[key] {
      retriever = open
    } else {
      if retrievers.count >= Self.openLimit { retrievers = retrievers.filter { $0.key.isEmpty } }
      retriever = try Retriever(
        store: store, embedder: embedder, modes: Self.modes(embedder, hnsw: mode == .hnsw), filter: filter)
      retrievers[key] = retriever
    }
    return try retriever.search([query], k: k, mode: mode)[0]
  }
}
