import Foundation
import Testing

import RadRetrieval

/// A writer that returns a fixed text and records the prompt it was given.
final class ScriptedWriter: AnswerWriter, @unchecked Sendable {
  // @unchecked: used from one test at a time.
  let reply: String
  var prompts: [String] = []
  init(reply: String) { self.reply = reply }
  func write(system: String, user: String) throws -> String {
    prompts.append(user)
    return reply
  }
}

@Suite struct GroundedAnswerTests {
  func retriever(_ folder: TemporaryFolder) throws -> Retriever {
    let store = try SQLiteDocumentStore(path: folder.path("s.sqlite"))
    let ingestor = try DocumentIngestor(store: store, embedder: HashingEmbedder(), chunking: ChunkingOptions(size: 64))
    try DocumentReader.read(paths: [try folder.write("r.jsonl", SampleCorpus.jsonl)]) { try ingestor.add($0) }
    try ingestor.finish()
    return try Retriever(store: store, embedder: HashingEmbedder(), modes: [.exact])
  }

  @Test func citationsAreOnlyRetrievedSources() throws {
    let folder = TemporaryFolder()
    defer { folder.cleanUp() }
    let writer = ScriptedWriter(reply: "Gallstones are present [1]. See also [2, 9] and [0] and [x].")
    let answerer = GroundedAnswerer(retriever: try retriever(folder), writer: writer, k: 3, minimumScore: 0.1)
    let answer = try answerer.ask("gallstones gallbladder ultrasound")
    #expect(!answer.refused)
    #expect(answer.citations.map(\.n) == [1, 2])
    #expect(answer.citations[0].docId == answer.sources[0].docId && answer.sources[0].docId == "r6")
    #expect(answer.citations[1].chunkId == answer.sources[1].chunkId)
    let prompt = try #require(writer.prompts.first)
    #expect(prompt.contains("[1] " + answer.sources[0].text))
    #expect(prompt.contains("[3] ") && !prompt.contains("[4] "))
  }

  @Test func refusesWhenNothingIsRelevant() throws {
    let folder = TemporaryFolder()
    defer { folder.cleanUp() }
    let writer = ScriptedWriter(reply: "should not be asked")
    let answerer = GroundedAnswerer(retriever: try retriever(folder), writer: writer, k: 3, minimumScore: 0.3)
    let answer = try answerer.ask("quarterly revenue forecast spreadsheet")
    #expect(answer.refused)
    #expect(answer.answer == GroundedAnswerer.refusal)
    #expect(answer.citations.isEmpty)
    #expect(writer.prompts.isEmpty)
  }
}
