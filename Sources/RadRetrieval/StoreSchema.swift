import Foundation
import GRDB

/// The SQLite schema of a retrieval store and its migrations. `store_info` holds key/value facts
/// (schema version, embedding model identity, metric, write generation); `documents` one row per
/// ingested document with its metadata as JSON and a digest of what was ingested; `chunks` the
/// searchable pieces with their own digest and float32 embedding; `vector_indexes` persisted
/// approximate indexes with the write generation they cover.
enum StoreSchema {
  /// Written into the SQLite header (`PRAGMA application_id`, "RADR") to tell our files from others.
  static let applicationId: Int32 = 0x5241_4452
  static let version = 1

  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1") { db in
      try db.execute(
        sql: """
          PRAGMA application_id = \(applicationId);
          CREATE TABLE store_info (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
          CREATE TABLE documents (
            id TEXT PRIMARY KEY NOT NULL,
            source TEXT NOT NULL,
            metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
            content_hash TEXT NOT NULL,
            chunk_count INTEGER NOT NULL
          );
          CREATE TABLE chunks (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            text TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            embedding BLOB NOT NULL,
            UNIQUE (doc_id, position)
          );
          CREATE TABLE vector_indexes (
            name TEXT PRIMARY KEY NOT NULL,
            format_version INTEGER NOT NULL,
            generation INTEGER NOT NULL,
            parameters TEXT NOT NULL,
            data BLOB NOT NULL
          );
          INSERT INTO store_info (key, value) VALUES ('schema_version', '1'), ('generation', '0');
          """)
    }
    return migrator
  }
}
