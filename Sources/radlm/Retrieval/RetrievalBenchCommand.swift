import ArgumentParser
import Foundation
import RadRetrieval
import RadTensor

/// `radlm bench retrieval`: the RadLM side of benchmarks/retrieval_bench.py. Reads the same
/// float32 vectors and queries the script gives faiss, then reports build time, queries per
/// second at each thread count and recall@k against exact search, for exact (BLAS) and HNSW.
struct RetrievalBenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "retrieval",
    abstract: "Benchmark exact (BLAS) and HNSW vector search on float32 vector files.",
    discussion: """
      --vectors and --queries are raw little-endian float32, row-major, --dimension values per row. \
      Prints one JSON object; --exact-out writes the exact top-k rows and scores as JSON for checking \
      against a NumPy brute force.
      """)

  @Option(help: "Database vectors (raw float32).") var vectors: String
  @Option(help: "Query vectors (raw float32).") var queries: String
  @Option(help: "Values per vector.") var dimension = 384
  @Option(help: "Neighbours per query.") var k = 10
  @Option(help: "cosine, dot or l2.") var metric: VectorMetric = .cosine
  @Option(help: "HNSW links per node.") var m = 16
  @Option(name: .customLong("ef-construction"), help: "HNSW build candidates.") var efConstruction = 100
  @Option(name: .customLong("ef-search"), help: "HNSW search candidates (repeatable: a sweep).") var efSearch: [Int] =
    []
  @Option(help: "Thread counts to measure at (repeatable; default 1 and 2).") var threads: [Int] = []
  @Option(name: .customLong("exact-out"), help: "Write exact results here (JSON).") var exactOut: String?

  func validate() throws {
    try OptionCheck.exists(vectors, "--vectors")
    try OptionCheck.exists(queries, "--queries")
    try OptionCheck.count(dimension, "--dimension")
    try OptionCheck.count(k, "--k")
    try OptionCheck.integer(m, "--m", in: 2...1024)
    try OptionCheck.count(efConstruction, "--ef-construction")
    try OptionCheck.counts(efSearch, "--ef-search")
    try OptionCheck.integer(threads.max(), "--threads", in: 1...1024)
    try OptionCheck.integer(threads.min(), "--threads", in: 1...1024)
  }

  static func read(_ path: String, dimension: Int) throws -> [Float] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ValidationError("\(path): cannot be read")
    }
    guard data.count % (4 * dimension) == 0 else {
      throw ValidationError("\(path): \(data.count) bytes is not a whole number of \(dimension)-value float32 rows")
    }
    var out = [Float](repeating: 0, count: data.count / 4)
    out.withUnsafeMutableBytes { _ = data.copyBytes(to: $0) }
    return out
  }

  static func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  }

  func run() throws {
    let base = try Self.read(vectors, dimension: dimension)
    let query = try Self.read(queries, dimension: dimension)
    let n = base.count / dimension
    let nq = query.count / dimension
    let threadCounts = threads.isEmpty ? [1, 2] : threads
    var exact: ExactVectorIndex!
    BLAS.setThreadCount(1)
    let exactBuild = Self.seconds { exact = ExactVectorIndex(vectors: base, dimension: dimension, metric: metric) }
    var truth: [[VectorHit]] = []
    var exactQPS: [String] = []
    for t in threadCounts {
      _ = exact.search(queries: Array(query.prefix(64 * dimension)), k: k)  // warm-up
      var best = Double.infinity
      for _ in 0..<3 { best = min(best, Self.seconds { truth = exact.search(queries: query, k: k, threads: t) }) }
      exactQPS.append("\"\(t)\":\(Double(nq) / best)")
    }
    if let exactOut {
      let rows = truth.map { "[" + $0.map { String($0.row) }.joined(separator: ",") + "]" }.joined(separator: ",")
      let scores = truth.map { "[" + $0.map { "\($0.score)" }.joined(separator: ",") + "]" }.joined(separator: ",")
      try Data("{\"rows\":[\(rows)],\"scores\":[\(scores)]}".utf8).write(to: URL(fileURLWithPath: exactOut))
    }
    var hnsw: HNSWIndex!
    let parameters = HNSWParameters(m: m, efConstruction: efConstruction, metric: metric)
    let hnswBuild = Self.seconds { hnsw = HNSWIndex(vectors: base, dimension: dimension, parameters: parameters) }
    var sweeps: [String] = []
    for ef in efSearch.isEmpty ? [64] : efSearch {
      var results: [[VectorHit]] = []
      var qps: [String] = []
      for t in threadCounts {
        var best = Double.infinity
        for _ in 0..<3 {
          best = min(best, Self.seconds { results = hnsw.search(queries: query, k: k, efSearch: ef, threads: t) })
        }
        qps.append("\"\(t)\":\(Double(nq) / best)")
      }
      var found = 0
      for (a, e) in zip(results, truth) { found += Set(a.map(\.row)).intersection(e.map(\.row)).count }
      sweeps.append(
        "{\"ef_search\":\(ef),\"qps\":{\(qps.joined(separator: ","))},\"recall\":\(Double(found) / Double(k * nq))}")
    }
    print(
      "{\"n\":\(n),\"queries\":\(nq),\"dimension\":\(dimension),\"k\":\(k),\"metric\":\"\(metric.rawValue)\","
        + "\"exact\":{\"build_s\":\(exactBuild),\"qps\":{\(exactQPS.joined(separator: ","))}},"
        + "\"hnsw\":{\"m\":\(m),\"ef_construction\":\(efConstruction),\"build_s\":\(hnswBuild),"
        + "\"build_threads\":1,\"search\":[\(sweeps.joined(separator: ","))]}}")
  }
}
