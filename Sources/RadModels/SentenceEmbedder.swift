import Foundation
import RadTensor
import RadTokenizers

/// A sentence embedder in the sentence-transformers layout: `modules.json` lists a Transformer
/// (a BERT-family encoder with its tokenizer), a Pooling module (`1_Pooling/config.json`: mean,
/// CLS or max over the token states, ignoring padding) and optionally Normalize (unit length).
/// One vector per text comes out, comparable by cosine similarity.
public final class SentenceEmbedder: @unchecked Sendable {
  public enum Pooling: String, Sendable { case mean, cls, max }

  public let encoder: BertModel
  public let tokenizer: Tokenizer
  public let pooling: Pooling
  public let normalize: Bool
  public let maxLength: Int

  public init(encoder: BertModel, tokenizer: Tokenizer, pooling: Pooling, normalize: Bool, maxLength: Int) {
    self.encoder = encoder
    self.tokenizer = tokenizer.with(truncation: TruncationSettings(maxLength: maxLength), padding: nil)
    self.pooling = pooling
    self.normalize = normalize
    self.maxLength = maxLength
  }

  /// Loads a sentence-transformers folder (or a bare BERT folder, which gets mean pooling and no
  /// normalisation, as sentence-transformers would give it).
  public convenience init(directory: URL) throws {
    let fm = FileManager.default
    var pooling = Pooling.mean
    var normalize = false
    var poolingFolder = "1_Pooling"
    let modulesURL = directory.appendingPathComponent("modules.json")
    if let data = fm.contents(atPath: modulesURL.path) {
      guard let modules = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
        throw ModelError.invalidConfig(file: modulesURL.path, field: "(root)", reason: "is not a list of modules")
      }
      for module in modules {
        let type = module["type"] as? String ?? ""
        if type.hasSuffix("Pooling") { poolingFolder = module["path"] as? String ?? poolingFolder }
        if type.hasSuffix("Normalize") { normalize = true }
        if !(type.hasSuffix("Transformer") || type.hasSuffix("Pooling") || type.hasSuffix("Normalize")) {
          throw ModelError.invalidConfig(
            file: modulesURL.path, field: "type", reason: "module \"\(type)\" is not supported")
        }
      }
    }
    let poolingURL = directory.appendingPathComponent(poolingFolder).appendingPathComponent("config.json")
    if fm.fileExists(atPath: poolingURL.path) {
      let json = try ConfigJSON(contentsOf: poolingURL)
      if try json.bool("pooling_mode_cls_token", default: false) {
        pooling = .cls
      } else if try json.bool("pooling_mode_max_tokens", default: false) {
        pooling = .max
      } else if try json.bool("pooling_mode_mean_tokens", default: true) {
        pooling = .mean
      } else {
        throw ModelError.invalidConfig(
          file: poolingURL.path, field: "pooling_mode_*", reason: "selects no supported pooling")
      }
    }
    var maxLength = 512
    let stConfig = directory.appendingPathComponent("sentence_bert_config.json")
    if fm.fileExists(atPath: stConfig.path) {
      maxLength = try ConfigJSON(contentsOf: stConfig).int("max_seq_length", default: 512)
    }
    let config = try ConfigJSON(contentsOf: directory.appendingPathComponent("config.json"))
    let bert = try WeightInitialization.deferred { try BertModel(json: config) }
    try WeightLoader.load(try ModelLoader.weightsArchive(in: directory), into: bert)
    let tokenizer: Tokenizer
    do {
      tokenizer = try TokenizerJSON.load(path: directory.appendingPathComponent("tokenizer.json").path)
    } catch {
      throw ModelError.invalidConfig(
        file: directory.appendingPathComponent("tokenizer.json").path, field: "(file)", reason: "\(error)")
    }
    self.init(
      encoder: bert, tokenizer: tokenizer, pooling: pooling, normalize: normalize,
      maxLength: min(maxLength, bert.config.maxPositions))
  }

  /// Embeddings [texts.count, width] of `texts`, in the order given. Texts are encoded once and
  /// batched in order of token count (as sentence-transformers does), so each batch is padded
  /// only to texts of about its own length instead of to the longest text nearby in the input.
  public func embed(_ texts: [String], batchSize: Int = 32) throws -> [[Float]] {
    let encodings = texts.map { tokenizer.encode($0) }
    let order = encodings.indices.sorted { encodings[$0].count > encodings[$1].count }
    var result = [[Float]](repeating: [], count: texts.count)
    var start = 0
    while start < order.count {
      let members = Array(order[start..<min(order.count, start + Swift.max(1, batchSize))])
      let vectors = try embedBatch(members.map { encodings[$0] })
      for (index, vector) in zip(members, vectors) { result[index] = vector }
      start += members.count
    }
    return result
  }

  func embedBatch(_ encodings: [Encoding]) throws -> [[Float]] {
    let length = encodings.map(\.count).max() ?? 0
    var ids: [Int] = []
    var mask: [[Int]] = []
    for encoding in encodings {
      let pad = length - encoding.count
      ids += encoding.ids + [Int](repeating: encoder.config.padTokenId, count: pad)
      mask.append([Int](repeating: 1, count: encoding.count) + [Int](repeating: 0, count: pad))
    }
    let batch = TokenBatch(ids: ids, batch: encodings.count, length: length, attentionMask: mask)
    let hidden = try Autograd.inferenceMode { try encoder.hiddenStates(batch) }
    let width = hidden.shape[2]
    return (0..<encodings.count).map { b in
      var vector = [Float](repeating: pooling == .max ? -.infinity : 0, count: width)
      let real = mask[b].reduce(0, +)
      hidden.data.withUnsafeBufferPointer { h in
        for t in 0..<length where mask[b][t] == 1 {
          if pooling == .cls && t > 0 { break }
          let row = (b * length + t) * width
          for i in 0..<width {
            switch pooling {
            case .mean, .cls: vector[i] += h[row + i]
            case .max: vector[i] = Swift.max(vector[i], h[row + i])
            }
          }
        }
      }
      if pooling == .mean { vector = vector.map { $0 / Float(Swift.max(real, 1)) } }
      if normalize {
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        vector = vector.map { $0 / Swift.max(norm, 1e-12) }
      }
      return vector
    }
  }
}
