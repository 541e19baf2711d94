import Foundation

/// A document ready to be written: its chunks carry their text, digest and embedding.
public struct PreparedDocument: Sendable {
  public var id: String
  public var source: String
  public var metadataJSON: String
  public var contentHash: String
  public var chunks: [PreparedChunk]
}

/// One chunk of a prepared document.
public struct PreparedChunk: Sendable {
  public var position: Int
  public var text: String
  public var contentHash: String
  public var embedding: [Float]
}

/// What the store already holds of a document: the digest it was ingested with and, per chunk
/// digest, the embedding (so that unchanged chunks of a changed document are not embedded again).
public struct StoredDocumentState: Sendable {
  public var contentHash: String
  public var embeddingsByChunkHash: [String: [Float]]
}

/// A consistent view of every chunk at one moment: their ids in row order, their embeddings as a
/// row-major matrix, optionally their texts, the rows a metadata filter allows, and the write
/// generation it reflects.
public struct StoreSnapshot: Sendable {
  public var chunkRowIds: [Int64]
  public var docIds: [String]
  public var positions: [Int]
  public var vectors: [Float]
  public var texts: [String]?
  public var allowed: [Bool]?
  public var generation: Int64
  public var dimension: Int
  public var count: Int { chunkRowIds.count }
  public func chunkId(_ row: Int) -> String { "\(docIds[row])#\(positions[row])" }
}

/// Counts and settings of a store (`radlm rag stats`).
public struct StoreStatistics: Sendable, Equatable {
  public var documents: Int
  public var chunks: Int
  public var model: EmbeddingModelIdentity?
  public var metric: VectorMetric?
  /// Persisted approximate index: its parameters and whether it covers the current contents.
  public var index: IndexStatus?
}

/// The persisted state of an approximate index.
public struct IndexStatus: Sendable, Equatable {
  public var kind: String
  public var parameters: HNSWParameters
  public var nodes: Int
  public var current: Bool
}

/// Metadata conditions, all of which a document must meet: its metadata value at `key` equals
/// the given text (numbers and booleans compare by their JSON text, true as 1).
public struct MetadataFilter: Sendable, Equatable {
  public var equals: [(key: String, value: String)]
  public init(equals: [(key: String, value: String)] = []) { self.equals = equals }
  public var isEmpty: Bool { equals.isEmpty }
  public static func == (a: MetadataFilter, b: MetadataFilter) -> Bool {
    a.equals.map { "\($0.key)=\($0.value)" } == b.equals.map { "\($0.key)=\($0.value)" }
  }

  /// Parses `key=value` (the key: letters, digits, `_`, `-`, `.` for nesting).
  public static func parse(_ conditions: [String]) throws -> MetadataFilter {
    var equals: [(key: String, value: String)] = []
    for condition in conditions {
      guard let eq = condition.firstIndex(of: "=") else {
        throw RetrievalError.badQuery("filter \"\(condition)\" is not key=value")
      }
      let key = String(condition[..<eq])
      let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "_-."))
      guard !key.isEmpty, key.unicodeScalars.allSatisfy({ allowed.contains($0) }) else {
        throw RetrievalError.badQuery("filter key \"\(key)\" must be letters, digits, _, - or .")
      }
      equals.append((key, String(condition[condition.index(after: eq)...])))
    }
    return MetadataFilter(equals: equals)
  }
}

/// Where documents, chunks and their embeddings live. The SQLite store is the default; the
/// protocol keeps ingestion and search independent of it.
public protocol DocumentStore: Sendable {
  /// The file or location, for messages.
  var location: String { get }
  /// The embedding model the stored vectors came from, if any were stored yet.
  func modelIdentity() throws -> EmbeddingModelIdentity?
  /// Records `identity` (and the metric) on first use; refuses a different model.
  func bind(model identity: EmbeddingModelIdentity, metric: VectorMetric) throws
  func statistics() throws -> StoreStatistics
  /// Stored states of the documents among `ids`.
  func documentStates(ids: [String]) throws -> [String: StoredDocumentState]
  /// Writes the documents (replacing any with the same id) in one transaction.
  func write(_ documents: [PreparedDocument]) throws
  func snapshot(includeTexts: Bool, filter: MetadataFilter) throws -> StoreSnapshot
  /// Texts of chunks by row id.
  func texts(rowIds: [Int64]) throws -> [Int64: String]
  /// The persisted HNSW graph, if it was saved at `generation`…; nil when there is none.
  func savedIndex(named name: String) throws -> (generation: Int64, nodes: Int, data: [UInt8])?
  /// Saves an index image made at `generation`; ignored when the store has moved on since.
  func saveIndex(named name: String, generation: Int64, parameters: HNSWParameters, data: [UInt8]) throws
}
