import Foundation

/// Counts of one ingestion run, by document and by chunk: new ones added, changed ones replaced
/// (their old chunks removed), unchanged ones skipped.
public struct IngestionSummary: Sendable, Equatable {
  public var documentsAdded = 0
  public var documentsReplaced = 0
  public var documentsSkipped = 0
  public var chunksAdded = 0
  public var chunksReplaced = 0
  public var chunksSkipped = 0
  /// Chunks whose embedding was computed (the others reused an unchanged chunk's).
  public var chunksEmbedded = 0
  public init() {}
}

/// Reads documents into a store: each batch of documents is chunked, embedded (chunks whose
/// digest is already stored for the document reuse their embedding) and written in one
/// transaction. A document whose digest (text, metadata, chunking) is unchanged is skipped, so
/// running the same ingestion again adds nothing and a run cut short is completed by a rerun.
public final class DocumentIngestor: @unchecked Sendable {
  // @unchecked: used from one thread; the store and embedder are Sendable.
  public let store: any DocumentStore
  public let embedder: any TextEmbedder
  public let chunker: Chunker
  public let batchSize: Int
  /// Progress lines (for stderr).
  public var progress: ((String) -> Void)?
  /// Called after each committed batch with the documents written so far (tests stop here).
  public var afterBatch: ((Int) -> Void)?

  private var pending: [SourceDocument] = []
  private var seen: [String: String] = [:]
  private(set) public var summary = IngestionSummary()
  private var written = 0

  public init(
    store: any DocumentStore, embedder: any TextEmbedder, chunking: ChunkingOptions, metric: VectorMetric = .cosine,
    batchSize: Int = 64
  ) throws {
    guard chunking.size >= 1 else { throw RetrievalError.badQuery("chunk size must be at least 1") }
    guard chunking.overlap >= 0, chunking.overlap < chunking.size else {
      throw RetrievalError.badQuery("overlap must be at least 0 and less than the chunk size")
    }
    self.store = store
    self.embedder = embedder
    self.batchSize = Swift.max(1, batchSize)
    chunker = Chunker(options: chunking, tokenSpans: { [embedder] in embedder.tokenSpans($0) })
    try store.bind(model: embedder.identity, metric: metric)
  }

  /// Queues a document; full batches are written at once.
  public func add(_ document: SourceDocument) throws {
    if let first = seen[document.id] {
      throw RetrievalError.badInput(
        file: document.source, line: nil, reason: "document id \"\(document.id)\" was already given by \(first)")
    }
    seen[document.id] = document.source
    pending.append(document)
    if pending.count >= batchSize { try flush() }
  }

  /// Writes what is queued and returns the totals.
  @discardableResult
  public func finish() throws -> IngestionSummary {
    try flush()
    return summary
  }

  private func flush() throws {
    guard !pending.isEmpty else { return }
    let batch = pending
    pending.removeAll()
    let states = try store.documentStates(ids: batch.map(\.id))
    var prepared: [PreparedDocument] = []
    var toEmbed: [(document: Int, chunk: Int, text: String)] = []
    var replaced = Set<String>()
    for document in batch {
      let hash = ContentHash.of(document.text, document.metadataJSON, chunker.options.signature)
      let old = states[document.id]
      if let old, old.contentHash == hash {
        summary.documentsSkipped += 1
        summary.chunksSkipped += old.embeddingsByChunkHash.count
        continue
      }
      if old != nil { replaced.insert(document.id) }
      let pieces = chunker.chunks(document.text)
      var chunks: [PreparedChunk] = []
      for (position, text) in pieces.enumerated() {
        let chunkHash = ContentHash.of(text)
        let reused = old?.embeddingsByChunkHash[chunkHash]
        chunks.append(PreparedChunk(position: position, text: text, contentHash: chunkHash, embedding: reused ?? []))
        if reused == nil { toEmbed.append((prepared.count, position, text)) }
      }
      prepared.append(
        PreparedDocument(
          id: document.id, source: document.source, metadataJSON: document.metadataJSON, contentHash: hash,
          chunks: chunks))
    }
    if !toEmbed.isEmpty {
      let vectors = try embedder.embed(toEmbed.map(\.text))
      for (slot, vector) in zip(toEmbed, vectors) { prepared[slot.document].chunks[slot.chunk].embedding = vector }
      summary.chunksEmbedded += toEmbed.count
    }
    try store.write(prepared)
    for document in prepared {
      if replaced.contains(document.id) {
        summary.documentsReplaced += 1
        summary.chunksReplaced += document.chunks.count
      } else {
        summary.documentsAdded += 1
        summary.chunksAdded += document.chunks.count
      }
    }
    written += batch.count
    progress?("rag index: \(written) documents read, \(summary.documentsAdded) added, \(summary.documentsReplaced) replaced, \(summary.documentsSkipped) skipped")
    afterBatch?(written)
  }
}
