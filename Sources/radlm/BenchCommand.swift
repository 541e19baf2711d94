import ArgumentParser
import Foundation
import RadTensor

/// `radlm bench`: measures the tensor engine on the shapes a small transformer runs, so its speed
/// can be compared with numpy and PyTorch (see benchmarks/run_tensor_bench.sh). `matmul` reports
/// GFLOP/s and MFU of the GEMMs, `ops` the throughput of softmax, layer norm and GELU.
struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Benchmark the tensor engine (GEMM and element-wise kernels).",
    subcommands: [
      MatMulBenchCommand.self, OpsBenchCommand.self, TrainBenchCommand.self, DecodeBenchCommand.self,
      RetrievalBenchCommand.self, DicomBenchCommand.self,
    ]
  )
}

/// Options every benchmark shares: output form, thread counts and timing discipline.
struct BenchOptions: ParsableArguments {
  @Flag(help: "Print one JSON object instead of a table.")
  var json = false

  @Option(name: .long, help: "Thread count to measure at (repeatable; default 1 and 2).")
  var threads: [Int] = []

  @Option(help: "Timed repetitions per case; the median is reported.")
  var repetitions = 7

  @Option(help: "Untimed warm-up repetitions per case.")
  var warmups = 2

  @Option(name: .customLong("min-time"), help: "Minimum seconds per repetition (calls are batched to reach it).")
  var minimumSeconds = 0.1

  var threadCounts: [Int] { threads.isEmpty ? [1, 2] : threads }
  var timer: BenchTimer { BenchTimer(warmups: warmups, repetitions: repetitions, minimumSeconds: minimumSeconds) }

  func validate() throws {
    for count in threads { try OptionCheck.integer(count, "--threads", in: 1...1024) }
    try OptionCheck.count(repetitions, "--repetitions")
    try OptionCheck.count(warmups, "--warmups", minimum: 0)
    try OptionCheck.number(minimumSeconds, "--min-time", atLeast: 0, atMost: 3600)
  }
}

/// One GEMM case: C[m×n] = A[m×k] · B[k×n], forward or backward (dA = dC·Bᵀ and dB = Aᵀ·dC).
struct GEMMCase: Hashable {
  enum Pass: String { case forward, backward }
  let m: Int, k: Int, n: Int
  let pass: Pass

  /// Square 512, 1024 and 2048, a BERT-base MLP projection over 512 tokens, and one decode step of
  /// SmolLM2-135M's MLP; backward for the first.
  static let standard: [GEMMCase] = [
    GEMMCase(m: 512, k: 512, n: 512, pass: .forward),
    GEMMCase(m: 512, k: 512, n: 512, pass: .backward),
    GEMMCase(m: 1024, k: 1024, n: 1024, pass: .forward),
    GEMMCase(m: 2048, k: 2048, n: 2048, pass: .forward),
    GEMMCase(m: 512, k: 768, n: 3072, pass: .forward),
    GEMMCase(m: 1, k: 576, n: 1536, pass: .forward),
  ]

  /// Floating-point operations: 2mnk per GEMM, two GEMMs for the backward pass.
  var flops: Double { Double(2 * m * n * k) * (pass == .backward ? 2 : 1) }
}

struct MatMulBenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "matmul",
    abstract: "GFLOP/s and MFU of matrix products through Tensor.matmul (OpenBLAS).")

  @OptionGroup var options: BenchOptions

  @Option(name: .long, help: "Only this case, as MxKxN (repeatable; default the standard shapes).")
  var shape: [String] = []

  @Flag(help: "With --shape, also time the backward pass.")
  var backward = false

  func validate() throws { _ = try selectedCases() }

  func run() throws {
    let cases = try selectedCases()
    var rows: [[String: Any]] = []
    var table: [[String]] = []
    for threads in options.threadCounts {
      setBenchThreads(threads)
      for gemm in cases {
        let seconds = measure(gemm)
        let gflops = gemm.flops / seconds / 1e9
        let mfu = gflops / (MachinePeak.fp32GFLOPSPerCore * Double(threads))
        rows.append([
          "m": gemm.m, "k": gemm.k, "n": gemm.n, "pass": gemm.pass.rawValue,
          "threads": threads, "gflops": rounded(gflops, 2),
        ])
        table.append([
          "\(gemm.m)", "\(gemm.k)", "\(gemm.n)", gemm.pass.rawValue, "\(threads)",
          String(format: "%.3f", seconds * 1e3), String(format: "%.1f", gflops), String(format: "%.1f%%", mfu * 100),
        ])
      }
    }
    if options.json {
      try printJSON([
        "results": rows, "blas_core": BLAS.coreName, "blas_core_detected": BLAS.detectedCoreName,
        "peak_gflops_per_core": MachinePeak.fp32GFLOPSPerCore,
      ])
    } else {
      print(
        "OpenBLAS kernel: \(BLAS.coreName) (detected \(BLAS.detectedCoreName)); "
          + "MFU against \(Int(MachinePeak.fp32GFLOPSPerCore)) GFLOP/s fp32 per core")
      printTable(["m", "k", "n", "pass", "threads", "ms", "GFLOP/s", "MFU"], table)
    }
  }

  func selectedCases() throws -> [GEMMCase] {
    if shape.isEmpty { return GEMMCase.standard }
    return try shape.flatMap { text -> [GEMMCase] in
      let parts = text.lowercased().split(separator: "x").compactMap { Int($0) }
      guard parts.count == 3, parts.allSatisfy({ $0 > 0 && $0 <= 1 << 16 }) else {
        throw ValidationError("--shape expects MxKxN with sizes from 1 to 65536, got '\(text)'")
      }
      let forward = GEMMCase(m: parts[0], k: parts[1], n: parts[2], pass: .forward)
      return backward ? [forward, GEMMCase(m: parts[0], k: parts[1], n: parts[2], pass: .backward)] : [forward]
    }
  }

  /// Seconds per call, through the public Tensor API (which allocates its output, as numpy does).
  func measure(_ gemm: GEMMCase) -> Double {
    let a = benchTensor([gemm.m, gemm.k], seed: 1)
    let b = benchTensor([gemm.k, gemm.n], seed: 2)
    switch gemm.pass {
    case .forward:
      return options.timer.secondsPerCall { a.matmul(b).data[0] }
    case .backward:
      // The two GEMMs autograd runs for C = A·B: dA = dC·Bᵀ and dB = Aᵀ·dC, transposes as flags.
      let gradient = benchTensor([gemm.m, gemm.n], seed: 3)
      return options.timer.secondsPerCall {
        let gradientA = gradient.matmul(b, transposeOther: true)
        let gradientB = a.matmul(gradient, transposeSelf: true)
        return gradientA.data[0] + gradientB.data[0]
      }
    }
  }
}

/// One element-wise or normalisation kernel benchmark.
struct OpCase {
  let name: String
  let shape: [Int]

  static let operations = ["softmax", "layer_norm", "gelu", "gelu_tanh"]
  /// Activations of 4096 tokens at BERT-base width, and 512 tokens of its MLP's inner width.
  static let shapes: [[Int]] = [[4096, 768], [512, 3072]]
  static var standard: [OpCase] {
    operations.flatMap { name in shapes.map { OpCase(name: name, shape: $0) } }
  }
}

struct OpsBenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ops",
    abstract: "Throughput of softmax, layer norm and GELU (erf and tanh forms), forward.")

  @OptionGroup var options: BenchOptions

  func run() throws {
    var rows: [[String: Any]] = []
    var table: [[String]] = []
    for threads in options.threadCounts {
      setBenchThreads(threads)
      for op in OpCase.standard {
        let seconds = measure(op)
        let elements = Double(op.shape.reduce(1, *))
        // Each kernel reads its input once and writes its output once.
        let gigabytes = elements * 2 * Double(MemoryLayout<Float>.size) / 1e9
        rows.append([
          "op": op.name, "shape": op.shape, "threads": threads, "ms": rounded(seconds * 1e3, 4),
          "gb_per_s": rounded(gigabytes / seconds, 2), "elements_per_s": rounded(elements / seconds, 0),
        ])
        table.append([
          op.name, op.shape.map(String.init).joined(separator: "x"), "\(threads)",
          String(format: "%.3f", seconds * 1e3), String(format: "%.1f", gigabytes / seconds),
          String(format: "%.0f", elements / seconds / 1e6),
        ])
      }
    }
    if options.json {
      try printJSON(["results": rows])
    } else {
      printTable(["op", "shape", "threads", "ms", "GB/s", "Melem/s"], table)
    }
  }

  func measure(_ op: OpCase) -> Double {
    let x = benchTensor(op.shape, seed: 4)
    let columns = op.shape.last ?? 1
    let weight = benchTensor([columns], seed: 5)
    let bias = benchTensor([columns], seed: 6)
    let timer = options.timer
    return Autograd.inferenceMode {
      switch op.name {
      case "softmax": return timer.secondsPerCall { x.softmax().data[0] }
      case "layer_norm": return timer.secondsPerCall { x.layerNorm(weight: weight, bias: bias).data[0] }
      case "gelu": return timer.secondsPerCall { x.gelu().data[0] }
      default: return timer.secondsPerCall { x.geluTanh().data[0] }
      }
    }
  }
}

private func rounded(_ value: Double, _ places: Int) -> Double {
  let scale = Foundation.pow(10, Double(places))
  return (value * scale).rounded() / scale
}

private func printJSON(_ object: [String: Any]) throws {
  let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
  print(String(decoding: data, as: UTF8.self))
}

private func printTable(_ header: [String], _ rows: [[String]]) {
  let widths = header.indices.map { column in
    ([header[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0
  }
  func line(_ cells: [String]) -> String {
    cells.enumerated().map { column, cell in
      String(repeating: " ", count: widths[column] - cell.count) + cell
    }.joined(separator: "  ")
  }
  print(line(header))
  for row in rows { print(line(row)) }
}
