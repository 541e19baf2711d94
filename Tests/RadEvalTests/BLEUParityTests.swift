import Foundation
import RadEval
import Testing

@Suite("BLEU and chrF parity with sacrebleu 2.6.0; COCO metrics with pycocoevalcap 1.2")
struct BLEUParityTests {
  @Test("Tokenizers 13a, intl, char and none give sacrebleu's token strings")
  func tokenizers() throws {
    let root = try Fixture.parity()
    let bleu = try #require(root["bleu"] as? [String: Any])
    let tokenized = try #require(bleu["tokenized"] as? [String: [String]])
    let texts = Fixture.pairs(root).flatMap { [$0.references[0], $0.hypothesis] }
    for tok in SacreBLEUTokenizer.allCases {
      let expected = try #require(tokenized[tok.rawValue])
      #expect(expected.count == texts.count)
      for (text, e) in zip(texts, expected) {
        #expect(tok.tokens(text) == PythonText.split(e), "\(tok.rawValue): \(text)")
      }
    }
  }

  @Test("Corpus BLEU for every tokenizer × smoothing × effective order, with signature")
  func corpus() throws {
    let root = try Fixture.parity()
    let pairs = Fixture.pairs(root)
    let bleu = try #require(root["bleu"] as? [String: Any])
    let configs = try #require(bleu["corpus"] as? [[String: Any]])
    #expect(configs.count == 52)
    for c in configs {
      let tok = try #require(SacreBLEUTokenizer(rawValue: c["tokenize"] as? String ?? ""))
      let value = c["smooth_value"] is NSNull ? nil : (c["smooth_value"] as? NSNumber)?.doubleValue
      let smoothing = try #require(BLEUSmoothing(name: c["smooth"] as? String ?? "", value: value))
      let metric = SacreBLEU(
        tokenizer: tok, smoothing: smoothing, effectiveOrder: c["effective_order"] as? Bool ?? false,
        lowercase: c["lowercase"] as? Bool ?? false)
      let s = metric.corpusScore(pairs)
      let label = "\(tok.rawValue) \(smoothing) eff=\(metric.effectiveOrder)"
      #expect(close(s.score, double(c["score"])), "\(label): \(s.score) vs \(double(c["score"]))")
      #expect(zip(s.counts, doubles(c["counts"])).allSatisfy { close($0, $1) }, "\(label) counts")
      #expect(zip(s.totals, doubles(c["totals"])).allSatisfy { close($0, $1) }, "\(label) totals")
      #expect(zip(s.precisions, doubles(c["precisions"])).allSatisfy { close($0, $1) }, "\(label) precisions")
      #expect(close(s.brevityPenalty, double(c["bp"])))
      #expect(s.hypothesisLength == Int(double(c["sys_len"])) && s.referenceLength == Int(double(c["ref_len"])))
      #expect(metric.signature(for: pairs) == c["signature"] as? String)
    }
  }

  @Test("Sentence BLEU (sentence_bleu: effective order on)")
  func sentence() throws {
    let root = try Fixture.parity()
    let pairs = Fixture.pairs(root)
    let bleu = try #require(root["bleu"] as? [String: Any])
    for c in try #require(bleu["sentence"] as? [[String: Any]]) {
      let tok = try #require(SacreBLEUTokenizer(rawValue: c["tokenize"] as? String ?? ""))
      let smoothing = try #require(BLEUSmoothing(name: c["smooth"] as? String ?? ""))
      let got = SacreBLEU(tokenizer: tok, smoothing: smoothing, effectiveOrder: true).sentenceScores(pairs)
      let e = doubles(c["scores"])
      #expect(got.count == e.count)
      for (i, (g, x)) in zip(got, e).enumerated() {
        #expect(close(g.score, x), "\(tok.rawValue) \(smoothing) pair \(i): \(g.score) vs \(x)")
      }
    }
  }

  @Test("Several (and a variable number of) references")
  func multiReference() throws {
    let root = try Fixture.parity()
    let multi = Fixture.multi(root)
    let bleu = try #require(root["bleu"] as? [String: Any])
    let m = try #require((bleu["multi"] as? [[String: Any]])?.first)
    let metric = SacreBLEU()
    let s = metric.corpusScore(multi)
    #expect(close(s.score, double(m["score"])))
    #expect(s.hypothesisLength == Int(double(m["sys_len"])) && s.referenceLength == Int(double(m["ref_len"])))
    #expect(metric.signature(for: multi) == m["signature"] as? String)
    let sentence = SacreBLEU(effectiveOrder: true).sentenceScores(multi).map(\.score)
    #expect(zip(sentence, doubles(m["sentence"])).allSatisfy { close($0, $1) })
  }

  @Test("Values shipped with the task data (radiology_pairs_parity.json)")
  func sharedVectors() throws {
    let root = try Fixture.json("radiology_pairs_parity.json")
    let cases = try #require(root["cases"] as? [[String: Any]])
    var pairs: [TextPair] = []
    for c in cases {
      let pair = TextPair(reference: c["target"] as? String ?? "", hypothesis: c["prediction"] as? String ?? "")
      // The shipped corpus value covers the cases that also have a sentence value.
      guard let e = c["sacrebleu_sentence_default"] as? [String: Any] else { continue }
      pairs.append(pair)
      let metric = SacreBLEU(effectiveOrder: true)
      let s = metric.score(metric.statistics(hypothesis: pair.hypothesis, references: pair.references))
      #expect(close(s.score, double(e["score"])), "\(pair)")
      #expect(s.counts == doubles(e["counts"]) && s.totals == doubles(e["totals"]))
      #expect(
        SacreBLEUTokenizer.thirteenA.tokens(pair.hypothesis).joined(separator: " ") == c["sacrebleu_13a_tokens_pred"]
          as? String)
    }
    let corpus = try #require(root["sacrebleu_corpus_default"] as? [String: Any])
    let s = SacreBLEU().corpusScore(pairs)
    #expect(close(s.score, double(corpus["score"])))
    #expect(SacreBLEU().signature(for: pairs) == corpus["signature"] as? String)
  }

  @Test("sacrebleu's published check values (METRICS.md)")
  func publishedValues() {
    let metric = SacreBLEU(effectiveOrder: true)
    let s = metric.score(
      metric.statistics(
        hypothesis: "No acute cardiopulmonary abnormality.", references: ["No acute cardiopulmonary process."]))
    #expect(close(s.score, 42.72870063962342))
    #expect(s.counts == [4, 2, 1, 0] && s.totals == [5, 4, 3, 2])
  }

  @Test("chrF and chrF++ corpus and sentence scores, whitespace and eps variants")
  func chrf() throws {
    let root = try Fixture.parity()
    let pairs = Fixture.pairs(root)
    let chrf = try #require(root["chrf"] as? [String: Any])
    let configs = try #require(chrf["corpus"] as? [[String: Any]])
    #expect(configs.count == 10)
    for c in configs {
      let metric = SacreCHRF(
        wordOrder: Int(double(c["word_order"])), lowercase: c["lowercase"] as? Bool ?? false,
        whitespace: c["whitespace"] as? Bool ?? false,
        epsSmoothing: c["eps_smoothing"] as? Bool ?? false)
      let stats = metric.allStatistics(pairs)
      #expect(close(metric.corpusScore(statistics: stats), double(c["score"])), "\(metric)")
      #expect(metric.name == c["name"] as? String)
      #expect(metric.signature(for: pairs) == c["signature"] as? String)
      let sentence = stats.map(metric.fScore)
      #expect(zip(sentence, doubles(c["sentence"])).allSatisfy { close($0, $1) }, "\(metric)")
    }
    let multi = Fixture.multi(root)
    for m in try #require(chrf["multi"] as? [[String: Any]]) {
      let metric = SacreCHRF(wordOrder: Int(double(m["word_order"])))
      #expect(close(metric.corpusScore(multi), double(m["score"])))
      #expect(metric.signature(for: multi) == m["signature"] as? String)
      #expect(zip(metric.sentenceScores(multi), doubles(m["sentence"])).allSatisfy { close($0, $1) })
    }
  }

  @Test("pycocoevalcap BLEU-1..4 and ROUGE-L (β = 1.2)")
  func coco() throws {
    let root = try Fixture.parity()
    let coco = try #require(root["coco"] as? [String: Any])
    let pairs = (coco["pairs"] as? [[String: Any]] ?? []).map {
      TextPair(references: $0["references"] as? [String] ?? [], hypothesis: $0["hypothesis"] as? String ?? "")
    }
    let r = CocoBLEU().evaluate(pairs)
    #expect(zip(r.corpus, doubles(coco["bleu"])).allSatisfy { close($0, $1) }, "\(r.corpus)")
    let per = coco["bleu_per_pair"] as? [Any] ?? []
    for k in 0..<4 {
      #expect(zip(r.perPair[k], doubles(per[k])).allSatisfy { close($0, $1) }, "BLEU-\(k + 1)")
    }
    let rouge = CocoRougeL().evaluate(pairs)
    #expect(close(rouge.mean, double(coco["rougeL"])))
    #expect(zip(rouge.perPair, doubles(coco["rougeL_per_pair"])).allSatisfy { close($0, $1) })
  }
}
