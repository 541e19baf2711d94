import Foundation
import RadClinical
import RadEval
import RadInference
import RadModels
import Testing

/// The main job's stages on a small slice of the project-written synthetic chest radiograph
/// reports (data/synthetic_reports.jsonl; the IU reports are never committed): every artefact is
/// written, the table has every variant, and LoRA beats zero-shot on ROUGE-L.
@Suite struct ClinicalPipelineTests {
  static let dataFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("data/synthetic_reports.jsonl")

  static func slice(train trainCount: Int, test testCount: Int) throws -> ([StudyReport], [StudyReport]) {
    var train: [StudyReport] = []
    var test: [StudyReport] = []
    let rows = try String(contentsOf: dataFile, encoding: .utf8).split(separator: "\n")
    for (index, line) in rows.enumerated() {
      let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      guard object["modality"] as? String == "chest radiograph" else { continue }
      let example = ReportExample(
        id: try #require(object["id"] as? String), findings: try #require(object["findings"] as? String),
        impression: try #require(object["impression"] as? String))
      // The synthetic reports carry no MeSH terms: an impression that is not a "no acute" one is abnormal.
      let study = StudyReport(example: example, abnormal: !example.impression.lowercased().hasPrefix("no acute"))
      if index % 10 == 0 {
        if test.count < testCount { test.append(study) }
      } else if train.count < trainCount {
        train.append(study)
      }
    }
    return (train, test)
  }

  @Test func stagesWriteEveryArtefactAndLoRABeatsZeroShot() throws {
    let (train, test) = try Self.slice(train: 64, test: 8)
    #expect(train.count == 64 && test.count == 8)
    let bundle = try ModelBundle.open(path: try ClinicalFixture.fetched("smollm2").path)
    let minilm = try ClinicalFixture.fetched("minilm")
    var configuration = ClinicalPipelineConfiguration()
    configuration.shots = 2
    configuration.maxTokens = 24
    configuration.batchSize = 8
    configuration.loraSteps = 30
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("radlm-pipeline-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: output) }
    let pipeline = ClinicalPipeline(
      bundle: bundle, embedder: try SentenceEmbedder(directory: minilm),
      bertScorer: try BERTScorer(directory: minilm, layer: 6), configuration: configuration, output: output)
    let outcome = try pipeline.run(train: train, test: test)

    let names = ["most-frequent", "nearest-neighbour", "zero-shot", "few-shot", "retrieval-few-shot", "lora"]
    #expect(outcome.scores.map(\.name) == names)
    for name in names {
      let lines = try String(contentsOf: output.appendingPathComponent("predictions/\(name).jsonl"), encoding: .utf8)
        .split(separator: "\n")
      #expect(lines.count == test.count, "\(name)")
      let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
      #expect(first["id"] as? String == test[0].example.id && first["impression"] is String)
    }
    for file in ["adapter/adapter_config.json", "adapter/adapter_model.safetensors", "report.html", "results.json"] {
      #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(file).path), "\(file)")
    }
    let results = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("results.json")))
        as? [String: Any])
    let variants = try #require(results["variants"] as? [[String: Any]])
    #expect(variants.map { $0["name"] as? String ?? "" } == names)
    for key in ["name", "rouge_l", "bleu", "bertscore_f1", "label_f1", "flag_rate", "tokens_per_s", "n"] {
      #expect(variants.allSatisfy { $0[key] != nil }, "results.json lacks \(key)")
    }
    let html = try String(contentsOf: output.appendingPathComponent("report.html"), encoding: .utf8)
    #expect(html.contains("<table id=\"results\">") && html.contains("<svg"))
    let score = Dictionary(uniqueKeysWithValues: outcome.scores.map { ($0.name, $0) })
    let zeroShot = try #require(score["zero-shot"])
    let lora = try #require(score["lora"])
    #expect(lora.rougeL > zeroShot.rougeL, "LoRA \(lora.rougeL) vs zero-shot \(zeroShot.rougeL)")
    #expect(outcome.lossHistory.count == configuration.loraSteps)
    #expect((zeroShot.tokensPerSecond ?? 0) > 0 && score["most-frequent"]?.tokensPerSecond == nil)
  }
}
