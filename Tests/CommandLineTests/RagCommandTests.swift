import Foundation
import Testing

/// `radlm rag` and `radlm eval retrieval` end to end with the real MiniLM (and SmolLM2 for `ask`),
/// including a process killed with SIGKILL in the middle of ingestion.
@Suite(.serialized) struct RagCommandTests {
  static let corpus: [(String, String)] = [
    ("r1", "Chest radiograph shows a small left pleural effusion. No pneumothorax is seen."),
    ("r2", "CT of the abdomen demonstrates a hypodense lesion in the right hepatic lobe."),
    ("r3", "MRI of the brain shows a T2 hyperintense lesion in the left frontal lobe."),
    ("r4", "Right femoral shaft fracture with mild displacement."),
    ("r5", "Ultrasound of the gallbladder shows multiple gallstones without wall thickening."),
    ("r6", "Metformin should be withheld for 48 hours after iodinated contrast in patients with renal impairment."),
  ]

  static func jsonl(_ items: [(String, String)]) -> String {
    items.map { "{\"id\":\"\($0.0)\",\"text\":\"\($0.1)\",\"kind\":\"report\"}" }.joined(separator: "\n") + "\n"
  }

  static func object(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  @Test func indexSearchStatsAndEvaluate() throws {
    let folder = CommandRunner.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let input = folder.appendingPathComponent("reports.jsonl")
    try Data(Self.jsonl(Self.corpus).utf8).write(to: input)
    let db = folder.appendingPathComponent("store.sqlite").path
    let index = try CommandRunner.run(["rag", "index", "--db", db, "--model", "minilm", "--json", input.path])
    #expect(index.status == 0, "\(index.stderr)")
    let counts = try Self.object(index.stdout)
    #expect((counts["documents"] as? [String: Int]) == ["added": 6, "replaced": 0, "skipped": 0])
    #expect((counts["chunks"] as? [String: Int])?["added"] == 6)
    let again = try CommandRunner.run(["rag", "index", "--db", db, "--model", "minilm", input.path])
    #expect(again.stdout == "documents: 0 added, 0 replaced, 6 skipped\nchunks: 0 added, 0 replaced, 6 skipped\n")

    for mode in ["exact", "hnsw", "bm25", "hybrid"] {
      let out = try CommandRunner.run([
        "rag", "search", "--db", db, "--k", "3", "--mode", mode, "--json", "metformin contrast kidney",
      ])
      #expect(out.status == 0, "\(out.stderr)")
      let results = try #require(try Self.object(out.stdout)["results"] as? [[String: Any]])
      // BM25 returns only chunks sharing a term with the query: here r6 alone.
      #expect(results.count == (mode == "bm25" ? 1 : 3))
      #expect(results.first?["doc_id"] as? String == "r6")
      #expect(results.first?["chunk_id"] as? String == "r6#0")
      #expect(Set(results[0].keys) == ["doc_id", "chunk_id", "score", "text"])
      let scores = results.compactMap { $0["score"] as? Double }
      #expect(scores == scores.sorted(by: >))
    }
    let queries = folder.appendingPathComponent("q.jsonl")
    try Data("{\"id\":\"a\",\"query\":\"gallstones\"}\n{\"id\":\"b\",\"query\":\"broken thigh bone\"}\n".utf8).write(
      to: queries)
    let batch = try CommandRunner.run([
      "rag", "search", "--db", db, "--k", "2", "--mode", "exact", "--queries", queries.path,
    ])
    #expect(batch.status == 0, "\(batch.stderr)")
    let lines = batch.stdout.split(separator: "\n").map(String.init)
    #expect(lines.count == 2)
    #expect(try Self.object(lines[0])["id"] as? String == "a")
    #expect(((try Self.object(lines[1])["results"] as? [[String: Any]])?.first?["doc_id"] as? String) == "r4")

    let stats = try Self.object(try CommandRunner.run(["rag", "stats", "--db", db, "--json"]).stdout)
    #expect(stats["documents"] as? Int == 6 && stats["chunks"] as? Int == 6 && stats["dimension"] as? Int == 384)
    #expect((stats["model"] as? [String: Any])?["name"] as? String == "minilm")
    #expect((stats["index"] as? [String: Any])?["current"] as? Bool == true)

    // eval retrieval over the batch run
    let run = folder.appendingPathComponent("run.jsonl")
    try Data(batch.stdout.utf8).write(to: run)
    let qrels = folder.appendingPathComponent("qrels.txt")
    try Data("a 0 r5 1\nb 0 r4 1\n".utf8).write(to: qrels)
    let eval = try CommandRunner.run([
      "eval", "retrieval", "--qrels", qrels.path, "--run", run.path, "--k", "2", "--json",
    ])
    let metrics = try Self.object(eval.stdout)
    #expect(metrics["mrr"] as? Double == 1 && metrics["recall"] as? Double == 1 && metrics["queries"] as? Int == 2)
  }

  @Test func badOptionsAndFilesExitWithOneLine() throws {
    let folder = CommandRunner.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let db = folder.appendingPathComponent("s.sqlite").path
    // Options are checked before the store is opened: an empty file stands in for it.
    try Data().write(to: URL(fileURLWithPath: db))
    let k0 = try CommandRunner.run(["rag", "search", "--db", db, "--k", "0", "query"])
    #expect(k0.status == 64 && k0.stderr.contains("--k must be between 1 and"))
    let none = try CommandRunner.run(["rag", "search", "--db", db])
    #expect(none.status == 64 && none.stderr.contains("give either QUERY or --queries"))
    let overlap = try CommandRunner.run(["rag", "index", "--db", db, "--chunk-size", "8", "--overlap", "8", "x.txt"])
    #expect(overlap.status == 64 && overlap.stderr.contains("--overlap"))
    let notDB = folder.appendingPathComponent("notes.sqlite")
    try Data("just text, not a database, long enough to hold a header".utf8).write(to: notDB)
    let foreign = try CommandRunner.run(["rag", "stats", "--db", notDB.path])
    #expect(foreign.status != 0)
    #expect(foreign.stderr.contains("\(notDB.path): not a RadLM retrieval store"))
    let bad = folder.appendingPathComponent("bad.jsonl")
    try (Data("{\"id\":\"a\",\"text\":\"".utf8) + Data([0xff]) + Data("\"}\n".utf8)).write(to: bad)
    let utf8 = try CommandRunner.run(["rag", "index", "--db", db, "--model", "minilm", bad.path])
    #expect(utf8.status != 0 && utf8.stderr.contains("\(bad.path):1: is not valid UTF-8"))
  }

  @Test func killedIngestionKeepsWholeBatchesAndARerunCompletes() throws {
    let folder = CommandRunner.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let items = (0..<1500).map {
      ("d\($0)", "Report \($0): the lungs are clear and there is no effusion number \($0).")
    }
    let input = folder.appendingPathComponent("many.jsonl")
    try Data(Self.jsonl(items).utf8).write(to: input)
    let db = folder.appendingPathComponent("store.sqlite").path
    let arguments = [
      "rag", "index", "--db", db, "--model", "minilm", "--batch-size", "25", "--no-hnsw", "--json", input.path,
    ]
    let (process, _, err) = try CommandRunner.launch(arguments)
    var progress = ""
    while !progress.contains("50 documents read") {
      let data = err.fileHandleForReading.availableData
      if data.isEmpty { break }
      progress += String(decoding: data, as: UTF8.self)
    }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    #expect(process.terminationReason == .uncaughtSignal)
    let stats = try Self.object(try CommandRunner.run(["rag", "stats", "--db", db, "--json"]).stdout)
    let documents = try #require(stats["documents"] as? Int)
    #expect(documents >= 50 && documents < 1500 && documents % 25 == 0, "documents after the kill: \(documents)")
    #expect(stats["chunks"] as? Int == documents)
    let rerun = try CommandRunner.run(arguments)
    #expect(rerun.status == 0, "\(rerun.stderr)")
    let counts = try Self.object(rerun.stdout)
    #expect(
      (counts["documents"] as? [String: Int]) == ["added": 1500 - documents, "replaced": 0, "skipped": documents])
    let final = try Self.object(try CommandRunner.run(["rag", "stats", "--db", db, "--json"]).stdout)
    #expect(final["documents"] as? Int == 1500 && final["chunks"] as? Int == 1500)
  }

  @Test func askCitesRetrievedSourcesOrRefuses() throws {
    let folder = CommandRunner.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let input = folder.appendingPathComponent("reports.jsonl")
    try Data(Self.jsonl(Self.corpus).utf8).write(to: input)
    let db = folder.appendingPathComponent("store.sqlite").path
    #expect(
      try CommandRunner.run(["rag", "index", "--db", db, "--model", "minilm", "--no-hnsw", input.path]).status == 0)
    let out = try CommandRunner.run(
      [
        "rag", "ask", "--db", db, "--model", "smollm2", "--k", "3", "--json",
        "When should metformin be withheld after contrast?",
      ])
    #expect(out.status == 0, "\(out.stderr)")
    let answer = try Self.object(out.stdout)
    #expect(answer["refused"] as? Bool == false)
    #expect(!(answer["answer"] as? String ?? "").isEmpty)
    let sources = try #require(answer["sources"] as? [[String: Any]])
    #expect(sources.first?["doc_id"] as? String == "r6")
    for citation in try #require(answer["citations"] as? [[String: Any]]) {
      let n = try #require(citation["n"] as? Int)
      #expect((1...3).contains(n))
      #expect(citation["doc_id"] as? String == sources[n - 1]["doc_id"] as? String)
    }
    let refused = try Self.object(
      try CommandRunner.run([
        "rag", "ask", "--db", db, "--model", "smollm2", "--json", "What is the capital of Australia?",
      ]).stdout)
    #expect(refused["refused"] as? Bool == true)
    #expect((refused["citations"] as? [Any])?.isEmpty == true)
  }
}
