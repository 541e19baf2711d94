import Foundation
import RadEval

/// How close one variant's impressions come to the reports' own: mean ROUGE-L F1 (rouge-score,
/// stemmed), corpus BLEU (sacreBLEU 13a), mean BERTScore F1, CheXpert-style five-label micro F1,
/// the share of outputs the consistency checker flags (nil until a checker is given) and decoding
/// speed (nil for the baselines, which decode nothing); over every study and over the abnormal ones.
public struct ImpressionScores: Sendable, Equatable {
  public var name: String
  public var n: Int
  public var rougeL: Double
  public var bleu: Double
  public var bertscoreF1: Double?
  public var labelF1: Double
  public var flagRate: Double?
  public var tokensPerSecond: Double?
  public var abnormal: Subset?

  /// The same figures on a subset of the studies.
  public struct Subset: Sendable, Equatable {
    public var n: Int
    public var rougeL: Double
    public var bleu: Double
    public var bertscoreF1: Double?
    public var labelF1: Double

    public init(n: Int, rougeL: Double, bleu: Double, bertscoreF1: Double?, labelF1: Double) {
      self.n = n
      self.rougeL = rougeL
      self.bleu = bleu
      self.bertscoreF1 = bertscoreF1
      self.labelF1 = labelF1
    }
  }

  public init(
    name: String, n: Int, rougeL: Double, bleu: Double, bertscoreF1: Double?, labelF1: Double, flagRate: Double?,
    tokensPerSecond: Double?, abnormal: Subset?
  ) {
    self.name = name
    self.n = n
    self.rougeL = rougeL
    self.bleu = bleu
    self.bertscoreF1 = bertscoreF1
    self.labelF1 = labelF1
    self.flagRate = flagRate
    self.tokensPerSecond = tokensPerSecond
    self.abnormal = abnormal
  }

  /// Scores `hypotheses` against `references` (same order); `abnormal[i]` marks the abnormal studies.
  public static func score(
    name: String, references: [String], hypotheses: [String], abnormal: [Bool], bertScorer: BERTScorer?,
    flagged: [Bool]? = nil, tokensPerSecond: Double? = nil
  ) throws -> ImpressionScores {
    let all = try subset(references, hypotheses, bertScorer)
    let picked = abnormal.indices.filter { abnormal[$0] }
    let abnormalScores =
      picked.isEmpty ? nil : try subset(picked.map { references[$0] }, picked.map { hypotheses[$0] }, bertScorer)
    return ImpressionScores(
      name: name, n: all.n, rougeL: all.rougeL, bleu: all.bleu, bertscoreF1: all.bertscoreF1, labelF1: all.labelF1,
      flagRate: flagged.map { flags in flags.isEmpty ? 0 : Double(flags.filter { $0 }.count) / Double(flags.count) },
      tokensPerSecond: tokensPerSecond, abnormal: abnormalScores)
  }

  static func subset(_ references: [String], _ hypotheses: [String], _ bertScorer: BERTScorer?) throws -> Subset {
    let pairs = zip(references, hypotheses).map { TextPair(reference: $0, hypothesis: $1) }
    let rouge = RougeScorer(types: [.l], useStemmer: true)
    let rougeL = RougeScorer.mean(rouge.scoreAll(pairs), count: 1)[0].fmeasure
    let bleu = SacreBLEU().corpusScore(pairs).score
    let bert = try bertScorer.map { BERTScorer.mean(try $0.score(references: references, hypotheses: hypotheses)).f1 }
    let labels = try LabelAgreement(referenceReports: references, generatedReports: hypotheses)
    return Subset(n: pairs.count, rougeL: rougeL, bleu: bleu, bertscoreF1: bert, labelF1: labels.micro5.f1)
  }

  /// The object results.json lists for this variant.
  public func jsonObject() -> [String: Any] {
    func number(_ value: Double?) -> Any { value.flatMap { $0.isFinite ? $0 : nil }.map { $0 as Any } ?? NSNull() }
    var object: [String: Any] = [
      "name": name, "rouge_l": number(rougeL), "bleu": number(bleu), "bertscore_f1": number(bertscoreF1),
      "label_f1": number(labelF1), "flag_rate": number(flagRate), "tokens_per_s": number(tokensPerSecond), "n": n,
    ]
    if let abnormal {
      object["abnormal"] = [
        "n": abnormal.n, "rouge_l": number(abnormal.rougeL), "bleu": number(abnormal.bleu),
        "bertscore_f1": number(abnormal.bertscoreF1), "label_f1": number(abnormal.labelF1),
      ]
    }
    return object
  }
}
