import ArgumentParser
import Foundation
import RadRetrieval

/// `radlm rag`: retrieval-augmented generation over an embedded document store (one SQLite file):
/// index documents, search them (exact, HNSW, BM25, hybrid), answer questions from them with
/// citations, and report what the store holds.
struct RagCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rag",
    abstract: "Index documents into a SQLite store, search them, and answer questions with cited sources.",
    subcommands: [RagIndexCommand.self, RagSearchCommand.self, RagAskCommand.self, RagStatsCommand.self]
  )
}

/// Loads the embedder a store needs: `--model` if given, else the model recorded in the store.
enum RagModels {
  static func embedder(_ model: String?, store: SQLiteDocumentStore) throws -> SentenceTransformerEmbedder {
    let name: String
    if let model {
      name = model
    } else if let stored = try store.modelIdentity() {
      name = stored.name
    } else {
      name = "minilm"
    }
    return try SentenceTransformerEmbedder(path: try ModelArgument.path(name), name: name)
  }

  static func progress(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
  }
}

extension ChunkingOptions.Mode: ExpressibleByArgument {}
extension SearchMode: ExpressibleByArgument {}
extension VectorMetric: ExpressibleByArgument {}

/// `radlm rag index`: adds documents to a store (new ones added, changed ones replaced, unchanged
/// ones skipped) and brings the HNSW index up to date.
struct RagIndexCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "index",
    abstract: "Add .txt, .md, JSON Lines ({\"id\",\"text\",…}) and IU report files or folders to a store.",
    discussion: """
      Prints documents and chunks added, replaced and skipped ({"documents":{…},"chunks":{…}} with \
      --json). Progress goes to stderr. Every batch of documents is one transaction.
      """)

  @Option(help: "The store (SQLite file; created when absent).") var db: String
  @Option(help: "Embedding model: a sentence-transformers folder or a fetched name.") var model: String?
  @Option(help: "Chunking: sentence (whole sentences up to --chunk-size tokens) or tokens.")
  var chunk: ChunkingOptions.Mode = .sentence
  @Option(name: .customLong("chunk-size"), help: "Chunk size in model tokens.") var chunkSize = 128
  @Option(help: "Overlap: sentences (sentence chunking) or tokens (token chunking).") var overlap = 0
  @Option(help: "Vector metric of a new store: cosine, dot or l2.") var metric: VectorMetric = .cosine
  @Option(name: .customLong("hnsw-m"), help: "HNSW links per node.") var hnswM = 16
  @Option(name: .customLong("ef-construction"), help: "HNSW candidates kept while building.") var efConstruction = 100
  @Flag(name: .customLong("no-hnsw"), help: "Do not build or update the HNSW index.") var noHNSW = false
  @Option(name: .customLong("batch-size"), help: "Documents per transaction.") var batchSize = 64
  @Flag(help: "Print JSON.") var json = false
  @Argument(help: "Files or folders to index.") var paths: [String]

  func validate() throws {
    if paths.isEmpty { throw ValidationError("give at least one PATH to index") }
    try OptionCheck.count(chunkSize, "--chunk-size")
    try OptionCheck.model(model)
    if overlap < 0 || overlap >= chunkSize {
      throw ValidationError("--overlap must be at least 0 and less than --chunk-size")
    }
    try OptionCheck.exist(paths, "<paths>")
    if hnswM < 2 || hnswM > 128 { throw ValidationError("--hnsw-m must be between 2 and 128") }
    try OptionCheck.count(efConstruction, "--ef-construction")
    try OptionCheck.integer(batchSize, "--batch-size", in: 1...100_000)
  }

  func run() throws {
    let store = try SQLiteDocumentStore(path: db)
    let embedder = try RagModels.embedder(model, store: store)
    let ingestor = try DocumentIngestor(
      store: store, embedder: embedder, chunking: ChunkingOptions(mode: chunk, size: chunkSize, overlap: overlap),
      metric: metric, batchSize: batchSize)
    ingestor.progress = RagModels.progress
    try DocumentReader.read(paths: paths, extraReaders: RagReaders.all) { try ingestor.add($0) }
    let summary = try ingestor.finish()
    if !noHNSW {
      _ = try Retriever(
        store: store, embedder: embedder, modes: [.hnsw],
        hnsw: HNSWParameters(m: hnswM, efConstruction: efConstruction, metric: metric), progress: RagModels.progress)
    }
    if json {
      print(
        "{\"documents\":{\"added\":\(summary.documentsAdded),\"replaced\":\(summary.documentsReplaced),"
          + "\"skipped\":\(summary.documentsSkipped)},\"chunks\":{\"added\":\(summary.chunksAdded),"
          + "\"replaced\":\(summary.chunksReplaced),\"skipped\":\(summary.chunksSkipped)}}")
    } else {
      print(
        "documents: \(summary.documentsAdded) added, \(summary.documentsReplaced) replaced, "
          + "\(summary.documentsSkipped) skipped")
      print(
        "chunks: \(summary.chunksAdded) added, \(summary.chunksReplaced) replaced, \(summary.chunksSkipped) skipped")
    }
  }
}

/// `radlm rag search`: the best chunks for a query, or for every line of a queries file.
struct RagSearchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "search",
    abstract: "Search a store: exact or HNSW vector search, BM25 keywords, or hybrid (reciprocal-rank fusion).",
    discussion: """
      With QUERY prints {"results":[{"doc_id","chunk_id","score","text"}]} (--json) or a table, best \
      first. With --queries Q.jsonl ({"id","query"} per line) prints one {"id","results":[…]} line per \
      query; query embeddings are computed in batches.
      """)

  @Option(help: "The store (SQLite file).") var db: String
  @Option(help: "Results per query.") var k = 10
  @Option(help: "exact, hnsw, bm25 or hybrid.") var mode: SearchMode = .hybrid
  @Option(help: "JSON Lines of {\"id\",\"query\"}.") var queries: String?
  @Option(help: "Only documents whose metadata KEY equals VALUE (repeatable).") var filter: [String] = []
  @Option(name: .customLong("ef-search"), help: "HNSW candidates kept while searching.") var efSearch: Int?
  @Option(help: "Embedding model (default: the one the store records).") var model: String?
  @Flag(help: "Print JSON.") var json = false
  @Argument(help: "The query.") var query: String?

  func validate() throws {
    try OptionCheck.count(k, "--k")
    try OptionCheck.exists(db, "--db")
    try OptionCheck.exists(queries, "--queries")
    try OptionCheck.model(model)
    if (query == nil) == (queries == nil) { throw ValidationError("give either QUERY or --queries Q.jsonl") }
    try OptionCheck.count(efSearch, "--ef-search")
    if let query, query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
      throw ValidationError("QUERY is empty")
    }
    do { _ = try MetadataFilter.parse(filter) } catch { throw ValidationError("--filter: \(error)") }
  }

  func run() throws {
    let store = try SQLiteDocumentStore(path: db)
    let embedder = mode == .bm25 ? nil : try RagModels.embedder(model, store: store)
    let retriever = try Retriever(
      store: store, embedder: embedder, modes: [mode], filter: try MetadataFilter.parse(filter),
      progress: RagModels.progress)
    if let query {
      let results = try retriever.search([query], k: k, mode: mode, efSearch: efSearch)[0]
      if json {
        print("{\"results\":\(RagJSON.results(results))}")
      } else {
        for (i, r) in results.enumerated() {
          print("\(i + 1)\t\(String(format: "%.4f", r.score))\t\(r.chunkId)\t\(r.text.prefix(100))")
        }
      }
      return
    }
    let items = try RagQueriesFile.read(queries!)
    let batch = 256
    var start = 0
    while start < items.count {
      let slice = Array(items[start..<min(items.count, start + batch)])
      let results = try retriever.search(slice.map(\.query), k: k, mode: mode, efSearch: efSearch)
      for (item, list) in zip(slice, results) {
        print("{\"id\":\(ModelJSON.string(item.id)),\"results\":\(RagJSON.results(list))}")
      }
      start += batch
    }
  }
}

/// JSON text of search results (keys in the documented order).
enum RagJSON {
  static func results(_ results: [SearchResult]) -> String {
    "["
      + results.map {
        "{\"doc_id\":\(ModelJSON.string($0.docId)),\"chunk_id\":\(ModelJSON.string($0.chunkId)),"
          + "\"score\":\(ModelJSON.number($0.score)),\"text\":\(ModelJSON.string($0.text))}"
      }.joined(separator: ",") + "]"
  }
}

/// `{"id","query"}` lines of a queries file.
enum RagQueriesFile {
  static func read(_ path: String) throws -> [(id: String, query: String)] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ValidationError("--queries \(path): cannot be read")
    }
    guard let text = String(validating: data, as: UTF8.self) else {
      throw RetrievalError.badInput(file: path, line: nil, reason: "is not valid UTF-8")
    }
    var items: [(id: String, query: String)] = []
    for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
      guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
        let id = (object["id"] as? String) ?? (object["id"] as? NSNumber)?.stringValue,
        let query = object["query"] as? String
      else {
        throw RetrievalError.badInput(file: path, line: i + 1, reason: "expected {\"id\",\"query\"}")
      }
      do { try Retriever.validate([query]) } catch {
        throw RetrievalError.badInput(file: path, line: i + 1, reason: "\(error)")
      }
      items.append((id, query))
    }
    return items
  }
}

/// `radlm rag ask`: a grounded answer with numbered, cited sources.
struct RagAskCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ask",
    abstract: "Answer a question from the store's best chunks, citing them; refuse when nothing is relevant.",
    discussion: """
      --json prints {"answer","citations":[{"n","doc_id","chunk_id"}]} (plus "refused" and "sources"). \
      Citations are only numbers of sources the model was given.
      """)

  @Option(help: "The store (SQLite file).") var db: String
  @Option(help: "Language model: a model folder, .gguf file or fetched name (smollm2).") var model: String
  @Option(help: "Sources to retrieve.") var k = 4
  @Option(name: .customLong("min-score"), help: "Refuse when the best source's cosine similarity is below this.")
  var minScore = 0.3
  @Option(name: .customLong("max-tokens"), help: "Longest answer in tokens.") var maxTokens = 200
  @Option(name: .customLong("embedding-model"), help: "Embedding model (default: the one the store records).")
  var embeddingModel: String?
  @Flag(help: "Print JSON.") var json = false
  @Argument(help: "The question.") var question: String

  func validate() throws {
    try OptionCheck.count(k, "--k")
    try OptionCheck.count(maxTokens, "--max-tokens")
    try OptionCheck.number(minScore, "--min-score", atLeast: -1, atMost: 1)
    try OptionCheck.exists(db, "--db")
    try OptionCheck.model(model)
    try OptionCheck.model(embeddingModel, "--embedding-model")
    if question.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw ValidationError("QUESTION is empty") }
  }

  func run() throws {
    let store = try SQLiteDocumentStore(path: db)
    let embedder = try RagModels.embedder(embeddingModel, store: store)
    let retriever = try Retriever(store: store, embedder: embedder, modes: [.exact])
    let writer = LanguageModelAnswerWriter(bundle: try ModelArgument.bundle(model, dtype: .f32), maxTokens: maxTokens)
    let answer = try GroundedAnswerer(retriever: retriever, writer: writer, k: k, minimumScore: minScore).ask(question)
    if json {
      let citations = answer.citations.map {
        "{\"n\":\($0.n),\"doc_id\":\(ModelJSON.string($0.docId)),\"chunk_id\":\(ModelJSON.string($0.chunkId))}"
      }
      print(
        "{\"answer\":\(ModelJSON.string(answer.answer)),\"citations\":[\(citations.joined(separator: ","))],"
          + "\"refused\":\(answer.refused),\"sources\":\(RagJSON.results(answer.sources))}")
    } else {
      print(answer.answer)
      if !answer.citations.isEmpty { print("") }
      for c in answer.citations { print("[\(c.n)] \(c.docId) (\(c.chunkId))") }
    }
  }
}

/// `radlm rag stats`: what a store holds.
struct RagStatsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "stats",
    abstract: "Print a store's documents, chunks, embedding model, dimension and index.",
    discussion: "--json prints {\"documents\",\"chunks\",\"model\",\"dimension\",\"index\"}.")

  @Option(help: "The store (SQLite file).") var db: String
  @Flag(help: "Print JSON.") var json = false

  func validate() throws {
    if !FileManager.default.fileExists(atPath: db) { throw ValidationError("--db \(db): no such file") }
  }

  func run() throws {
    let stats = try SQLiteDocumentStore(path: db).statistics()
    let model = stats.model
    let index = stats.index.map {
      "{\"kind\":\"\($0.kind)\",\"m\":\($0.parameters.m),\"ef_construction\":\($0.parameters.efConstruction),"
        + "\"metric\":\"\($0.parameters.metric.rawValue)\",\"nodes\":\($0.nodes),\"current\":\($0.current)}"
    }
    if json {
      let modelJSON = model.map {
        "{\"name\":\(ModelJSON.string($0.name)),\"hash\":\"\($0.hash)\",\"pooling\":\"\($0.pooling)\","
          + "\"normalized\":\($0.normalized)}"
      }
      print(
        "{\"documents\":\(stats.documents),\"chunks\":\(stats.chunks),\"model\":\(modelJSON ?? "null"),"
          + "\"dimension\":\(model.map { String($0.dimension) } ?? "null"),\"index\":\(index ?? "null")}")
    } else {
      print("documents: \(stats.documents)")
      print("chunks: \(stats.chunks)")
      print("model: \(model.map(\.description) ?? "none yet")")
      print("metric: \(stats.metric?.rawValue ?? "none yet")")
      print("index: \(index ?? "none")")
    }
  }
}

/// Extra input readers (Indiana University reports).
enum RagReaders {
  static var all: [any DocumentFileReader] { [IUReportDocumentReader()] }
}
