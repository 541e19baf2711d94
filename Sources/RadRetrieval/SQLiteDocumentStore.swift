import Foundation
import GRDB

/// The default document store: one SQLite file (through GRDB) in WAL mode, so searches read a
/// consistent snapshot while one writer ingests, and every batch is one transaction, so a killed
/// process leaves whole batches or nothing. The file is checked on open: a foreign SQLite file,
/// a file that is not SQLite, or a newer schema is refused with a message naming it.
public final class SQLiteDocumentStore: DocumentStore, @unchecked Sendable {
  // @unchecked: the only state is GRDB's DatabasePool, which serialises writes and isolates reads.
  public let location: String
  let pool: DatabasePool

  /// Opens (creating it when absent) the store at `path`.
  public init(path: String) throws {
    location = path
    var configuration = Configuration()
    configuration.busyMode = .timeout(30)
    configuration.label = "radlm-retrieval"
    if FileManager.default.fileExists(atPath: path) {
      try Self.checkHeader(path)
    }
    do {
      pool = try DatabasePool(path: path, configuration: configuration)
    } catch {
      throw Self.wrap(error, path: path)
    }
    try guarded {
      try pool.read { db in try Self.checkIdentity(db, path: path) }
      let migrator = StoreSchema.migrator
      try pool.read { db in
        if try migrator.hasBeenSuperseded(db) {
          let applied = try migrator.appliedIdentifiers(db).subtracting(migrator.migrations).sorted()
          throw RetrievalError.notAStore(
            path: path, reason: "made by a newer RadLM (unknown migrations \(applied.joined(separator: ", ")))")
        }
      }
      try migrator.migrate(pool)
    }
  }

  /// A non-empty file must start with SQLite's header: anything else is refused before SQLite
  /// touches it (SQLite would otherwise report it only on the first read).
  static func checkHeader(_ path: String) throws {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw RetrievalError.storage(path: path, reason: "cannot be read")
    }
    defer { try? handle.close() }
    let header = (try? handle.read(upToCount: 100)) ?? Data()
    if header.isEmpty { return }
    guard header.count == 100, header.prefix(16) == Data("SQLite format 3\0".utf8) else {
      throw RetrievalError.notAStore(path: path, reason: "not an SQLite file, or truncated")
    }
  }

  /// A database that has tables must carry our application id.
  static func checkIdentity(_ db: Database, path: String) throws {
    let tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table'") ?? 0
    guard tables > 0 else { return }
    let id = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
    guard id == StoreSchema.applicationId else {
      throw RetrievalError.notAStore(path: path, reason: "an SQLite database of another application")
    }
  }

  static func wrap(_ error: Error, path: String) -> Error {
    if error is RetrievalError { return error }
    if let db = error as? DatabaseError {
      switch db.resultCode {
      case .SQLITE_NOTADB: return RetrievalError.notAStore(path: path, reason: "not an SQLite file")
      case .SQLITE_CORRUPT: return RetrievalError.notAStore(path: path, reason: "corrupt or truncated (\(db.message ?? "malformed"))")
      case .SQLITE_CANTOPEN: return RetrievalError.storage(path: path, reason: "cannot be opened")
      case .SQLITE_FULL: return RetrievalError.storage(path: path, reason: "disk full")
      default: return RetrievalError.storage(path: path, reason: db.message ?? "\(db)")
      }
    }
    return error
  }

  func guarded<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch { throw Self.wrap(error, path: location) }
  }

  // MARK: - Model identity

  static func info(_ db: Database, _ key: String) throws -> String? {
    try String.fetchOne(db, sql: "SELECT value FROM store_info WHERE key = ?", arguments: [key])
  }

  static func readIdentity(_ db: Database) throws -> EmbeddingModelIdentity? {
    guard let text = try info(db, "model") else { return nil }
    return try JSONDecoder().decode(EmbeddingModelIdentity.self, from: Data(text.utf8))
  }

  public func modelIdentity() throws -> EmbeddingModelIdentity? {
    try guarded { try pool.read { try Self.readIdentity($0) } }
  }

  public func metric() throws -> VectorMetric? {
    try guarded { try pool.read { db in try Self.info(db, "metric").flatMap(VectorMetric.init(rawValue:)) } }
  }

  public func bind(model identity: EmbeddingModelIdentity, metric: VectorMetric) throws {
    try guarded {
      try pool.write { db in
        if let stored = try Self.readIdentity(db) {
          guard stored.isCompatible(with: identity) else {
            throw RetrievalError.modelMismatch(path: location, stored: stored.description, requested: identity.description)
          }
          if let storedMetric = try Self.info(db, "metric"), storedMetric != metric.rawValue {
            throw RetrievalError.incompatibleSettings(
              path: location, reason: "built for metric \(storedMetric), asked for \(metric.rawValue)")
          }
          return
        }
        let json = String(decoding: try JSONEncoder().encode(identity), as: UTF8.self)
        try db.execute(
          sql: "INSERT OR REPLACE INTO store_info (key, value) VALUES ('model', ?), ('metric', ?)",
          arguments: [json, metric.rawValue])
      }
    }
  }

  // MARK: - Reading

  public func statistics() throws -> StoreStatistics {
    try guarded {
      try pool.read { db in
        let documents = try Int.fetchOne(db, sql: "SELECT count(*) FROM documents") ?? 0
        let chunks = try Int.fetchOne(db, sql: "SELECT count(*) FROM chunks") ?? 0
        let generation = Int64(try Self.info(db, "generation") ?? "0") ?? 0
        var index: IndexStatus?
        if let row = try Row.fetchOne(
          db, sql: "SELECT generation, parameters FROM vector_indexes WHERE name = 'hnsw'")
        {
          let saved = try JSONDecoder().decode(SavedIndexParameters.self, from: Data((row["parameters"] as String).utf8))
          index = IndexStatus(
            kind: "hnsw", parameters: saved.hnsw, nodes: saved.nodes, current: (row["generation"] as Int64) == generation)
        }
        return StoreStatistics(
          documents: documents, chunks: chunks, model: try Self.readIdentity(db),
          metric: try Self.info(db, "metric").flatMap(VectorMetric.init(rawValue:)), index: index)
      }
    }
  }

  /// Documents, chunks, and the chunk count the documents declare, read in one snapshot (equal
  /// counts mean no document is half-written).
  public func consistencyCounts() throws -> (documents: Int, chunks: Int, declaredChunks: Int) {
    try guarded {
      try pool.read { db in
        (
          try Int.fetchOne(db, sql: "SELECT count(*) FROM documents") ?? 0,
          try Int.fetchOne(db, sql: "SELECT count(*) FROM chunks") ?? 0,
          try Int.fetchOne(db, sql: "SELECT coalesce(sum(chunk_count), 0) FROM documents") ?? 0
        )
      }
    }
  }

  public func documentStates(ids: [String]) throws -> [String: StoredDocumentState] {
    guard !ids.isEmpty else { return [:] }
    return try guarded {
      try pool.read { db in
        var states: [String: StoredDocumentState] = [:]
        for id in ids {
          guard let hash = try String.fetchOne(db, sql: "SELECT content_hash FROM documents WHERE id = ?", arguments: [id])
          else { continue }
          var embeddings: [String: [Float]] = [:]
          for row in try Row.fetchAll(db, sql: "SELECT content_hash, embedding FROM chunks WHERE doc_id = ?", arguments: [id]) {
            embeddings[row["content_hash"]] = Self.floats(row["embedding"])
          }
          states[id] = StoredDocumentState(contentHash: hash, embeddingsByChunkHash: embeddings)
        }
        return states
      }
    }
  }

  static func floats(_ data: Data) -> [Float] {
    var out = [Float](repeating: 0, count: data.count / 4)
    out.withUnsafeMutableBytes { p in _ = data.copyBytes(to: p) }
    return out
  }

  public func snapshot(includeTexts: Bool, filter: MetadataFilter) throws -> StoreSnapshot {
    try guarded {
      try pool.read { db in
        let dimension = try Self.readIdentity(db)?.dimension ?? 0
        var snapshot = StoreSnapshot(
          chunkRowIds: [], docIds: [], positions: [], vectors: [], texts: includeTexts ? [] : nil, allowed: nil,
          generation: Int64(try Self.info(db, "generation") ?? "0") ?? 0, dimension: dimension)
        let columns = includeTexts ? "id, doc_id, position, embedding, text" : "id, doc_id, position, embedding"
        let cursor = try Row.fetchCursor(db, sql: "SELECT \(columns) FROM chunks ORDER BY id")
        while let row = try cursor.next() {
          let blob: Data = row["embedding"]
          guard blob.count == dimension * 4 else {
            throw RetrievalError.notAStore(
              path: location, reason: "chunk \(row["id"] as Int64) has \(blob.count / 4) values, the model gives \(dimension)")
          }
          snapshot.chunkRowIds.append(row["id"])
          snapshot.docIds.append(row["doc_id"])
          snapshot.positions.append(row["position"])
          let start = snapshot.vectors.count
          snapshot.vectors += repeatElement(0, count: dimension)
          snapshot.vectors.withUnsafeMutableBytes { p in
            _ = blob.copyBytes(to: UnsafeMutableRawBufferPointer(rebasing: p[(start * 4)...]))
          }
          if includeTexts { snapshot.texts!.append(row["text"]) }
        }
        if !filter.isEmpty {
          var sql = "SELECT c.id FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE 1"
          var arguments: [any DatabaseValueConvertible] = []
          for condition in filter.equals {
            sql += " AND CAST(json_extract(d.metadata, ?) AS TEXT) = ?"
            arguments += ["$.\"" + condition.key.replacingOccurrences(of: ".", with: "\".\"") + "\"", condition.value]
          }
          let allowedIds = Set(try Int64.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)))
          snapshot.allowed = snapshot.chunkRowIds.map { allowedIds.contains($0) }
        }
        return snapshot
      }
    }
  }

  public func texts(rowIds: [Int64]) throws -> [Int64: String] {
    try guarded {
      try pool.read { db in
        var out: [Int64: String] = [:]
        for id in rowIds {
          if let text = try String.fetchOne(db, sql: "SELECT text FROM chunks WHERE id = ?", arguments: [id]) { out[id] = text }
        }
        return out
      }
    }
  }

  /// Metadata JSON of documents by id.
  public func metadata(docIds: [String]) throws -> [String: String] {
    try guarded {
      try pool.read { db in
        var out: [String: String] = [:]
        for id in Set(docIds) {
          if let json = try String.fetchOne(db, sql: "SELECT metadata FROM documents WHERE id = ?", arguments: [id]) {
            out[id] = json
          }
        }
        return out
      }
    }
  }

  // MARK: - Writing

  public func write(_ documents: [PreparedDocument]) throws {
    guard !documents.isEmpty else { return }
    try guarded {
      try pool.write { db in
        for document in documents {
          try db.execute(sql: "DELETE FROM documents WHERE id = ?", arguments: [document.id])
          try db.execute(
            sql: "INSERT INTO documents (id, source, metadata, content_hash, chunk_count) VALUES (?, ?, ?, ?, ?)",
            arguments: [document.id, document.source, document.metadataJSON, document.contentHash, document.chunks.count])
          let insert = try db.cachedStatement(
            sql: "INSERT INTO chunks (doc_id, position, text, content_hash, embedding) VALUES (?, ?, ?, ?, ?)")
          for chunk in document.chunks {
            let blob = chunk.embedding.withUnsafeBytes { Data($0) }
            try insert.execute(arguments: [document.id, chunk.position, chunk.text, chunk.contentHash, blob])
          }
        }
        try db.execute(sql: "UPDATE store_info SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
      }
    }
  }

  // MARK: - Persisted indexes

  struct SavedIndexParameters: Codable {
    var hnsw: HNSWParameters
    var nodes: Int
    var lastRowId: Int64
  }

  public func savedIndex(named name: String) throws -> (generation: Int64, nodes: Int, data: [UInt8])? {
    try savedIndexRecord(named: name).map { ($0.generation, $0.parameters.nodes, $0.data) }
  }

  func savedIndexRecord(named name: String) throws
    -> (generation: Int64, formatVersion: Int, parameters: SavedIndexParameters, data: [UInt8])?
  {
    try guarded {
      try pool.read { db in
        guard
          let row = try Row.fetchOne(
            db, sql: "SELECT generation, format_version, parameters, data FROM vector_indexes WHERE name = ?",
            arguments: [name])
        else { return nil }
        let parameters: SavedIndexParameters
        do {
          parameters = try JSONDecoder().decode(SavedIndexParameters.self, from: Data((row["parameters"] as String).utf8))
        } catch {
          throw RetrievalError.indexFile(path: location, reason: "index \(name) has unreadable parameters")
        }
        let data: Data = row["data"]
        return (row["generation"], row["format_version"], parameters, [UInt8](data))
      }
    }
  }

  public func saveIndex(named name: String, generation: Int64, parameters: HNSWParameters, data: [UInt8]) throws {
    try saveIndex(named: name, generation: generation, parameters: parameters, nodes: 0, lastRowId: 0, data: data)
  }

  func saveIndex(
    named name: String, generation: Int64, parameters: HNSWParameters, nodes: Int, lastRowId: Int64, data: [UInt8]
  ) throws {
    let json = String(
      decoding: try JSONEncoder().encode(SavedIndexParameters(hnsw: parameters, nodes: nodes, lastRowId: lastRowId)),
      as: UTF8.self)
    try guarded {
      try pool.write { db in
        let current = Int64(try Self.info(db, "generation") ?? "0") ?? 0
        guard current == generation else { return }  // a writer moved on; the next search updates it
        try db.execute(
          sql: """
            INSERT OR REPLACE INTO vector_indexes (name, format_version, generation, parameters, data)
            VALUES (?, ?, ?, ?, ?)
            """,
          arguments: [name, Int(HNSWIndex.formatVersion), generation, json, Data(data)])
      }
    }
  }
}
