import Foundation
import RadEval
import Testing

@Suite("ROUGE parity with rouge-score 0.1.2")
struct RougeParityTests {
  @Test("Porter stemmer equals NLTK (NLTK_EXTENSIONS) on every fixture word")
  func porter() throws {
    let root = try Fixture.parity()
    let table = try #require(root["porter"] as? [String: String])
    #expect(table.count > 300)
    let stemmer = PorterStemmer()
    var wrong: [String] = []
    for (word, stem) in table where stemmer.stem(word) != stem {
      wrong.append("\(word): \(stemmer.stem(word)) != \(stem)")
    }
    #expect(wrong.isEmpty, "\(wrong.prefix(20))")
  }

  @Test("Tokens and P/R/F of every pair, with and without stemming")
  func scores() throws {
    let root = try Fixture.parity()
    let rouge = try #require(root["rouge"] as? [String: Any])
    let typeNames = try #require(rouge["types"] as? [String])
    let types = typeNames.compactMap(RougeType.init(name:))
    #expect(types.count == typeNames.count)
    let cases = try #require(rouge["cases"] as? [[String: Any]])
    #expect(cases.count > 100)
    for c in cases {
      let stem = c["stem"] as? Bool ?? false
      let scorer = RougeScorer(types: types, useStemmer: stem)
      let refs = c["references"] as? [String] ?? []
      let hyp = c["hypothesis"] as? String ?? ""
      if let tr = c["tokens_reference"] as? [String], let th = c["tokens_hypothesis"] as? [String] {
        #expect(scorer.tokenizer.tokenize(refs[0]) == tr, "tokens of \(refs[0])")
        #expect(scorer.tokenizer.tokenize(hyp) == th, "tokens of \(hyp)")
      }
      let got = scorer.score(references: refs, hypothesis: hyp)
      let expected = try #require(c["scores"] as? [String: Any])
      for (i, name) in typeNames.enumerated() {
        let e = doubles(expected[name])
        let g = got[i]
        #expect(
          close(g.precision, e[0]) && close(g.recall, e[1]) && close(g.fmeasure, e[2]),
          "\(name) stem=\(stem) \(refs) | \(hyp): \(g) vs \(e)")
      }
    }
  }

  @Test("NumPy-compatible generator reproduces np.random.choice after np.random.seed(7)")
  func generator() throws {
    let root = try Fixture.parity()
    let rouge = try #require(root["rouge"] as? [String: Any])
    let expected = ints(rouge["randint_seed7_n37"])
    var g = MersenneTwister(seed: 7)
    let got = (0..<expected.count).map { _ in g.nextInt(below: 37) }
    #expect(got == expected)
  }

  @Test("Seeded bootstrap interval equals BootstrapAggregator after np.random.seed")
  func bootstrap() throws {
    let root = try Fixture.parity()
    let rouge = try #require(root["rouge"] as? [String: Any])
    let pairs = Fixture.pairs(root)
    for b in try #require(rouge["bootstrap"] as? [[String: Any]]) {
      let names = b["types"] as? [String] ?? []
      let scorer = RougeScorer(
        types: names.compactMap(RougeType.init(name:)), useStemmer: b["stem"] as? Bool ?? false)
      let per = scorer.scoreAll(pairs)
      let seed = UInt32(Int(double(b["seed"])))
      let intervals = RougeScorer.bootstrap(per, types: names.count, seed: seed)
      let means = RougeScorer.mean(per, count: names.count)
      for (t, name) in names.enumerated() {
        for (key, got) in [("low", intervals[t].low), ("mid", intervals[t].mid), ("high", intervals[t].high)] {
          let e = doubles((b[key] as? [String: Any])?[name])
          #expect(zip(got, e).allSatisfy { close($0, $1) } && got.count == 3, "\(name) \(key) \(got) vs \(e)")
        }
        let m = doubles((b["mean"] as? [String: Any])?[name])
        #expect(close(means[t].precision, m[0]) && close(means[t].recall, m[1]) && close(means[t].fmeasure, m[2]))
      }
    }
  }

  @Test("Values shipped with the task data (radiology_pairs_parity.json) and rouge test data")
  func sharedVectors() throws {
    let root = try Fixture.json("radiology_pairs_parity.json")
    let cases = try #require(root["cases"] as? [[String: Any]])
    for c in cases {
      let target = c["target"] as? String ?? ""
      let prediction = c["prediction"] as? String ?? ""
      for stem in [false, true] {
        let scorer = RougeScorer(useStemmer: stem)
        let tokens = c["tokens_stem=\(stem ? "True" : "False")"] as? [String: Any]
        #expect(scorer.tokenizer.tokenize(target) == tokens?["target"] as? [String])
        #expect(scorer.tokenizer.tokenize(prediction) == tokens?["prediction"] as? [String])
        let got = scorer.score(reference: target, hypothesis: prediction)
        let e = c["rouge_stem=\(stem ? "True" : "False")"] as? [String: Any] ?? [:]
        for (i, name) in ["rouge1", "rouge2", "rougeL", "rougeLsum"].enumerated() {
          let v = e[name] as? [String: Any] ?? [:]
          #expect(
            close(got[i].precision, double(v["p"])) && close(got[i].recall, double(v["r"]))
              && close(got[i].fmeasure, double(v["f"])), "\(name) \(target)")
        }
      }
    }
    let stems = try #require(root["nltk_porter_default_mode"] as? [String: String])
    for (w, s) in stems { #expect(PorterStemmer().stem(w) == s, "\(w)") }
  }
}
