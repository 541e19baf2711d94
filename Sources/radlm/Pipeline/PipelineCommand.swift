import ArgumentParser
import Foundation
import RadClinical
import RadEval
import RadInference
import RadModelFiles
import RadModels
import RadReports

/// The main job: findings → impression on the Indiana University chest X-ray reports (fetched,
/// read in place; split by report number: mod 10 = 0 test, = 1 validation, rest train). It parses
/// the collection, de-identifies the texts it trains and generates on (reporting what it found),
/// runs the two baselines, zero-shot, few-shot, retrieval few-shot and LoRA-tuned SmolLM2 on the
/// test studies, scores them, prints one table and writes results.json, predictions/, adapter/
/// and report.html under --out.
struct PipelineCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pipeline",
    abstract: "The main job: impressions from findings on the IU chest X-ray reports, every variant scored.",
    discussion: """
      --quick: the first 100 test reports by id and short LoRA training (about 10 minutes on 2 \
      cores); full: every test report. Writes DIR/results.json, DIR/predictions/NAME.jsonl, \
      DIR/adapter/ (PEFT) and DIR/report.html (default DIR: <cache>/pipeline).
      """)

  @Flag(help: "The first 100 test reports and short training.") var quick = false
  @Option(help: "Output folder (default: <cache>/pipeline).") var out: String?
  @Option(help: "Test reports to score (default: 100 with --quick, all otherwise).") var testLimit: Int?
  @Option(help: "LoRA steps (default: 60 with --quick, 300 otherwise).") var loraSteps: Int?
  @Option(help: "Worked examples in the few-shot prompts.") var shots = 3
  @Option(help: "Random seed.") var seed: UInt64 = 0
  @Flag(help: "Print results.json on stdout instead of the table.") var json = false

  func validate() throws {
    try OptionCheck.count(testLimit, "--test-limit")
    try OptionCheck.count(loraSteps, "--lora-steps")
    try OptionCheck.integer(shots, "--shots", in: 1...16)
  }

  func run() throws {
    let cache = ModelCache()
    let output = URL(fileURLWithPath: out ?? cache.root.appendingPathComponent("pipeline").path)
    let log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data("pipeline: \($0)\n".utf8)) }
    let collection = try IUReportCollection.load(from: try cache.path(of: "iu-reports").path)
    let stats = collection.statistics
    log(
      "IU reports: \(collection.reports.count); findings→impression pairs train \(stats.train.pairs), test \(stats.test.pairs)"
    )
    let byNumber = Dictionary(uniqueKeysWithValues: collection.reports.map { ($0.number, $0) })
    let deid = Deidentifier()
    var found: [String: Int] = [:]
    func studies(_ split: IUSplit) -> [StudyReport] {
      collection.findingsImpressionPairs(split: split).sorted { $0.number < $1.number }.map { pair in
        let findings = deid.deidentify(pair.findings, id: "\(pair.number)")
        let impression = deid.deidentify(pair.impression, id: "\(pair.number)")
        for span in findings.spans + impression.spans { found[span.label.rawValue, default: 0] += 1 }
        let mesh = byNumber[pair.number]?.meshMajor ?? []
        return StudyReport(
          example: ReportExample(id: "\(pair.number)", findings: findings.text, impression: impression.text),
          abnormal: mesh.contains { $0.lowercased() != "normal" })
      }
    }
    let train = studies(.train)
    let test = Array(studies(.test).prefix(testLimit ?? (quick ? 100 : Int.max)))
    let foundText = found.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    log(
      "de-identification (tag mode; the collection's own XXXX redactions kept): "
        + (found.isEmpty ? "nothing found" : foundText))
    var configuration = ClinicalPipelineConfiguration()
    configuration.shots = shots
    configuration.loraSteps = loraSteps ?? (quick ? 60 : 300)
    configuration.seed = seed
    let bundle = try ModelBundle.open(path: try cache.path(of: "smollm2").path)
    let minilm = try cache.path(of: "minilm")
    let pipeline = ClinicalPipeline(
      bundle: bundle, embedder: try SentenceEmbedder(directory: minilm),
      bertScorer: try BERTScorer(directory: minilm, layer: 6),
      configuration: configuration, output: output, log: log)
    // Hallucination and omission: the checker's unsupported claims, laterality and negation
    // conflicts and missed critical findings (not its style checks) flag an output.
    let checker = ReportChecker()
    let hallucinations: Set<ReportIssueKind> = [
      .unsupportedClaim, .lateralityConflict, .negationConflict, .missedCritical,
    ]
    pipeline.flagger = { findings, impression in
      try checker.check(CheckableReport(id: "0", findings: findings, impression: impression))
        .filter { hallucinations.contains($0.kind) }.map(\.kind.rawValue)
    }
    let outcome = try pipeline.run(train: train, test: test)
    if json {
      print(try String(contentsOf: output.appendingPathComponent("results.json"), encoding: .utf8))
    } else {
      print(ClinicalResultsTable.markdown(outcome.scores))
      log("wrote \(output.path)/results.json, predictions/, adapter/, report.html")
    }
  }
}
