import Foundation
import RadEval
import RadTensor
import Testing

/// BERTScorer leaves the process-wide thread settings (OpenBLAS's thread count, RadTensor's
/// `Parallel.threadCount`) alone: other threads' results depend on them. Batches run side by side
/// only when asked (`concurrentBatches`), and give bert-score's values either way.
@Suite struct BERTScoreThreadingTests {
  @Test func concurrentBatchesKeepThreadSettingsAndMatchBertScore() throws {
    let folder = BERTScoreZeroFloorTests.folder
    let pairs = try TextPairsReader.readJSONL(folder.appendingPathComponent("pairs.jsonl").path)
    let expected = try BERTScoreZeroFloorTests.expected()
    let blasThreads = BLAS.threadCount, parallelThreads = Parallel.threadCount
    for concurrent in [1, 3] {
      // One sentence per batch, so that there are several batches to run side by side.
      let scorer = try BERTScorer(directory: folder, layer: 2, batchSize: 1)
      #expect(scorer.concurrentBatches == 1, "one batch at a time unless asked")
      scorer.concurrentBatches = concurrent
      try BERTScoreZeroFloorTests.check(try scorer.score(pairs), expected["batch1"], "\(concurrent) concurrent batches")
      #expect(BLAS.threadCount == blasThreads && Parallel.threadCount == parallelThreads, "thread settings untouched")
    }
  }
}
