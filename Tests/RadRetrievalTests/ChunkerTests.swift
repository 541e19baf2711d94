import Foundation
import Testing

import RadRetrieval

@Suite struct ChunkerTests {
  @Test func sentencesSplitAtBoundariesNotAbbreviations() {
    let text = """
      # Findings
      Dr. Smith compared with the prior study, e.g. the CT of 2019. There is a 3.5 cm mass! Is it new? \
      Yes.
      - Left lung clear.
      """
    #expect(
      SentenceSplitter.split(text) == [
        "# Findings", "Dr. Smith compared with the prior study, e.g. the CT of 2019.", "There is a 3.5 cm mass!",
        "Is it new?", "Yes.", "- Left lung clear.",
      ])
  }

  @Test func sentenceChunksPackWholeSentencesWithOverlap() {
    let embedder = HashingEmbedder()
    let text = "One two three. Four five six. Seven eight nine. Ten eleven twelve."
    let packed = Chunker(options: ChunkingOptions(mode: .sentence, size: 6, overlap: 0), tokenSpans: { embedder.tokenSpans($0) })
    #expect(packed.chunks(text) == ["One two three. Four five six.", "Seven eight nine. Ten eleven twelve."])
    let overlapping = Chunker(options: ChunkingOptions(mode: .sentence, size: 6, overlap: 1), tokenSpans: { embedder.tokenSpans($0) })
    #expect(
      overlapping.chunks(text) == [
        "One two three. Four five six.", "Four five six. Seven eight nine.", "Seven eight nine. Ten eleven twelve.",
      ])
  }

  @Test func tokenChunksAreOverlappingWindowsOfTheText() {
    let embedder = HashingEmbedder()
    let chunker = Chunker(options: ChunkingOptions(mode: .tokens, size: 4, overlap: 1), tokenSpans: { embedder.tokenSpans($0) })
    #expect(chunker.chunks("a b c d e f g h i j") == ["a b c d", "d e f g", "g h i j"])
    #expect(chunker.chunks("   ") == [])
  }
}
