import Foundation
import RadModelFiles
import RadTensor

/// A JSON value with ordered object keys, for metric output whose key order is part of the
/// documented shape.
public indirect enum JSONValue: Sendable, Equatable {
  case number(Double)
  case integer(Int)
  case string(String)
  case bool(Bool)
  case null
  case array([JSONValue])
  case object([(String, JSONValue)])

  public static func == (a: JSONValue, b: JSONValue) -> Bool { a.serialized() == b.serialized() }

  /// Compact JSON. Doubles print in shortest round-trip form (like Python's `repr`); NaN and
  /// infinities, which JSON lacks, print as null.
  public func serialized() -> String {
    var out = ""
    write(to: &out)
    return out
  }

  func write(to out: inout String) {
    switch self {
    case .number(let d): out += d.isFinite ? "\(d)" : "null"
    case .integer(let i): out += "\(i)"
    case .bool(let b): out += b ? "true" : "false"
    case .null: out += "null"
    case .string(let s): Self.quote(s, into: &out)
    case .array(let a):
      out += "["
      for (i, v) in a.enumerated() {
        if i > 0 { out += "," }
        v.write(to: &out)
      }
      out += "]"
    case .object(let o):
      out += "{"
      for (i, (k, v)) in o.enumerated() {
        if i > 0 { out += "," }
        Self.quote(k, into: &out)
        out += ":"
        v.write(to: &out)
      }
      out += "}"
    }
  }

  /// JSON string literal (one escaping routine for the project: RadTensor's `GGUFValue.quoted`).
  static func quote(_ s: String, into out: inout String) { out += GGUFValue.quoted(s) }
}

/// The result of a text metric in the CLI's documented shape:
/// `{"signature": …, "score": …, "per_pair": […]}` (per-pair only when asked for; `extra` keys,
/// such as ROUGE's bootstrap `"ci"`, only when explicitly requested).
public struct MetricReport: Sendable {
  public var signature: String
  public var score: JSONValue
  public var perPair: [JSONValue]?
  public var extra: [(String, JSONValue)] = []

  public init(signature: String, score: JSONValue, perPair: [JSONValue]? = nil) {
    self.signature = signature
    self.score = score
    self.perPair = perPair
  }

  public var json: JSONValue {
    var o: [(String, JSONValue)] = [("signature", .string(signature)), ("score", score)]
    if let perPair { o.append(("per_pair", .array(perPair))) }
    o.append(contentsOf: extra)
    return .object(o)
  }
}

/// A metric over text pairs with a signature naming its exact variant.
///
/// Lexical metrics (ROUGE, BLEU, chrF, the COCO variants) conform now; model-based metrics
/// (BERTScore with an encoder and a layer) conform the same way once the encoder exists: they
/// compute per-pair values and an aggregate and report them in the same `MetricReport` shape.
public protocol TextPairMetric: Sendable {
  /// Short name used by the CLI (`rouge`, `bleu`, `chrf`, `bertscore`).
  var name: String { get }
  /// Reproducibility signature for these pairs (it may depend on them, e.g. `nrefs`).
  func signature(for pairs: [TextPair]) -> String
  /// Corpus score and, if `perPair`, one item per pair.
  func report(_ pairs: [TextPair], perPair: Bool) throws -> MetricReport
}

extension RougeScorer: TextPairMetric {
  public var name: String { "rouge" }
  public func signature(for pairs: [TextPair]) -> String { signature }

  static func prfJSON(_ types: [RougeType], _ values: [PRF]) -> JSONValue {
    .object(
      zip(types, values).map { t, v in
        (t.description, .object([("p", .number(v.precision)), ("r", .number(v.recall)), ("f", .number(v.fmeasure))]))
      })
  }

  public func report(_ pairs: [TextPair], perPair: Bool) throws -> MetricReport {
    let per = scoreAll(pairs)
    let mean = Self.mean(per, count: types.count)
    return MetricReport(
      signature: signature, score: Self.prfJSON(types, mean),
      perPair: perPair ? per.map { Self.prfJSON(types, $0) } : nil)
  }

  /// `report` plus a seeded bootstrap interval (`"ci"`: low/high per variant, P/R/F).
  public func report(_ pairs: [TextPair], perPair: Bool, bootstrapSeed: UInt32, samples: Int = 1000)
    -> MetricReport
  {
    let per = scoreAll(pairs)
    let mean = Self.mean(per, count: types.count)
    var r = MetricReport(
      signature: signature, score: Self.prfJSON(types, mean),
      perPair: perPair ? per.map { Self.prfJSON(types, $0) } : nil)
    let ci = Self.bootstrap(per, types: types.count, seed: bootstrapSeed, samples: samples)
    func triple(_ v: [Double]) -> PRF { PRF(precision: v[0], recall: v[1], fmeasure: v[2]) }
    r.extra.append(
      (
        "ci",
        .object([
          (
            "method",
            .string("rouge-score BootstrapAggregator, numpy legacy seed \(bootstrapSeed), \(samples) samples, 95%")
          ),
          ("low", Self.prfJSON(types, ci.map { triple($0.low) })),
          ("mid", Self.prfJSON(types, ci.map { triple($0.mid) })),
          ("high", Self.prfJSON(types, ci.map { triple($0.high) })),
        ])
      ))
    return r
  }
}

extension SacreBLEU: TextPairMetric {
  public var name: String { "bleu" }
  public func report(_ pairs: [TextPair], perPair: Bool) throws -> MetricReport {
    let stats = allStatistics(pairs)
    let corpus = score(stats.reduce(BLEUStatistics.zero(order: maxOrder), +))
    var r = MetricReport(signature: signature(for: pairs), score: .number(corpus.score))
    if perPair {
      // Sentence level as sacrebleu.sentence_bleu: same options, effective order on.
      var sentence = self
      sentence.effectiveOrder = true
      r.perPair = stats.map { .object([("score", .number(sentence.score($0).score))]) }
    }
    return r
  }
}

extension SacreCHRF: TextPairMetric {
  public func report(_ pairs: [TextPair], perPair: Bool) throws -> MetricReport {
    let stats = allStatistics(pairs)
    var r = MetricReport(signature: signature(for: pairs), score: .number(corpusScore(statistics: stats)))
    if perPair { r.perPair = stats.map { .object([("score", .number(fScore($0)))]) } }
    return r
  }
}
