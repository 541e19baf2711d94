import Foundation
import RadModelFiles
import RadReports
import Testing

import RadRetrieval

/// Ingestion of Indiana University report XML: one document per report (id = report number), its
/// sections, MeSH terms and split as metadata so searches filter by split. Runs on the project-written
/// fixtures of RadReportsTests and on the fetched collection's `.tgz`, read in place.
@Suite struct IUReportIngestionTests {
  /// The synthetic IU-layout reports (120 test, 131 validation, nested/142 train) and a malformed one.
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("RadReportsTests/Fixtures/iu")

  func ingest(_ store: SQLiteDocumentStore, _ paths: [String]) throws -> IngestionSummary {
    let ingestor = try DocumentIngestor(
      store: store, embedder: HashingEmbedder(), chunking: ChunkingOptions(mode: .sentence, size: 32, overlap: 0))
    try DocumentReader.read(paths: paths, extraReaders: [IUReportDocumentReader()]) { try ingestor.add($0) }
    return try ingestor.finish()
  }

  func metadata(_ store: SQLiteDocumentStore, _ ids: [String]) throws -> [String: [String: Any]] {
    try store.metadata(docIds: ids).mapValues {
      try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
  }

  @Test func fixtureFolderBecomesOneDocumentPerReportWithSectionsMeSHAndSplit() throws {
    let folder = TemporaryFolder()
    defer { folder.cleanUp() }
    let path = Self.fixtures.appendingPathComponent("folder").path
    let store = try SQLiteDocumentStore(path: folder.path("iu.sqlite"))
    let summary = try ingest(store, [path])
    let reports = try IUReportCollection.load(from: path).reports
    #expect(reports.map(\.number) == [120, 131, 142])
    #expect(summary.documentsAdded == reports.count)
    #expect(try store.statistics().documents == reports.count)
    let stored = try metadata(store, reports.map { String($0.number) })
    for report in reports {
      let meta = try #require(stored[String(report.number)])
      #expect(meta["split"] as? String == report.split.rawValue)
      #expect((meta["report"] as? NSNumber)?.intValue == report.number)
      #expect(meta["findings"] as? String == report.findings)
      #expect(meta["impression"] as? String == report.impression)
      #expect(meta["indication"] as? String == report.indication)
      #expect(meta["comparison"] as? String == report.comparison)
      #expect(meta["mesh_major"] as? [String] == report.meshMajor)
      #expect(meta["mesh_minor"] as? [String] == report.meshMinor)
      #expect(meta["format"] as? String == "iu-report")
    }
    #expect(stored["120"]?["split"] as? String == "test")
    #expect(stored["131"]?["split"] as? String == "validation")
    #expect(stored["142"]?["split"] as? String == "train")
    // The folder's notes.txt is not a report: only the three XML files became documents.
    #expect(try store.metadata(docIds: [path + "/notes.txt"]).isEmpty)
    // The same folder again adds nothing.
    let again = try ingest(store, [path])
    #expect(again.documentsSkipped == reports.count && again.documentsAdded == 0 && again.chunksEmbedded == 0)
  }

  @Test(arguments: [SearchMode.exact, .bm25, .hybrid, .hnsw])
  func splitFilterKeepsOnlyThatSplit(mode: SearchMode) throws {
    let folder = TemporaryFolder()
    defer { folder.cleanUp() }
    let store = try SQLiteDocumentStore(path: folder.path("iu.sqlite"))
    _ = try ingest(store, [Self.fixtures.appendingPathComponent("folder").path])
    let query = "heart size effusion pneumothorax chest pain acute disease"
    let all = try Retriever(store: store, embedder: HashingEmbedder(), modes: [mode]).search([query], k: 20, mode: mode)
    #expect(Set(all[0].map(\.docId)) == ["120", "131", "142"])
    for (split, id) in [("test", "120"), ("validation", "131"), ("train", "142")] {
      let retriever = try Retriever(
        store: store, embedder: HashingEmbedder(), modes: [mode], filter: try MetadataFilter.parse(["split=\(split)"]))
      let results = try retriever.search([query], k: 20, mode: mode)[0]
      #expect(Set(results.map(\.docId)) == [id], "split=\(split)")
    }
  }

  @Test func singleXMLFileAndMalformedFileNamed() throws {
    let folder = TemporaryFolder()
    defer { folder.cleanUp() }
    let store = try SQLiteDocumentStore(path: folder.path("iu.sqlite"))
    let one = Self.fixtures.appendingPathComponent("folder/nested/142.xml").path
    #expect(try ingest(store, [one]).documentsAdded == 1)
    #expect(try store.metadata(docIds: ["142"]).count == 1)
    let malformed = Self.fixtures.appendingPathComponent("malformed").path
    do {
      _ = try ingest(store, [malformed])
      Issue.record("a malformed report was accepted")
    } catch let error as RetrievalError {
      #expect("\(error)".contains("150.xml"))
      #expect("\(error)".contains("malformed XML"))
    }
  }

  /// The fetched collection's `.tgz`, read in place: every report with section text is one document,
  /// and `split=test` keeps exactly the reports whose number ends in 0.
  @Test func fetchedCollectionArchiveIngestsEveryReport() throws {
    let archive = try ModelCache().path(of: "iu-reports").path
    let folder = TemporaryFolder()
    defer { folder.cleanUp() }
    let store = try SQLiteDocumentStore(path: folder.path("iu.sqlite"))
    let summary = try ingest(store, [archive])
    let reports = try IUReportCollection.load(from: archive).reports
    let withText = reports.filter { !$0.sections.isEmpty }
    #expect(withText.count > 3000)
    #expect(summary.documentsAdded == withText.count)
    let test = try Retriever(
      store: store, embedder: nil, modes: [.bm25], filter: try MetadataFilter.parse(["split=test"]))
    let results = try test.search(["cardiomegaly pleural effusion"], k: 50, mode: .bm25)[0]
    #expect(results.count == 50)
    #expect(results.allSatisfy { Int($0.docId).map { $0 % 10 == 0 } ?? false })
    let expectedTest = Set(withText.filter { $0.split == .test }.map { String($0.number) })
    #expect(Set(results.map(\.docId)).isSubset(of: expectedTest))
  }
}
