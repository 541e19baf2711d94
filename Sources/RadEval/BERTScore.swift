import Foundation
import RadModels
import RadTensor
import RadTokenizers

/// Precision, recall and F1 of one BERTScore comparison.
public struct BERTScoreValue: Sendable, Equatable {
  public var precision: Double
  public var recall: Double
  public var f1: Double

  public init(precision: Double, recall: Double, f1: Double) {
    self.precision = precision
    self.recall = recall
    self.f1 = f1
  }

  var json: JSONValue { .object([("p", .number(precision)), ("r", .number(recall)), ("f", .number(f1))]) }
}

/// Errors of BERTScore's inputs: the layer, the baseline file.
public enum BERTScoreError: Error, Equatable, Sendable, CustomStringConvertible {
  case layerOutOfRange(layer: Int, layers: Int)
  case invalidBaseline(file: String, line: Int, reason: String)
  case noPairs

  public var description: String {
    switch self {
    case .layerOutOfRange(let l, let n): return "layer \(l) is outside 1...\(n) of this encoder"
    case .invalidBaseline(let f, let l, let r): return "\(f):\(l): \(r)"
    case .noPairs: return "no pairs to score"
    }
  }
}

/// The score a random pair of sentences gets from one encoder layer, used to spread BERTScore
/// over a readable range: x' = (x − b)/(1 − b). It is read from bert-score's baseline CSV
/// (`LAYER,P,R,F`, one row per layer starting at layer 0).
public struct BERTScoreBaseline: Sendable, Equatable {
  public var precision: Double
  public var recall: Double
  public var f1: Double

  public init(precision: Double, recall: Double, f1: Double) {
    self.precision = precision
    self.recall = recall
    self.f1 = f1
  }

  /// The row for `layer` of a bert-score baseline file (bert-score takes the row at position
  /// `layer`; the file's own layer column must agree).
  public init(contentsOf url: URL, layer: Int) throws {
    guard let text = try? String(contentsOf: url, encoding: .utf8) else {
      throw BERTScoreError.invalidBaseline(file: url.path, line: 0, reason: "cannot read the file")
    }
    let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
      .map { $0.trimmingCharacters(in: .whitespaces) }
    let rows = lines.enumerated().dropFirst().filter { !$0.element.isEmpty }
    guard layer >= 0, layer < rows.count else {
      throw BERTScoreError.invalidBaseline(
        file: url.path, line: lines.count, reason: "no row for layer \(layer) (\(rows.count) rows after the header)")
    }
    let (index, line) = rows[rows.startIndex + layer]
    let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
      $0.trimmingCharacters(in: .whitespaces)
    }
    guard fields.count == 4, let values = Optional(fields.compactMap(Double.init)), values.count == 4 else {
      throw BERTScoreError.invalidBaseline(file: url.path, line: index + 1, reason: "expected 4 numbers LAYER,P,R,F")
    }
    guard Int(values[0]) == layer else {
      throw BERTScoreError.invalidBaseline(
        file: url.path, line: index + 1, reason: "row \(layer) is for layer \(fields[0])")
    }
    for v in values[1...] where !(v < 1) {
      throw BERTScoreError.invalidBaseline(file: url.path, line: index + 1, reason: "baseline \(v) must be below 1")
    }
    self.init(precision: values[1], recall: values[2], f1: values[3])
  }

  func rescale(_ v: BERTScoreValue) -> BERTScoreValue {
    BERTScoreValue(
      precision: (v.precision - precision) / (1 - precision), recall: (v.recall - recall) / (1 - recall),
      f1: (v.f1 - f1) / (1 - f1))
  }
}

/// BERTScore (Zhang et al. 2020) exactly as the `bert-score` package 0.3.13 computes it: every
/// token of hypothesis and reference gets a unit-length vector from one layer of a BERT-family
/// encoder, each token is matched greedily to its most similar token on the other side, and the
/// weighted means of those best similarities are precision (over hypothesis tokens) and recall
/// (over reference tokens). [CLS]/[SEP] can be matched but weigh 0; with `idf` the weights are
/// ln((N+1)/(df+1)) from the references.
public final class BERTScorer: TextPairMetric, @unchecked Sendable {
  public let encoder: BertModel
  public let tokenizer: Tokenizer
  public let layer: Int
  public let idf: Bool
  public let baseline: BERTScoreBaseline?
  /// Name used in the signature (bert-score's `model_type`).
  public let modelName: String
  /// Sentences per encoder batch (bert-score's `batch_size`, also its pair batch).
  public let batchSize: Int
  /// Encoder batches run at once. 1 (the default): one batch at a time, with the kernels' own
  /// threads. More: batches side by side, one per core, which pays off (a BERT batch is many
  /// small products) only where the process runs OpenBLAS and RadTensor's kernels on one thread
  /// (`BLAS.setThreadCount(1)`, `Parallel.threadCount = 1`, as `radlm eval bertscore` does). The
  /// scorer never changes those process-wide settings itself: other threads' results (a training
  /// run's bit-exact resume) depend on them.
  public var concurrentBatches: Int = 1
  /// RoBERTa-style encoders number real tokens from `positionOffset` (padding_idx + 1) and give
  /// padding the position padding_idx; nil: positions 0, 1, … as BERT.
  public let positionOffset: Int?
  let maxLength: Int
  let specialIds: Set<Int>

  /// `layer` counts blocks from 1 (bert-score's `num_layers`: the model is cut after it).
  public init(
    encoder: BertModel, tokenizer: Tokenizer, layer: Int, idf: Bool = false, baseline: BERTScoreBaseline? = nil,
    modelName: String, maxLength: Int = 512, batchSize: Int = 64, positionOffset: Int? = nil
  ) throws {
    guard layer >= 1, layer <= encoder.config.layers else {
      throw BERTScoreError.layerOutOfRange(layer: layer, layers: encoder.config.layers)
    }
    self.encoder = encoder
    self.positionOffset = positionOffset
    self.maxLength = min(maxLength, encoder.config.maxPositions - (positionOffset ?? 0))
    self.tokenizer = tokenizer.with(truncation: TruncationSettings(maxLength: self.maxLength), padding: nil)
    self.layer = layer
    self.idf = idf
    self.baseline = baseline
    self.modelName = modelName
    self.batchSize = max(1, batchSize)
    // bert-score zeroes the weights of the tokenizer's CLS and SEP tokens ([CLS]/[SEP], <s>/</s>).
    specialIds = Set(["[CLS]", "[SEP]", "<s>", "</s>"].compactMap { tokenizer.tokenToId($0) })
  }

  /// Loads a Hugging Face BERT or RoBERTa folder (config.json, model.safetensors,
  /// tokenizer.json; the truncation length from tokenizer_config.json's `model_max_length`, as
  /// bert-score's). A RoBERTa config (`model_type` "roberta") numbers positions from
  /// pad_token_id + 1; its tokenizer.json carries the byte-level BPE.
  public convenience init(
    directory: URL, layer: Int, idf: Bool = false, baseline: BERTScoreBaseline? = nil, batchSize: Int = 64
  ) throws {
    let config = try ConfigJSON(contentsOf: directory.appendingPathComponent("config.json"))
    let bert = try WeightInitialization.deferred { try BertModel(json: config) }
    try WeightLoader.load(try ModelLoader.weightsArchive(in: directory), into: bert)
    let tokenizerURL = directory.appendingPathComponent("tokenizer.json")
    let tokenizer: Tokenizer
    do {
      tokenizer = try TokenizerJSON.load(path: tokenizerURL.path)
    } catch {
      throw ModelError.invalidConfig(file: tokenizerURL.path, field: "(file)", reason: "\(error)")
    }
    var maxLength = 512
    let tokenizerConfig = directory.appendingPathComponent("tokenizer_config.json")
    if FileManager.default.fileExists(atPath: tokenizerConfig.path) {
      maxLength = try ConfigJSON(contentsOf: tokenizerConfig).int("model_max_length", default: 512)
    }
    let roberta = try config.string("model_type", default: "bert") == "roberta"
    try self.init(
      encoder: bert, tokenizer: tokenizer, layer: layer, idf: idf, baseline: baseline,
      modelName: directory.standardizedFileURL.path, maxLength: maxLength, batchSize: batchSize,
      positionOffset: roberta ? bert.config.padTokenId + 1 : nil)
  }

  public var name: String { "bertscore" }

  /// bert-score's hash: `MODEL_L6_no-idf_version=0.3.13(…)`, `-custom-rescaled` with a baseline.
  public func signature(for pairs: [TextPair]) -> String { signature }

  public var signature: String {
    "\(modelName)_L\(layer)\(idf ? "_idf" : "_no-idf")_version=0.3.13(radlm)\(baseline != nil ? "-custom-rescaled" : "")"
  }

  public func report(_ pairs: [TextPair], perPair: Bool) throws -> MetricReport {
    let values = try score(pairs)
    return MetricReport(
      signature: signature, score: Self.mean(values).json, perPair: perPair ? values.map(\.json) : nil)
  }

  /// The plain mean of P, R and F over pairs (bert-score's corpus figure).
  public static func mean(_ values: [BERTScoreValue]) -> BERTScoreValue {
    let n = Double(Swift.max(values.count, 1))
    return BERTScoreValue(
      precision: values.reduce(0) { $0 + $1.precision } / n, recall: values.reduce(0) { $0 + $1.recall } / n,
      f1: values.reduce(0) { $0 + $1.f1 } / n)
  }

  /// Token ids as bert-score's `sent_encode`: stripped text, special tokens, truncated.
  func encode(_ text: String) -> [Int] {
    tokenizer.encode(text.trimmingCharacters(in: .whitespacesAndNewlines), addSpecialTokens: true).ids
  }

  /// One value per pair; a pair with several references keeps, for P, R and F separately, the
  /// best over its references (bert-score's elementwise max), before baseline rescaling.
  public func score(_ pairs: [TextPair]) throws -> [BERTScoreValue] {
    guard !pairs.isEmpty else { throw BERTScoreError.noPairs }
    var refs: [String] = []
    var hyps: [String] = []
    var groups: [Range<Int>] = []
    for pair in pairs {
      let start = refs.count
      let references = pair.references.isEmpty ? [""] : pair.references
      refs += references
      hyps += [String](repeating: pair.hypothesis, count: references.count)
      groups.append(start..<refs.count)
    }
    let raw = try score(references: refs, hypotheses: hyps)
    return groups.map { g in
      var best = raw[g.lowerBound]
      for v in raw[g].dropFirst() {
        best = BERTScoreValue(
          precision: Swift.max(best.precision, v.precision), recall: Swift.max(best.recall, v.recall),
          f1: Swift.max(best.f1, v.f1))
      }
      return baseline?.rescale(best) ?? best
    }
  }

  /// Raw (not rescaled) values for aligned lists of references and hypotheses.
  public func score(references: [String], hypotheses: [String]) throws -> [BERTScoreValue] {
    precondition(references.count == hypotheses.count, "references and hypotheses must align")
    // Token ids of every distinct sentence, then the weights from the references.
    var index: [String: Int] = [:]
    var sentences: [String] = []
    func id(_ s: String) -> Int {
      if let i = index[s] { return i }
      index[s] = sentences.count
      sentences.append(s)
      return sentences.count - 1
    }
    let refIndex = references.map(id)
    let hypIndex = hypotheses.map(id)
    let ids = sentences.map(encode)
    let weights: [[Double]]
    if idf {
      var df: [Int: Int] = [:]
      for r in refIndex { for t in Set(ids[r]) { df[t, default: 0] += 1 } }
      let n = Double(references.count)
      let table = df.mapValues { log((n + 1) / Double($0 + 1)) }
      let unseen = log(n + 1)
      weights = ids.map { $0.map { table[$0] ?? unseen } }
    } else {
      weights = ids.map { $0.map { specialIds.contains($0) ? 0 : 1 } }
    }
    let vectors = try embed(ids)
    let width = encoder.config.width
    // bert-score scores pairs in batches of `batchSize`, padding the similarity matrix with
    // zeros: a row's maximum is never below 0 when its sentence is shorter than the batch's longest.
    var results = [BERTScoreValue](repeating: BERTScoreValue(precision: 0, recall: 0, f1: 0), count: references.count)
    let chunkCount = (references.count + batchSize - 1) / batchSize
    results.withUnsafeMutableBufferPointer { out in
      let out = UnsafeSendableBuffer(out)
      DispatchQueue.concurrentPerform(iterations: chunkCount) { c in
        let range = (c * batchSize)..<Swift.min(references.count, (c + 1) * batchSize)
        let maxRef = range.map { ids[refIndex[$0]].count }.max() ?? 0
        let maxHyp = range.map { ids[hypIndex[$0]].count }.max() ?? 0
        for p in range {
          let r = refIndex[p], h = hypIndex[p]
          out.base[p] = Self.greedy(
            hyp: vectors[h], hypWeights: weights[h], ref: vectors[r], refWeights: weights[r], width: width,
            padRef: ids[r].count < maxRef, padHyp: ids[h].count < maxHyp)
        }
      }
    }
    return results
  }

  static func greedy(
    hyp: [Float], hypWeights hw: [Double], ref: [Float], refWeights rw: [Double], width: Int, padRef: Bool,
    padHyp: Bool
  ) -> BERTScoreValue {
    let m = hw.count, n = rw.count
    var rowMax = [Float](repeating: padRef ? 0 : -.infinity, count: m)
    var colMax = [Float](repeating: padHyp ? 0 : -.infinity, count: n)
    hyp.withUnsafeBufferPointer { a in
      ref.withUnsafeBufferPointer { b in
        for i in 0..<m {
          let ai = a.baseAddress! + i * width
          for j in 0..<n {
            let s = Kernels.dot(ai, b.baseAddress! + j * width, width)
            if s > rowMax[i] { rowMax[i] = s }
            if s > colMax[j] { colMax[j] = s }
          }
        }
      }
    }
    let hs = hw.reduce(0, +), rs = rw.reduce(0, +)
    var p = zip(rowMax, hw).reduce(0.0) { $0 + Double($1.0) * ($1.1 / hs) }
    var r = zip(colMax, rw).reduce(0.0) { $0 + Double($1.0) * ($1.1 / rs) }
    // Only [CLS][SEP]: an empty sentence scores 0 (bert-score's zero masks).
    if m == 2 || n == 2 {
      p = 0
      r = 0
    }
    var f = 2 * p * r / (p + r)
    if f.isNaN { f = 0 }
    return BERTScoreValue(precision: p, recall: r, f1: f)
  }

  /// Unit-length token vectors of each sentence from `layer`, computed in batches of sentences
  /// of similar length padded to the longest (as bert-score sorts and batches them), up to
  /// `concurrentBatches` at once.
  func embed(_ ids: [[Int]]) throws -> [[Float]] {
    let order = ids.indices.sorted { ids[$0].count > ids[$1].count }
    var batches: [[Int]] = []
    var start = 0
    while start < order.count {
      batches.append(Array(order[start..<Swift.min(order.count, start + batchSize)]))
      start += batchSize
    }
    let workers = Swift.min(concurrentBatches, batches.count)
    var outputs = [[[Float]]](repeating: [], count: batches.count)
    var failure: Error?
    if workers <= 1 {
      for (i, chunk) in batches.enumerated() { outputs[i] = try embedBatch(chunk, ids) }
    } else {
      let lock = NSLock()
      nonisolated(unsafe) var next = 0
      nonisolated(unsafe) var results = outputs
      nonisolated(unsafe) var firstError: Error?
      let batchList = batches
      DispatchQueue.concurrentPerform(iterations: workers) { _ in
        while true {
          lock.lock()
          let i = next
          next += 1
          lock.unlock()
          guard i < batchList.count else { return }
          do {
            let v = try self.embedBatch(batchList[i], ids)
            lock.lock()
            results[i] = v
            lock.unlock()
          } catch {
            lock.lock()
            if firstError == nil { firstError = error }
            lock.unlock()
            return
          }
        }
      }
      outputs = results
      failure = firstError
    }
    if let failure { throw failure }
    var vectors = [[Float]](repeating: [], count: ids.count)
    for (chunk, out) in zip(batches, outputs) {
      for (s, v) in zip(chunk, out) { vectors[s] = v }
    }
    return vectors
  }

  /// Normalised token vectors of the sentences `chunk` (indices into `ids`), in order.
  func embedBatch(_ chunk: [Int], _ ids: [[Int]]) throws -> [[Float]] {
    let width = encoder.config.width
    let pad = encoder.config.padTokenId
    let length = chunk.map { ids[$0].count }.max() ?? 0
    var flat: [Int] = []
    flat.reserveCapacity(chunk.count * length)
    var mask: [[Int]] = []
    var positions: [[Int]]? = positionOffset == nil ? nil : []
    for s in chunk {
      let k = ids[s].count
      flat += ids[s] + [Int](repeating: pad, count: length - k)
      mask.append([Int](repeating: 1, count: k) + [Int](repeating: 0, count: length - k))
      if let offset = positionOffset {
        positions?.append(Array(offset..<(offset + k)) + [Int](repeating: pad, count: length - k))
      }
    }
    let batch = TokenBatch(ids: flat, batch: chunk.count, length: length, attentionMask: mask, positions: positions)
    let hidden = try Autograd.inferenceMode { try encoder.hiddenStates(batch, throughLayer: layer) }
    return hidden.data.withUnsafeBufferPointer { h in
      chunk.enumerated().map { b, s in
        let k = ids[s].count
        var v = [Float](repeating: 0, count: k * width)
        for t in 0..<k {
          let row = (b * length + t) * width
          var norm: Float = 0
          for i in 0..<width { norm += h[row + i] * h[row + i] }
          norm = norm.squareRoot()
          for i in 0..<width { v[t * width + i] = h[row + i] / norm }
        }
        return v
      }
    }
  }
}

/// A mutable buffer handed to `concurrentPerform` workers that write disjoint elements.
struct UnsafeSendableBuffer<Element>: @unchecked Sendable {
  let base: UnsafeMutableBufferPointer<Element>
  init(_ base: UnsafeMutableBufferPointer<Element>) { self.base = base }
}
