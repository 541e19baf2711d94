import ArgumentParser
import Foundation
import RadEval
import RadModelFiles
import RadTensor

/// `radlm eval`: scores generated text and labels against references with metrics that equal
/// their reference implementations (rouge-score, sacrebleu, pycocoevalcap, scikit-learn).
struct EvalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract:
      "Evaluate generated reports: ROUGE, BLEU, chrF, BERTScore, CheXpert labels, classification metrics, perplexity.",
    subcommands: [
      EvalRougeCommand.self, EvalBLEUCommand.self, EvalCHRFCommand.self, EvalCocoCommand.self,
      EvalLabelsCommand.self, EvalClassificationCommand.self, EvalReportCommand.self,
      EvalBERTScoreCommand.self, EvalPerplexityCommand.self, EvalMeSHCommand.self, EvalRetrievalCommand.self,
    ]
  )
}

/// Input and output options shared by the text metrics.
struct TextPairOptions: ParsableArguments {
  @Option(help: "JSON Lines: one {\"reference\":…,\"hypothesis\":…} per line (\"references\":[…] for several).")
  var pairs: String?

  @Option(help: "References, one per line (with --hyps).")
  var refs: String?

  @Option(help: "Hypotheses, one per line (with --refs).")
  var hyps: String?

  @Flag(name: .customLong("per-pair"), help: "Also report each pair's score.")
  var perPair = false

  @Flag(help: "Print {\"signature\":…,\"score\":…,\"per_pair\":[…]} as JSON.")
  var json = false

  @Flag(help: "Print the seconds spent reading and scoring to standard error.")
  var time = false

  var given: Bool { pairs != nil || refs != nil || hyps != nil }

  func validate() throws {
    switch (pairs, refs, hyps) {
    case (.some, nil, nil), (nil, .some, .some), (nil, nil, nil): break
    default: throw ValidationError("give either --pairs F.jsonl or both --refs F and --hyps F")
    }
    try OptionCheck.exists(pairs, "--pairs")
    try OptionCheck.exists(refs, "--refs")
    try OptionCheck.exists(hyps, "--hyps")
  }

  func load() throws -> [TextPair] {
    if let pairs { return try TextPairsReader.readJSONL(pairs) }
    guard let refs, let hyps else {
      throw ValidationError("give either --pairs F.jsonl or both --refs F and --hyps F")
    }
    return try TextPairsReader.readParallel(references: refs, hypotheses: hyps)
  }

  /// Loads, runs `score`, prints, and reports timing if asked.
  func run(_ score: ([TextPair]) throws -> MetricReport, text: (MetricReport) -> String) throws {
    let start = Date()
    let report = try score(try load())
    let elapsed = Date().timeIntervalSince(start)
    print(json ? report.json.serialized() : text(report))
    if time { FileHandle.standardError.write(Data("seconds: \(elapsed)\n".utf8)) }
  }
}

/// Formats a number with fixed decimals for the human-readable output.
func fixed(_ v: Double, _ digits: Int = 4) -> String { String(format: "%.\(digits)f", v) }

struct EvalRougeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rouge", abstract: "ROUGE-1/2/L/Lsum exactly as rouge-score 0.1.2 (mean of per-pair values).")

  @OptionGroup var io: TextPairOptions

  @Flag(help: "Porter-stem tokens longer than 3 characters (NLTK's stemmer, as use_stemmer=True).")
  var stem = false

  @Option(help: "Comma-separated variants (rouge1…rouge9, rougeL, rougeLsum).")
  var types = "rouge1,rouge2,rougeL,rougeLsum"

  @Option(
    name: .customLong("bootstrap-seed"), help: "Add a 95% bootstrap interval (\"ci\") seeded like np.random.seed(N).")
  var bootstrapSeed: UInt32?

  func validate() throws {
    for name in types.split(separator: ",", omittingEmptySubsequences: false) where RougeType(name: String(name)) == nil
    {
      throw ValidationError("--types: unknown ROUGE type '\(name)' (rouge1…rouge9, rougeL, rougeLsum)")
    }
  }

  func run() throws {
    var parsed: [RougeType] = []
    for name in types.split(separator: ",") {
      guard let t = RougeType(name: String(name)) else { throw ValidationError("unknown ROUGE type \(name)") }
      parsed.append(t)
    }
    let scorer = RougeScorer(types: parsed, useStemmer: stem)
    try io.run({ pairs in
      if let seed = bootstrapSeed { return scorer.report(pairs, perPair: io.perPair, bootstrapSeed: seed) }
      return try scorer.report(pairs, perPair: io.perPair)
    }) { report in
      var lines = [report.signature]
      if case .object(let rows) = report.score {
        for (name, value) in rows {
          if case .object(let prf) = value {
            let cells = prf.map { k, v -> String in
              if case .number(let d) = v { return "\(k.uppercased())=\(fixed(d))" } else { return k }
            }
            lines.append("\(name)\t" + cells.joined(separator: " "))
          }
        }
      }
      if let per = report.perPair {
        lines.append(contentsOf: per.enumerated().map { "pair \($0.offset + 1)\t\($0.element.serialized())" })
      }
      return lines.joined(separator: "\n")
    }
  }
}

struct EvalBLEUCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bleu", abstract: "Corpus BLEU exactly as sacrebleu 2.6.0 (per pair: sentence_bleu).")

  @OptionGroup var io: TextPairOptions

  @Option(help: "Tokenizer: 13a, intl, char or none.")
  var tokenize = "13a"

  @Option(help: "Smoothing: exp, floor, add-k or none.")
  var smooth = "exp"

  @Option(name: .customLong("smooth-value"), help: "Value for floor (default 0.1) or add-k (default 1).")
  var smoothValue: Double?

  @Flag(name: .customLong("effective-order"), help: "Stop at the highest order with n-grams (corpus level).")
  var effectiveOrder = false

  @Flag(help: "Case-insensitive (sacrebleu -lc).")
  var lowercase = false

  func validate() throws {
    try OptionCheck.oneOf(tokenize, ["13a", "intl", "char", "none"], "--tokenize")
    try OptionCheck.oneOf(smooth, ["exp", "floor", "add-k", "none"], "--smooth")
    try OptionCheck.number(smoothValue, "--smooth-value", atLeast: 0, atMost: 1000)
  }

  func run() throws {
    guard let tok = SacreBLEUTokenizer(rawValue: tokenize) else {
      throw ValidationError("--tokenize must be one of 13a, intl, char, none")
    }
    guard let smoothing = BLEUSmoothing(name: smooth, value: smoothValue) else {
      throw ValidationError("--smooth must be one of exp, floor, add-k, none")
    }
    let metric = SacreBLEU(tokenizer: tok, smoothing: smoothing, effectiveOrder: effectiveOrder, lowercase: lowercase)
    try io.run({ try metric.report($0, perPair: io.perPair) }) { report in
      var s = "BLEU|\(report.signature) = "
      if case .number(let v) = report.score { s += fixed(v, 2) }
      if let per = report.perPair { s += "\n" + per.map { $0.serialized() }.joined(separator: "\n") }
      return s
    }
  }
}

struct EvalCHRFCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "chrf", abstract: "Corpus chrF (or chrF++ with --word-order 2) exactly as sacrebleu 2.6.0.")

  @OptionGroup var io: TextPairOptions

  @Option(name: .customLong("word-order"), help: "Word n-gram order: 0 for chrF, 2 for chrF++.")
  var wordOrder = 0

  @Option(name: .customLong("char-order"), help: "Character n-gram order.")
  var charOrder = 6

  @Flag(help: "Keep whitespace inside character n-grams.")
  var whitespace = false

  @Flag(help: "Case-insensitive.")
  var lowercase = false

  func validate() throws {
    try OptionCheck.integer(wordOrder, "--word-order", in: 0...100)
    try OptionCheck.integer(charOrder, "--char-order", in: 1...100)
  }

  func run() throws {
    let metric = SacreCHRF(charOrder: charOrder, wordOrder: wordOrder, lowercase: lowercase, whitespace: whitespace)
    try io.run({ try metric.report($0, perPair: io.perPair) }) { report in
      var s = "\(metric.name)|\(report.signature) = "
      if case .number(let v) = report.score { s += fixed(v, 2) }
      if let per = report.perPair { s += "\n" + per.map { $0.serialized() }.joined(separator: "\n") }
      return s
    }
  }
}

struct EvalCocoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "coco",
    abstract: "pycocoevalcap BLEU-1..4 and ROUGE-L (β=1.2) on whitespace-tokenized text (report-generation papers).")

  @OptionGroup var io: TextPairOptions

  func run() throws {
    try io.run({ pairs in
      let bleu = CocoBLEU().evaluate(pairs)
      let rouge = CocoRougeL().evaluate(pairs)
      var score: [(String, JSONValue)] = bleu.corpus.enumerated().map { ("bleu\($0.offset + 1)", .number($0.element)) }
      score.append(("rougeL", .number(rouge.mean)))
      var report = MetricReport(
        signature: "\(CocoBLEU.signature);\(CocoRougeL.signature)", score: .object(score))
      if io.perPair {
        report.perPair = pairs.indices.map { i in
          var o: [(String, JSONValue)] = (0..<4).map { ("bleu\($0 + 1)", .number(bleu.perPair[$0][i])) }
          o.append(("rougeL", .number(rouge.perPair[i])))
          return .object(o)
        }
      }
      return report
    }) { $0.json.serialized() }
  }
}

struct EvalLabelsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "labels",
    abstract:
      "CheXpert-style labels per report (--reports), or CheXbert-style label F1 between reference and generated reports (--pairs or --refs/--hyps)."
  )

  @Option(help: "Reports: one per line, or JSON Lines with a \"report\" field.")
  var reports: String?

  @OptionGroup var io: TextPairOptions

  func validate() throws {
    if (reports != nil) == io.given {
      throw ValidationError("give --reports F, or --pairs F, or --refs F --hyps F")
    }
    try OptionCheck.exists(reports, "--reports")
  }

  func readReports(_ path: String) throws -> [String] {
    let lines = try TextPairsReader.readLines(path)
    guard path.hasSuffix(".jsonl") else { return lines }
    var out: [String] = []
    for (i, line) in lines.enumerated() where !line.isEmpty {
      guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
        throw EvalInputError.invalidJSON(file: path, line: i + 1, reason: "expected an object")
      }
      guard let report = obj["report"] as? String else {
        throw EvalInputError.missingField(file: path, line: i + 1, field: "report")
      }
      out.append(report)
    }
    return out
  }

  func run() throws {
    let labeler = CheXpertLabeler()
    if let reports {
      let texts = try readReports(reports)
      let labels = labeler.label(reports: texts)
      if io.json {
        let rows: [JSONValue] = labels.map { l in
          .object(
            CheXpertObservation.csvOrder.map { o in
              (o.rawValue, l[o].map { JSONValue.integer($0.rawValue) } ?? .null)
            })
        }
        print(JSONValue.object([("signature", .string(Self.signature)), ("labels", .array(rows))]).serialized())
      } else {
        print((["Report"] + CheXpertObservation.csvOrder.map(\.rawValue)).joined(separator: ","))
        for (i, l) in labels.enumerated() {
          print(
            ([String(i + 1)] + CheXpertObservation.csvOrder.map { o in l[o].map { String(Double($0.rawValue)) } ?? "" })
              .joined(separator: ","))
        }
      }
      return
    }
    try io.run({ pairs in
      let agreement = try LabelAgreement(
        referenceReports: pairs.map { $0.references.first ?? "" }, generatedReports: pairs.map(\.hypothesis))
      func prf(_ v: PrecisionRecallF1) -> JSONValue {
        .object([("p", .number(v.precision)), ("r", .number(v.recall)), ("f", .number(v.f1))])
      }
      var report = MetricReport(
        signature: Self.signature + "|f1:chexbert-style|uncertain:1",
        score: .object([
          ("micro14", prf(agreement.micro14)), ("macro14", prf(agreement.macro14)),
          ("micro5", prf(agreement.micro5)), ("macro5", prf(agreement.macro5)),
          ("accuracy5", .number(agreement.accuracy5)),
        ]))
      if io.perPair { report.perPair = agreement.perSampleExact5.map { .object([("exact5", .number($0))]) } }
      return report
    }) { $0.json.serialized() }
  }

  static let signature = "labeler:radlm-chexpert-context|phrases:chexpert-labeler(MIT)"
}

struct EvalClassificationCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "classification",
    abstract:
      "Accuracy, precision/recall/F1 (micro, macro, weighted), confusion matrix, ROC AUC and PR AUC, with scikit-learn's definitions."
  )

  @Option(
    help: "True labels: one integer per line (multi-class) or 0/1 values separated by spaces or commas (multi-label).")
  var truth: String

  @Option(help: "Predicted labels, same layout as --truth.")
  var pred: String

  @Option(help: "Scores for ROC/PR AUC: one number per line (binary) or one per label (multi-label).")
  var scores: String?

  @Flag(help: "Print JSON.")
  var json = false

  func validate() throws {
    try OptionCheck.exists(truth, "--truth")
    try OptionCheck.exists(pred, "--pred")
    try OptionCheck.exists(scores, "--scores")
  }

  static func rows<T>(_ path: String, _ parse: (Substring) -> T?, what: String) throws -> [[T]] {
    try TextPairsReader.readLines(path).enumerated().compactMap { i, line in
      let fields = line.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" })
      if fields.isEmpty { return nil }
      return try fields.map { f in
        guard let v = parse(f) else {
          throw EvalInputError.invalidValue(file: path, line: i + 1, value: String(f), expected: what)
        }
        return v
      }
    }
  }

  func run() throws {
    let t = try Self.rows(truth, { Int($0) }, what: "an integer label")
    let p = try Self.rows(pred, { Int($0) }, what: "an integer label")
    let s = try scores.map { try Self.rows($0, { Double($0) }, what: "a number") }
    let multilabel = (t.first?.count ?? 1) > 1
    var score: [(String, JSONValue)] = []
    func prf(_ v: PrecisionRecallF1) -> JSONValue {
      var o: [(String, JSONValue)] = [("p", .number(v.precision)), ("r", .number(v.recall)), ("f1", .number(v.f1))]
      if let support = v.support { o.append(("support", .integer(support))) }
      return .object(o)
    }
    if multilabel {
      score.append(("subset_accuracy", .number(try ClassificationMetrics.subsetAccuracy(truth: t, predicted: p))))
      for avg in ScoreAveraging.allCases {
        score.append((avg.rawValue, prf(try ClassificationMetrics.multilabel(truth: t, predicted: p, average: avg)[0])))
      }
      score.append(
        ("per_label", .array(try ClassificationMetrics.multilabel(truth: t, predicted: p, average: nil).map(prf))))
      if let s {
        guard s.count == t.count else { throw ClassificationError.lengthMismatch(truth: t.count, predicted: s.count) }
        var auc: [JSONValue] = []
        var ap: [JSONValue] = []
        for j in 0..<(t.first?.count ?? 0) {
          let col = t.map { $0[j] }
          let sc = s.map { j < $0.count ? $0[j] : .nan }
          auc.append((try? ClassificationMetrics.rocAUC(truth: col, scores: sc)).map(JSONValue.number) ?? .null)
          ap.append(
            (try? ClassificationMetrics.averagePrecision(truth: col, scores: sc)).map(JSONValue.number) ?? .null)
        }
        score.append(("roc_auc", .array(auc)))
        score.append(("pr_auc", .array(ap)))
      }
    } else {
      let y = t.map { $0[0] }
      let yp = p.map { $0[0] }
      score.append(("accuracy", .number(try ClassificationMetrics.accuracy(truth: y, predicted: yp))))
      for avg in [ScoreAveraging.micro, .macro, .weighted] {
        score.append(
          (avg.rawValue, prf(try ClassificationMetrics.precisionRecallF1(truth: y, predicted: yp, average: avg)[0])))
      }
      let labels = Array(Set(y + yp)).sorted()
      score.append(("labels", .array(labels.map(JSONValue.integer))))
      score.append(
        (
          "per_class",
          .array(
            try ClassificationMetrics.precisionRecallF1(truth: y, predicted: yp, labels: labels, average: nil).map(prf))
        ))
      score.append(
        (
          "confusion",
          .array(
            try ClassificationMetrics.confusionMatrix(truth: y, predicted: yp, labels: labels).map {
              .array($0.map(JSONValue.integer))
            })
        ))
      if let s {
        let sc = s.map { $0[0] }
        score.append(("roc_auc", .number(try ClassificationMetrics.rocAUC(truth: y, scores: sc))))
        score.append(("pr_auc", .number(try ClassificationMetrics.averagePrecision(truth: y, scores: sc))))
      }
    }
    let report = MetricReport(
      signature: "scikit-learn-definitions|zero_division:0|f1:2tp/(2tp+fp+fn)", score: .object(score))
    if json {
      print(report.json.serialized())
    } else {
      print(report.signature)
      for (k, v) in score { print("\(k)\t\(v.serialized())") }
    }
  }
}

struct EvalReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Run every text metric, CheXpert label F1 and BERTScore; write eval-report.md and eval-report.html.")

  @OptionGroup var io: TextPairOptions

  @Flag(help: "Porter-stem tokens for ROUGE.")
  var stem = false

  @Option(help: "Directory for eval-report.md and eval-report.html.")
  var out = "."

  @Option(
    help:
      "BERT-family model folder for BERTScore; default: the fetched MiniLM (radlm fetch minilm), skipped with a note when it is not fetched."
  )
  var model: String?

  @Option(help: "Encoder layer for BERTScore (bert-score's num_layers).")
  var layer = 6

  @Flag(name: .customLong("no-bertscore"), help: "Leave BERTScore out.")
  var noBERTScore = false

  func validate() throws {
    try OptionCheck.exists(model, "--model")
    // Checked against the encoder's depth once it is loaded.
    try OptionCheck.integer(layer, "--layer", in: 1...(1 << 16))
  }

  /// The scorer, or nil with the reason BERTScore is left out. An explicit --model that cannot
  /// be loaded is an error; the default MiniLM missing from the cache is only a note.
  func bertScorer() throws -> (BERTScorer?, String?) {
    if noBERTScore { return (nil, "BERTScore left out (--no-bertscore).") }
    let directory: URL
    if let model {
      directory = URL(fileURLWithPath: model, isDirectory: true)
    } else {
      do { directory = try ModelCache().path(of: "minilm") } catch {
        return (nil, "BERTScore left out: \(error) (or pass --model DIR, or --no-bertscore).")
      }
    }
    return (try BERTScorer(directory: directory, layer: layer), nil)
  }

  func run() throws {
    let (scorer, note) = try bertScorer()
    if let note { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
    var summary = try EvalSummary(pairs: try io.load(), stem: stem, bertScorer: scorer)
    if let note { summary.notes.append(note) }
    let dir = URL(fileURLWithPath: out, isDirectory: true)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    try EvalSummary.writeAtomically(summary.markdown, to: dir.appendingPathComponent("eval-report.md"))
    try EvalSummary.writeAtomically(summary.html, to: dir.appendingPathComponent("eval-report.html"))
    if io.json {
      print(JSONValue.object(summary.rows.map { ($0.metric, .number($0.score)) }).serialized())
    } else {
      print(summary.markdown)
    }
  }
}
