import Foundation
import RadClinical
import RadInference
import RadModels
import Testing

/// Impression generation on project-written reports: prompts of every variant, reply parsing,
/// exact MiniLM retrieval, the two baselines, and SmolLM2 generation through the chat template.
@Suite struct ImpressionTests {
  // Written for RadLM: synthetic chest X-ray findings and impressions.
  static let training = [
    ReportExample(
      id: "1", findings: "The heart is normal in size. The lungs are clear.", impression: "No acute disease."),
    ReportExample(
      id: "2", findings: "Small left pleural effusion with basilar atelectasis.", impression: "Left effusion."),
    ReportExample(id: "3", findings: "Heart size normal. Lungs clear. No effusion.", impression: "No acute disease."),
    ReportExample(
      id: "4", findings: "Right upper lobe consolidation with air bronchograms.", impression: "Right pneumonia."),
    ReportExample(
      id: "5", findings: "Enlarged cardiac silhouette. Pulmonary vascular congestion.", impression: "Heart failure."),
  ]
  static let requests = [
    ImpressionRequest(id: "10", findings: "Consolidation in the right upper lobe.", indication: "Fever"),
    ImpressionRequest(id: "20", findings: "The cardiac silhouette is enlarged with vascular congestion."),
  ]

  /// Retrieval by word overlap, so prompt tests need no model.
  struct OverlapIndex: SimilarReports {
    let examples: [ReportExample]
    func nearest(toFindings findings: String, k: Int) throws -> [ReportExample] {
      let words = Set(findings.lowercased().split(separator: " "))
      let scored = examples.map { example in
        Set(example.findings.lowercased().split(separator: " ")).intersection(words).count
      }
      return scored.indices.sorted { scored[$0] != scored[$1] ? scored[$0] > scored[$1] : $0 < $1 }.prefix(k).map {
        examples[$0]
      }
    }
  }

  @Test func zeroShotPromptHasInstructionIndicationAndOpenLabel() throws {
    let messages = try ImpressionPrompt().userMessages(Self.requests)
    #expect(
      messages[0]
        == "\(ImpressionPrompt.instruction)\n\nFindings: Consolidation in the right upper lobe.\n(Indication: Fever)\nImpression:"
    )
    #expect(
      messages[1].hasSuffix("Findings: The cardiac silhouette is enlarged with vascular congestion.\nImpression:"))
  }

  @Test func fixedShotsComeFromFewShotPromptBuilder() throws {
    let examples = Array(Self.training.prefix(2))
    let messages = try ImpressionPrompt(examples: .fixed(examples)).userMessages([Self.requests[1]])
    let expected = FewShotPromptBuilder(
      instruction: ImpressionPrompt.instruction,
      examples: examples.map { .init(input: $0.findings, output: $0.impression) },
      inputLabel: "Findings:", outputLabel: "Impression:"
    ).prompt(for: Self.requests[1].findings)
    #expect(messages == [expected])
  }

  @Test func retrievedShotsAreTheNearestWithTheMostSimilarLast() throws {
    let index = OverlapIndex(examples: Self.training)
    let message = try ImpressionPrompt(examples: .retrieved(index, k: 2)).userMessages([Self.requests[1]])[0]
    let nearest = try index.nearest(toFindings: Self.requests[1].findings, k: 2)
    #expect(nearest.map(\.id) == ["5", "1"])
    let first = try #require(message.range(of: nearest[1].findings))
    let second = try #require(message.range(of: nearest[0].findings))
    #expect(first.lowerBound < second.lowerBound)
    #expect(!message.contains(Self.training[3].findings))
  }

  @Test func chainOfThoughtAsksForAListAndParsesTheImpression() throws {
    let message = try ImpressionPrompt(chainOfThought: true).userMessages([Self.requests[0]])[0]
    #expect(message.hasPrefix(ImpressionPrompt.chainOfThoughtInstruction))
    #expect(!message.hasSuffix("Impression:"))
    let reply =
      "- consolidation, right upper lobe\n- none else\nImpression: Right upper lobe pneumonia.\n\nFindings: more"
    #expect(ImpressionPrompt.impression(fromReply: reply) == "Right upper lobe pneumonia.")
    #expect(ImpressionPrompt.impression(fromReply: "  No acute disease.\n\nExtra text") == "No acute disease.")
  }

  @Test func baselinesAnswerTheMostFrequentAndTheNearestImpression() throws {
    #expect(ImpressionBaselines.mostFrequentImpression(Self.training) == "No acute disease.")
    let tie = [Self.training[1], Self.training[3]]
    #expect(ImpressionBaselines.mostFrequentImpression(tie) == "Left effusion.")
    let nearest = try ImpressionBaselines.nearestNeighbour(Self.requests, index: OverlapIndex(examples: Self.training))
    #expect(nearest.map(\.impression) == ["Right pneumonia.", "Heart failure."])
  }

  @Test func exactMiniLMIndexFindsTheParaphrasedReport() throws {
    let embedder = try SentenceEmbedder(directory: try ClinicalFixture.fetched("minilm"))
    let index = try ExactReportIndex(embedder: embedder, examples: Self.training)
    let found = try index.nearest(toFindings: Self.requests.map(\.findings), k: 2)
    #expect(found[0].first?.id == "4")
    #expect(found[1].first?.id == "5")
    #expect(try index.nearest(toFindings: Self.training[2].findings, k: 1).first?.id == "3")
  }

  @Test func generatorDecodesTheChatPromptGreedily() throws {
    let bundle = try ModelBundle.open(path: try ClinicalFixture.fetched("smollm2").path)
    let generator = ImpressionGenerator(bundle: bundle, maxTokens: 6, batchSize: 2)
    let results = try generator.generate(Self.requests)
    #expect(results.map(\.id) == ["10", "20"])
    let ids = try generator.promptIds([Self.requests[0]])[0]
    let text = try bundle.tokenizer.decode(ids, skipSpecialTokens: false)
    #expect(text.hasPrefix("<|im_start|>system\n\(ImpressionPrompt.systemMessage)<|im_end|>"))
    #expect(text.contains("<|im_start|>user\n\(ImpressionPrompt.instruction)"))
    #expect(text.hasSuffix("<|im_start|>assistant\n"))
    var settings = generator.settings
    settings.maxTokens = 6
    let single = try TextGenerator(model: bundle.model, tokenizer: bundle.tokenizer).generate(
      promptIds: ids, settings: settings)
    #expect(results[0].rawText == single.text)
    #expect(results[0].generatedTokens > 0 && !results[0].impression.isEmpty)
  }
}
