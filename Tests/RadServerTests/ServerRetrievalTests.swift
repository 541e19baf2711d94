import Foundation
import RadInference
import RadModelFiles
import RadRetrieval
import RadServer
import Testing

/// `/v1/rag/search` and grounded chat over a store built with MiniLM from project-written
/// protocol notes: search results equal an in-process `Retriever` on the same store (scores
/// included), filters apply, a grounded greedy chat equals `radlm rag ask` (the same
/// `GroundedAnswerer` call) with its sources and citations, and nothing relevant gives the refusal.
@Suite("Server retrieval", .serialized)
struct ServerRetrievalTests {
  /// Synthetic department protocol notes (written for these tests).
  static let notes: [(id: String, text: String, topic: String)] = [
    (
      "contrast-renal",
      "Before iodinated contrast, check the eGFR. Below 30 mL/min, discuss alternatives with the referring team.",
      "contrast"
    ),
    (
      "contrast-allergy",
      "Patients with a previous severe reaction to iodinated contrast need premedication with steroids.",
      "contrast"
    ),
    (
      "mri-pacemaker",
      "MRI with a pacemaker is allowed only for MR-conditional devices, with cardiology present.",
      "mri"
    ),
    (
      "mri-gadolinium",
      "Gadolinium is avoided in pregnancy unless essential; use the lowest dose of a macrocyclic agent.",
      "mri"
    ),
    (
      "ct-pe",
      "Suspected pulmonary embolism is imaged with CT pulmonary angiography timed to the pulmonary arteries.",
      "ct"
    ),
    (
      "us-gallbladder",
      "Gallbladder ultrasound needs six hours of fasting so that the gallbladder is distended.",
      "ultrasound"
    ),
  ]

  static let store: Result<(path: String, embedder: SentenceTransformerEmbedder), any Error> = Result {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("radlm-server-rag-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let path = folder.appendingPathComponent("notes.sqlite").path
    let embedder = try SentenceTransformerEmbedder(path: try ModelCache().path(of: "minilm").path, name: "minilm")
    let ingestor = try DocumentIngestor(
      store: try SQLiteDocumentStore(path: path), embedder: embedder,
      chunking: ChunkingOptions(mode: .sentence, size: 128, overlap: 0))
    for note in notes {
      try ingestor.add(
        SourceDocument(
          id: note.id, text: note.text, metadataJSON: SourceDocument.json(["topic": note.topic]), source: "test"))
    }
    try ingestor.finish()
    return (path, embedder)
  }

  static func served() throws -> ServedModels {
    let (path, embedder) = try store.get()
    return ServedModels(
      generator: try TestModels.generator.get(), embedder: try TestModels.embedder.get(),
      retrieval: try StoreSearch(store: try SQLiteDocumentStore(path: path), embedder: embedder))
  }

  static func retriever(filter: [String] = []) throws -> Retriever {
    let (path, embedder) = try store.get()
    return try Retriever(
      store: try SQLiteDocumentStore(path: path), embedder: embedder, modes: [.exact, .bm25, .hybrid],
      filter: try MetadataFilter.parse(filter))
  }

  static func results(_ object: [String: Any], key: String = "results") -> [(doc: String, score: Double)] {
    (object[key] as? [[String: Any]] ?? []).map { ($0["doc_id"] as? String ?? "", $0["score"] as? Double ?? .nan) }
  }

  /// The score numbers as the body spells them, in order (Foundation's JSON reader may round the
  /// last digit; the server writes Swift's shortest round-trip text of each Double).
  static func scoreTexts(_ body: String) -> [String] {
    body.components(separatedBy: "\"score\":").dropFirst().map { String($0.prefix { $0 != "," && $0 != "}" }) }
  }

  @Test(arguments: [SearchMode.exact, .bm25, .hybrid])
  func searchEqualsTheInProcessRetriever(mode: SearchMode) async throws {
    let query = "Can a patient with a pacemaker have an MRI scan?"
    let expected = try Self.retriever().search([query], k: 3, mode: mode)[0]
    try await TestServer.with(load: { try Self.served() }) { client, _ in
      let reply = try await client.post(
        "/v1/rag/search", json: json(["query": query, "k": 3, "mode": mode.rawValue]))
      #expect(reply.status == 200, "\(reply.text)")
      let got = Self.results(try reply.json())
      #expect(got.map(\.doc) == expected.map(\.docId))
      #expect(Self.scoreTexts(reply.text) == expected.map { "\($0.score)" })
      #expect(got.first?.doc == "mri-pacemaker")
    }
  }

  @Test func filterKeepsOnlyMatchingDocuments() async throws {
    try await TestServer.with(load: { try Self.served() }) { client, _ in
      let reply = try await client.post(
        "/v1/rag/search",
        json: json(["query": "contrast reaction and kidney function", "k": 10, "filter": ["topic": "mri"]]))
      #expect(reply.status == 200, "\(reply.text)")
      #expect(Set(Self.results(try reply.json()).map(\.doc)) == ["mri-pacemaker", "mri-gadolinium"])
      for (body, param) in [
        (json(["k": 3]), "query"), (json(["query": "x", "k": 0]), "k"),
        (json(["query": "x", "mode": "fuzzy"]), "mode"),
        (json(["query": "x", "filter": ["topic": ["mri"]]]), "filter"), (json(["query": "   "]), "query"),
      ] {
        let bad = try await client.post("/v1/rag/search", json: body)
        #expect(bad.status == 400, "\(body): \(bad.text)")
        #expect(try bad.error()["param"] as? String == param, "\(body)")
      }
    }
  }

  @Test func groundedChatEqualsRagAskWithSourcesAndCitations() async throws {
    let question = "What must be checked before giving iodinated contrast?"
    let bundle = try TestModels.generator.get().bundle
    let expected = try GroundedAnswerer(
      retriever: try Self.retriever(), writer: LanguageModelAnswerWriter(bundle: bundle, maxTokens: 48), k: 3
    ).ask(question)
    #expect(!expected.refused)
    try await TestServer.with(load: { try Self.served() }) { client, _ in
      let body = json([
        "model": "smollm2", "temperature": 0, "max_tokens": 48, "rag": ["k": 3],
        "messages": [["role": "user", "content": question]],
      ])
      let reply = try await client.post("/v1/chat/completions", json: body)
      #expect(reply.status == 200, "\(reply.text)")
      let object = try reply.json()
      let content = try #require(
        ((object["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["content"] as? String)
      #expect(content.trimmingCharacters(in: .whitespacesAndNewlines) == expected.answer)
      let sources = Self.results(object, key: "sources")
      #expect(sources.map(\.doc) == expected.sources.map(\.docId))
      #expect(Self.scoreTexts(reply.text) == expected.sources.map { "\($0.score)" })
      let citations = (object["citations"] as? [[String: Any]] ?? []).map {
        ($0["n"] as? Int ?? 0, $0["doc_id"] as? String ?? "")
      }
      #expect(citations.map(\.0) == expected.citations.map(\.n))
      #expect(citations.map(\.1) == expected.citations.map(\.docId))
      #expect(object["refused"] as? Bool == false)
      // Streamed: the sources come first, the citations with the last choice chunk.
      var streamed = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] ?? [:]
      streamed["stream"] = true
      let events = try await client.post("/v1/chat/completions", json: json(streamed)).text
        .components(separatedBy: "\n\n").filter { $0.hasPrefix("data: {") }
        .compactMap { try? JSONSerialization.jsonObject(with: Data($0.dropFirst(6).utf8)) as? [String: Any] }
      #expect(Self.results(try #require(events.first), key: "sources").map(\.doc) == expected.sources.map(\.docId))
      #expect((events.last?["citations"] as? [[String: Any]])?.count == expected.citations.count)
    }
  }

  @Test func nothingRelevantGivesTheRefusalWithoutGenerating() async throws {
    try await TestServer.with(load: { try Self.served() }) { client, _ in
      let body = json([
        "model": "smollm2", "temperature": 0, "max_tokens": 48, "rag": ["min_score": 0.9],
        "messages": [["role": "user", "content": "Which football team won the cup in 1998?"]],
      ])
      let reply = try await client.post("/v1/chat/completions", json: body)
      #expect(reply.status == 200, "\(reply.text)")
      let object = try reply.json()
      let content = ((object["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["content"]
      #expect(content as? String == GroundedAnswerer.refusal)
      #expect(object["refused"] as? Bool == true)
      #expect((object["citations"] as? [Any])?.isEmpty == true)
      #expect((object["usage"] as? [String: Any])?["completion_tokens"] as? Int == 0)
    }
  }

  @Test func withoutAStoreRetrievalIsA400NamingIt() async throws {
    try await TestServer.with { client, _ in
      let search = try await client.post("/v1/rag/search", json: json(["query": "contrast"]))
      #expect(search.status == 400)
      #expect(try search.error()["code"] as? String == "rag_not_available")
      let chat = try await client.post(
        "/v1/chat/completions",
        json: json(["model": "smollm2", "rag": true, "messages": [["role": "user", "content": "contrast?"]]]))
      #expect(chat.status == 400)
      #expect(try chat.error()["param"] as? String == "rag")
    }
  }
}
