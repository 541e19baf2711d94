import Foundation
import RadInference
import RadModels
import RadTokenizers
import RadTensor
import Testing

@Suite("Generation")
struct GenerationTests {
  @Test(arguments: ["gpt2", "llama", "qwen2"])
  func kvCacheGreedyEqualsFullRecomputation(_ name: String) throws {
    let model = try Support.tinyModel(name)
    let generator = TextGenerator(model: model, tokenizer: Support.tinyTokenizer)
    let prompt = [5, 9, 17, 3, 44]
    let cached = try generator.generate(promptIds: prompt, settings: GenerationSettings(maxTokens: 16))
    let recomputed = try Support.greedyByRecomputation(model, prompt: prompt, count: 16)
    #expect(cached.tokens == recomputed)
    #expect(cached.finishReason == .length)
    #expect(cached.promptTokens == 5)
  }

  @Test func seedReproducesSampledOutput() throws {
    let model = try Support.tinyModel("llama")
    let generator = TextGenerator(model: model, tokenizer: Support.tinyTokenizer)
    func sample(_ seed: UInt64) throws -> [Int] {
      try generator.generate(
        promptIds: [5, 9, 17],
        settings: GenerationSettings(maxTokens: 24, temperature: 1.5, topK: 40, topP: 0.95, seed: seed)
      ).tokens
    }
    let first = try sample(42)
    #expect(try sample(42) == first)
    let others = try [1, 2, 3].map { try sample($0) }
    #expect(others.contains { $0 != first })
    // Sampling at high temperature should not collapse onto the greedy sequence.
    let greedy = try generator.generate(promptIds: [5, 9, 17], settings: GenerationSettings(maxTokens: 24)).tokens
    #expect(first != greedy)
  }

  @Test func batchedGenerationWithLeftPaddingMatchesSingleRows() throws {
    let model = try Support.tinyModel("llama")
    let generator = TextGenerator(model: model, tokenizer: Support.tinyTokenizer)
    let prompts = [[5, 9, 17, 3, 44, 60], [7, 1], [12, 13, 14]]
    let batched = try generator.generateBatch(promptIds: prompts, settings: GenerationSettings(maxTokens: 10))
    for (i, prompt) in prompts.enumerated() {
      let single = try generator.generate(promptIds: prompt, settings: GenerationSettings(maxTokens: 10)).tokens
      #expect(batched[i].tokens == single, "row \(i)")
    }
  }

  @Test func eosAndStopStringsEndGeneration() throws {
    let model = try Support.tinyModel("gpt2")
    let generator = TextGenerator(model: model, tokenizer: Support.tinyTokenizer)
    let free = try generator.generate(promptIds: [5, 9, 17], settings: GenerationSettings(maxTokens: 12))
    #expect(free.tokens.count == 12 && free.text.count >= 6)
    // EOS: declare the fourth greedy token the end of sequence.
    let eos = try generator.generate(
      promptIds: [5, 9, 17], settings: GenerationSettings(maxTokens: 12, eosTokenIds: [free.tokens[3]]))
    let firstEOS = free.tokens.firstIndex(of: free.tokens[3])!
    #expect(eos.finishReason == .eos)
    #expect(eos.tokens == Array(free.tokens[...firstEOS]))
    // Stop string: a piece from the middle of the free text; the text stops just before it.
    let chars = Array(free.text)
    let stop = String(chars[4...5])
    let stopped = try generator.generate(
      promptIds: [5, 9, 17], settings: GenerationSettings(maxTokens: 12, stopStrings: [stop]))
    #expect(stopped.finishReason == .stopString)
    #expect(stopped.text == String(free.text[..<free.text.range(of: stop)!.lowerBound]))
  }

  @Test func streamingYieldsTheFinalTextInPieces() async throws {
    let model = try Support.tinyModel("llama")
    let generator = TextGenerator(model: model, tokenizer: Support.tinyTokenizer)
    let settings = GenerationSettings(maxTokens: 14)
    let whole = try generator.generate(promptIds: [5, 9], settings: settings)
    var pieces: [String] = []
    for try await piece in generator.stream(promptIds: [5, 9], settings: settings) { pieces.append(piece) }
    #expect(pieces.count > 1)
    #expect(pieces.joined() == whole.text)
  }

  @Test func promptsLongerThanTheContextAreRejected() throws {
    let model = try Support.tinyModel("gpt2")  // n_positions = 32
    let generator = TextGenerator(model: model, tokenizer: Support.tinyTokenizer)
    #expect(throws: ModelError.sequenceTooLong(length: 35, maximum: 32)) {
      try generator.generate(promptIds: Array(repeating: 5, count: 30), settings: GenerationSettings(maxTokens: 5))
    }
    #expect(throws: ModelError.self) { try generator.generate(promptIds: [], settings: GenerationSettings()) }
    #expect(throws: ModelError.tokenOutOfRange(id: 64, vocabularySize: 64)) {
      try generator.generate(promptIds: [64], settings: GenerationSettings(maxTokens: 1))
    }
  }
}

@Suite("Logit processors match transformers")
struct LogitProcessorTests {
  static func values(_ any: Any?) -> [Float] {
    (any as! [Any]).map { ($0 as? NSNumber).map { Float($0.doubleValue) } ?? -.infinity }
  }

  @Test func processorsMatchTransformersWarpers() throws {
    let cases = try Support.json("logit_processors.json")["cases"] as! [[String: Any]]
    #expect(cases.count == 4)
    for entry in cases {
      let scores = Self.values(entry["scores"])
      let history = entry["history"] as! [Int]
      let checks: [(String, any LogitProcessor)] = [
        ("repetition_1.3", RepetitionPenaltyProcessor(penalty: 1.3)),
        ("temperature_0.7", TemperatureProcessor(temperature: 0.7)),
        ("top_k_5", TopKProcessor(k: 5)),
        ("top_p_0.8", TopPProcessor(p: 0.8)),
        ("min_p_0.1", MinPProcessor(minP: 0.1)),
      ]
      for (key, processor) in checks {
        var output = scores
        var p = processor
        p.process(logits: &output, history: history)
        let expected = Self.values(entry[key])
        for (a, b) in zip(output, expected) {
          if b == -.infinity {
            #expect(a == -.infinity, "\(key)")
          } else {
            #expect(abs(a - b) <= 1e-5 * max(1, abs(b)), "\(key): \(a) vs \(b)")
          }
        }
      }
    }
  }

  @Test func greedySamplerIgnoresSeed() {
    var a = TokenSampler(settings: GenerationSettings(seed: 1))
    var b = TokenSampler(settings: GenerationSettings(seed: 2))
    let logits: [Float] = [0.1, 2, -1, 1.9]
    #expect(a.next(logits: logits, history: []) == 1)
    #expect(b.next(logits: logits, history: []) == 1)
  }
}

@Suite("Chat templates and few-shot prompts")
struct PromptTests {
  @Test func templatesRenderExactlyAsTransformersJinja() throws {
    let fixture = try Support.json("chat_templates.json")
    let cases = fixture["cases"] as! [[String: Any]]
    #expect(ChatTemplate.family(ofSource: fixture["smollm2_template_source"] as? String ?? "") == .chatML)
    for entry in cases {
      let messages = (entry["messages"] as! [[String: String]]).map {
        ChatMessage(role: $0["role"]!, content: $0["content"]!)
      }
      let template = ChatTemplate(rawValue: entry["template"] as! String)!
      let text = template.render(
        messages, addGenerationPrompt: entry["add_generation_prompt"] as! Bool,
        defaultSystem: template == .chatML ? ChatTemplate.smolLM2DefaultSystem : nil)
      #expect(text == entry["text"] as! String)
    }
  }

  @Test func fewShotBuilderReadsJSONLAndReportsBadLines() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("radlm-fewshot-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let good = folder.appendingPathComponent("good.jsonl")
    try Data(
      """
      {"input": "No focal consolidation.", "output": "normal"}

      {"input": "Right lower lobe opacity.", "output": "abnormal"}
      """.utf8
    ).write(to: good)
    let examples = try FewShotPromptBuilder.examples(fromJSONL: good)
    #expect(examples.count == 2)
    let builder = FewShotPromptBuilder(instruction: "Classify the finding.", examples: examples)
    #expect(
      builder.prompt(for: "Small left effusion.") == """
        Classify the finding.

        Input: No focal consolidation.
        Output: normal

        Input: Right lower lobe opacity.
        Output: abnormal

        Input: Small left effusion.
        Output:
        """)
    #expect(builder.prompt(for: "x", shots: 0) == "Classify the finding.\n\nInput: x\nOutput:")
    let bad = folder.appendingPathComponent("bad.jsonl")
    try Data("{\"input\": \"a\", \"output\": \"b\"}\n{\"input\": 3}\n".utf8).write(to: bad)
    #expect(throws: FewShotError.badLine(file: bad.path, line: 2)) { try FewShotPromptBuilder.examples(fromJSONL: bad) }
  }
}
