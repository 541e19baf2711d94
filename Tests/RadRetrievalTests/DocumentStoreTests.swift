import Foundation
import GRDB
import Testing

import RadRetrieval

/// The SQLite store: ingestion of each input kind, idempotent and replacing re-ingestion, the
/// model check, refusal of foreign or damaged files, consistent reads during writes, and clear
/// errors for bad inputs and queries.
@Suite struct DocumentStoreTests {
  func ingest(
    _ store: SQLiteDocumentStore, _ paths: [String], embedder: HashingEmbedder = HashingEmbedder(), batchSize: Int = 64,
    chunkSize: Int = 12
  ) throws -> IngestionSummary {
    let ingestor = try DocumentIngestor(
      store: store, embedder: embedder, chunking: ChunkingOptions(mode: .sentence, size: chunkSize, overlap: 0),
      batchSize: batchSize)
    try DocumentReader.read(paths: paths) { try ingestor.add($0) }
    return try ingestor.finish()
  }

  @Test func ingestsTextMarkdownAndJSONLines() throws {
    let folder = TemporaryFolder()
    defer { folder.cleanUp() }
    let jsonl = try folder.write("docs/reports.jsonl", SampleCorpus.jsonl)
    _ = try folder.write("docs/guide.md", "# Contrast guide\n\nGive iodinated contrast after checking renal function.\n")
    _ = try folder.write("docs/notes.txt", "Gadolinium is avoided in severe renal impairment.")
    _ = try folder.write("docs/ignored.bin", "binary")
    let store = try SQLiteDocumentStore(path: folder.path("s.sqlite"))
    let summary = try ingest(store, [folder.path("docs")])
    #expect(summary.documentsAdded == SampleCorpus.documents.count + 2)
    #expect(summary.documentsSkipped == 0 && summary.documentsReplaced == 0)
    let stats = try store.statistics()
    #expect(stats.documents == SampleCorpus.documents.count + 2)
    #expect(stats.chunks == summary.chunksAdded)
    #expect(stats.model == HashingEmbedder().identity)
    let metadata = try store.metadata(docIds: ["r1", folder.path("docs/guide.md")])
    #expect(metadata["r1"] == "{\"modality\":\"xr\"}")
    #expect(metadata[folder.path("docs/guide.md")]?.contains("\"title\":\"Contrast guide\"") == true)
    _ = jsonl
  }

  @Test func reingestionIsIdempotentAndChangesReplace() throws {
    let folder = TemporaryFolder()
    defer { folder.cleanUp() }
    let path = try folder.write("r.jsonl", SampleCorpus.jsonl)
    let store = try SQLiteDocumentStore(path: folder.path("s.sqlite"))
    // Chunks of at most 8 words: r1 is two chunks, one per sentence.
    let first = try ingest(store, [path], chunkSize: 8)
    let rows = try store.snapshot(includeTexts: true, filter: .init())
    let again = try ingest(store, [path], chunkSize: 8)
    #expect(again.documentsAdded == 0 && again.documentsReplaced == 0)
    #expect(again.documentsSkipped == SampleCorpus.documents.count)
    #expect(again.chunksSkipped == first.chunksAdded)
    let unchanged = try store.snapshot(includeTexts: true, filter: .init())
    #expect(unchanged.chunkRowIds == rows.chunkRowIds && unchanged.generation == rows.generation)
    // Change r1's second sentence: its chunks are replaced; the unchanged first sentence keeps its embedding.
    let changed = SampleCorpus.jsonl.replacingOccurrences(of: "No pneumothorax is seen.", with: "A small pneumothorax is present.")
    try Data(changed.utf8).write(to: URL(fileURLWithPath: path))
    let third = try ingest(store, [path], chunkSize: 8)
    #expect(third.documentsReplaced == 1 && third.documentsSkipped == SampleCorpus.documents.count - 1)
    #expect(third.chunksReplaced == 2 && third.chunksEmbedded == 1)
    let after = try store.snapshot(includeTexts: true, filter: .init())
    #expect(after.count == rows.count)
    #expect(after.texts!.contains("A small pneumothorax is present."))
    #expect(!after.texts!.contains("No pneumothorax is seen."))
  }

  @Test func differentModelIsRefusedNamingBoth() throws {
    let folder = TemporaryFolder()
    defer { folder.cleanUp() }
    let path = try folder.write("r.jsonl", SampleCorpus.jsonl)
    let store = try SQLiteDocumentStore(path: folder.path("s.sqlite"))
    _ = try ingest(store, [path])
    for other in [HashingEmbedder(dimension: 32), HashingEmbedder(hash: "other"), HashingEmbedder(pooling: "cls")] {
      do {
        _ = try ingest(store, [path], embedder: other)
        Issue.record("a different model was accepted")
      } catch let error as RetrievalError {
        guard case .modelMismatch(_, let stored, let requested) = error else {
          Issue.record("unexpected \(error)")
          continue
        }
        #expect(stored == HashingEmbedder().identity.description)
        #expect(requested == other.identity.description)
        #expect(error.description.contains(stored) && error.description.contains(requested))
      }
      #expect(throws: RetrievalError.self) { try Retriever(store: store, embedder: other, modes: [.exact]) }
    }
  }

  @Test func foreignCorruptAndTruncatedFilesGiveClearErrors() throws {
    let folder = TemporaryFolder()
    defer { folder.cleanUp() }
    let text = try folder.write("plain.sqlite", "this is not a database at all, just some text that is long enough")
    #expect(throws: RetrievalError.notAStore(path: text, reason: "not an SQLite file, or truncated")) {
      try SQLiteDocumentStore(path: text)
    }
    // Another application's SQLite database.
    let foreign = folder.path("foreign.sqlite")
    let queue = try DatabaseQueue(path: foreign)
    try queue.write { try $0.execute(sql: "CREATE TABLE patients (id INTEGER PRIMARY KEY, name TEXT)") }
    try queue.close()
    #expect(throws: RetrievalError.notAStore(path: foreign, reason: "an SQLite database of another application")) {
      try SQLiteDocumentStore(path: foreign)
    }
    // A real store cut short.
    let good = folder.path("good.sqlite")
    do {
      let store = try SQLiteDocumentStore(path: good)
      _ = try ingest(store, [try folder.write("r.jsonl", SampleCorpus.jsonl)])
    }
    let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
    for cut in [50, bytes.count / 2] {
      let truncated = folder.path("cut\(cut).sqlite")
      try bytes.prefix(cut).write(to: URL(fileURLWithPath: truncated))
      do {
        let store = try SQLiteDocumentStore(path: truncated)
        _ = try store.snapshot(includeTexts: true, filter: .init())
        _ = try store.statistics()
        Issue.record("a store truncated to \(cut) bytes opened and read without error")
      } catch let error as RetrievalError {
        #expect(error.description.hasPrefix(truncated))
      }
    }
  }

  @Test func badInputFilesNameFileAndLine() throws {
    let folder = TemporaryFolder()
    defer { folder.cleanUp() }
    let store = try SQLiteDocumentStore(path: folder.path("s.sqlite"))
    let cases: [(String, Data, Int?, String)] = [
      ("utf8.jsonl", Data("{\"id\":\"a\",\"text\":\"ok\"}\n{\"id\":\"b\",\"text\":\"".utf8) + Data([0xff, 0xfe]) + Data("\"}\n".utf8), 2, "is not valid UTF-8"),
      ("json.jsonl", Data("{\"id\":\"a\",\"text\":\"ok\"}\nnot json\n".utf8), 2, "is not a JSON object"),
      ("noid.jsonl", Data("{\"text\":\"ok\"}\n".utf8), 1, "needs an \"id\" (a non-empty string or a number)"),
      ("empty.jsonl", Data("{\"id\":\"a\",\"text\":\"  \"}\n".utf8), 1, "has an empty \"text\""),
      ("notext.jsonl", Data("{\"id\":\"a\",\"body\":\"x\"}\n".utf8), 1, "needs a \"text\" string"),
      ("bad.txt", Data([0x41, 0xc3, 0x28]), nil, "is not valid UTF-8"),
      ("blank.md", Data("\n\n".utf8), nil, "is empty"),
      ("image.png", Data([0x89, 0x50]), nil, "unsupported file kind .png (expected .txt, .md, .jsonl, or IU reports)"),
    ]
    for (name, data, line, reason) in cases {
      let path = folder.path(name)
      try data.write(to: URL(fileURLWithPath: path))
      #expect(throws: RetrievalError.badInput(file: path, line: line, reason: reason)) { _ = try ingest(store, [path]) }
    }
    let duplicate = try folder.write("dup.jsonl", "{\"id\":\"a\",\"text\":\"one\"}\n{\"id\":\"a\",\"text\":\"two\"}\n")
    #expect(throws: RetrievalError.self) { _ = try ingest(store, [duplicate]) }
    #expect(throws: RetrievalError.badInput(file: folder.path("missing.txt"), line: nil, reason: "no such file or folder")) {
      _ = try ingest(store, [folder.path("missing.txt")])
    }
  }

  @Test func badQueriesAreRefused() throws {
    let folder = TemporaryFolder()
    defer { folder.cleanUp() }
    let store = try SQLiteDocumentStore(path: folder.path("s.sqlite"))
    _ = try ingest(store, [try folder.write("r.jsonl", SampleCorpus.jsonl)])
    let retriever = try Retriever(store: store, embedder: HashingEmbedder(), modes: [.exact, .bm25, .hybrid])
    #expect(throws: RetrievalError.badQuery("the query is empty")) { try retriever.search(["  "], k: 3, mode: .exact) }
    #expect(throws: RetrievalError.badQuery("query 2 is empty")) { try retriever.search(["effusion", ""], k: 3, mode: .bm25) }
    let huge = String(repeating: "effusion ", count: 2000)
    #expect(throws: RetrievalError.badQuery("the query has \(huge.count) characters; the limit is 10000")) {
      try retriever.search([huge], k: 3, mode: .hybrid)
    }
    #expect(throws: RetrievalError.badQuery("k must be at least 1")) { try retriever.search(["effusion"], k: 0, mode: .exact) }
    #expect(throws: RetrievalError.self) { try MetadataFilter.parse(["modality"]) }
    #expect(throws: RetrievalError.self) { try MetadataFilter.parse(["mod'ality=x"]) }
  }

  @Test(arguments: SearchMode.allCases) func searchModesFindTheMatchingReport(mode: SearchMode) throws {
    let folder = TemporaryFolder()
    defer { folder.cleanUp() }
    let store = try SQLiteDocumentStore(path: folder.path("s.sqlite"))
    _ = try ingest(store, [try folder.write("r.jsonl", SampleCorpus.jsonl)])
    let retriever = try Retriever(store: store, embedder: HashingEmbedder(), modes: [mode])
    let results = try retriever.search(["gallstones gallbladder ultrasound", "femoral fracture"], k: 3, mode: mode)
    #expect(results[0].first?.docId == "r6")
    #expect(results[1].first?.docId == "r4")
    #expect(results[0].first?.text.contains("gallstones") == true)
    for list in results { #expect(zip(list, list.dropFirst()).allSatisfy { $0.score >= $1.score }) }
    // Metadata filter: only CT documents.
    let ct = try Retriever(store: store, embedder: HashingEmbedder(), modes: [mode], filter: try MetadataFilter.parse(["modality=ct"]))
    let filtered = try ct.search(["lesion mass kidney liver hemorrhage"], k: 10, mode: mode)[0]
    #expect(!filtered.isEmpty)
    #expect(Set(filtered.map(\.docId)).isSubset(of: ["r2", "r7", "r8"]))
  }

  @Test func hnswIndexIsPersistedAndExtendedNotRebuilt() throws {
    let folder = TemporaryFolder()
    defer { folder.cleanUp() }
    let store = try SQLiteDocumentStore(path: folder.path("s.sqlite"))
    _ = try ingest(store, [try folder.write("r.jsonl", SampleCorpus.jsonl)])
    var lines: [String] = []
    _ = try Retriever(store: store, embedder: HashingEmbedder(), modes: [.hnsw], progress: { lines.append($0) })
    #expect(lines.contains { $0.contains("building") })
    #expect(try store.statistics().index?.current == true)
    lines = []
    let reopened = try SQLiteDocumentStore(path: folder.path("s.sqlite"))
    let retriever = try Retriever(store: reopened, embedder: HashingEmbedder(), modes: [.hnsw], progress: { lines.append($0) })
    #expect(lines.isEmpty)
    #expect(try retriever.search(["gallstones"], k: 1, mode: .hnsw)[0].first?.docId == "r6")
    // New documents extend the saved graph.
    _ = try ingest(store, [try folder.write("more.jsonl", "{\"id\":\"n1\",\"text\":\"Aortic dissection on CT angiography.\"}\n")])
    #expect(try store.statistics().index?.current == false)
    _ = try Retriever(store: store, embedder: HashingEmbedder(), modes: [.hnsw], progress: { lines.append($0) })
    #expect(lines.contains { $0.contains("adding 1 chunks") })
    #expect(try store.statistics().index?.current == true)
  }

  @Test func readersSeeWholeBatchesWhileAWriterIngests() async throws {
    let folder = TemporaryFolder()
    defer { folder.cleanUp() }
    let path = folder.path("s.sqlite")
    var lines: [String] = []
    for i in 0..<600 {
      lines.append("{\"id\":\"d\(i)\",\"text\":\"Finding number \(i). Second sentence of report \(i). Third one here.\"}")
    }
    let input = try folder.write("many.jsonl", lines.joined(separator: "\n"))
    let writerStore = try SQLiteDocumentStore(path: path)
    let writer = Task.detached { try self.ingest(writerStore, [input], batchSize: 20) }
    let readerStore = try SQLiteDocumentStore(path: path)
    var observations = 0
    while true {
      let (documents, chunks, declared) = try readerStore.consistencyCounts()
      #expect(documents % 20 == 0, "a reader saw part of a batch: \(documents) documents")
      #expect(chunks == declared)
      observations += 1
      if documents == 600 { break }
      try await Task.sleep(nanoseconds: 2_000_000)
    }
    _ = try await writer.value
    #expect(observations > 1)
  }
}
