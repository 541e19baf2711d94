import ArgumentParser
import Foundation
import RadRetrieval

/// `radlm eval retrieval`: recall@k, precision@k, MRR and nDCG@k of a run against relevance
/// judgements, with trec_eval's (pytrec_eval's, ir-measures') definitions.
struct EvalRetrievalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "retrieval",
    abstract: "Score a retrieval run against qrels: recall@k, precision@k, MRR, nDCG@k (as trec_eval).",
    discussion: """
      --qrels: TREC qrels (query_id 0 doc_id relevance). --run: a TREC run (query_id Q0 doc_id rank \
      score tag) or the JSON Lines that `radlm rag search --queries` prints (a document found through \
      several chunks counts once). A judged query the run lacks counts as 0 (ir-measures; trec_eval -c); \
      --only-run-queries averages over the run's judged queries only (pytrec_eval, plain trec_eval).
      """)

  @Option(help: "Relevance judgements (TREC qrels).") var qrels: String
  @Option(name: .customLong("run"), help: "The run (TREC run file or rag search JSON Lines).") var runFile: String
  @Option(help: "Cut-off for recall, precision and nDCG.") var k = 10
  @Flag(name: .customLong("only-run-queries"), help: "Average over the run's judged queries only (pytrec_eval).")
  var onlyRunQueries = false
  @Flag(help: "Print JSON.") var json = false

  func validate() throws {
    try OptionCheck.count(k, "--k")
    for (name, path) in [("--qrels", qrels), ("--run", runFile)] where !FileManager.default.fileExists(atPath: path) {
      throw ValidationError("\(name) \(path): no such file")
    }
  }

  func run() throws {
    let metrics = RetrievalMetrics.evaluate(
      qrels: try Qrels.read(path: qrels), run: try RetrievalRun.read(path: runFile), k: k,
      countMissingQueries: !onlyRunQueries)
    if json {
      print(
        "{\"k\":\(k),\"queries\":\(metrics.queries),\"recall\":\(metrics.recall),\"precision\":\(metrics.precision),"
          + "\"mrr\":\(metrics.mrr),\"ndcg\":\(metrics.ndcg)}")
    } else {
      print("queries: \(metrics.queries)")
      print("recall@\(k): \(String(format: "%.4f", metrics.recall))")
      print("precision@\(k): \(String(format: "%.4f", metrics.precision))")
      print("MRR: \(String(format: "%.4f", metrics.mrr))")
      print("nDCG@\(k): \(String(format: "%.4f", metrics.ndcg))")
    }
  }
}
