import Foundation
import Testing

import RadRetrieval

/// recall@k, precision@k, MRR and nDCG@k equal ir-measures (a judged query missing from the run
/// counts as 0) and pytrec_eval (it does not) on a fixture with graded judgements, score ties, a
/// judged query missing from the run and a run query without judgements.
@Suite struct RetrievalMetricsTests {
  @Test(arguments: [1, 5, 10], [true, false]) func measuresEqualReference(k: Int, countMissing: Bool) throws {
    let fixture = try Fixtures.json("retrieval_metrics.json")
    let byK = try #require(fixture[countMissing ? "by_k" : "pytrec_eval_by_k"] as? [String: [String: Double]])
    let expected = try #require(byK[String(k)])
    let qrels = try Qrels.read(path: Fixtures.folder.appendingPathComponent("retrieval_qrels.txt").path)
    let run = try RetrievalRun.read(path: Fixtures.folder.appendingPathComponent("retrieval_run.txt").path)
    let metrics = RetrievalMetrics.evaluate(qrels: qrels, run: run, k: k, countMissingQueries: countMissing)
    #expect(metrics.queries == fixture[countMissing ? "queries_judged" : "queries_evaluated"] as? Int)
    #expect(abs(metrics.recall - expected["recall"]!) < 1e-12)
    #expect(abs(metrics.precision - expected["precision"]!) < 1e-12)
    #expect(abs(metrics.mrr - expected["mrr"]!) < 1e-12)
    #expect(abs(metrics.ndcg - expected["ndcg"]!) < 1e-12)
  }

  @Test func badLinesNameFileAndLine() throws {
    let folder = TemporaryFolder()
    defer { folder.cleanUp() }
    let path = try folder.write("bad.qrels", "q1 0 d1 1\nq1 d2 x\n")
    #expect(throws: RetrievalError.badInput(file: path, line: 2, reason: "expected \"query_id iteration doc_id relevance\"")) {
      try Qrels.read(path: path)
    }
  }
}
