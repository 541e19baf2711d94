import Foundation
import RadModels
import RadTokenizers

/// Turns texts into vectors for the store. The store needs to know which model made them
/// (`identity`), and token chunking needs the model's own token boundaries (`tokenSpans`).
public protocol TextEmbedder: Sendable {
  var identity: EmbeddingModelIdentity { get }
  /// One vector of `identity.dimension` values per text, in the order given.
  func embed(_ texts: [String]) throws -> [[Float]]
  /// The spans (in Unicode scalars) of the model's ordinary tokens in `text`, without special tokens.
  func tokenSpans(_ text: String) -> [TokenSpan]
}

/// A sentence-transformers model (MiniLM) as the store's embedder. Inputs are sorted by length
/// inside `SentenceEmbedder.embed`, so batches hold texts of similar length.
public final class SentenceTransformerEmbedder: TextEmbedder, @unchecked Sendable {
  // @unchecked: the embedder and tokenizer are only read after loading.
  public let embedder: SentenceEmbedder
  public let identity: EmbeddingModelIdentity
  public let batchSize: Int

  /// Loads the model folder at `path`; `name` is what the store records (the fetched name or the path).
  public init(path: String, name: String, batchSize: Int = 32) throws {
    let directory = URL(fileURLWithPath: path)
    embedder = try SentenceEmbedder(directory: directory)
    self.batchSize = batchSize
    identity = EmbeddingModelIdentity(
      name: name, hash: try Self.filesDigest(directory), pooling: embedder.pooling.rawValue,
      normalized: embedder.normalize, dimension: embedder.encoder.config.width)
  }

  public func embed(_ texts: [String]) throws -> [[Float]] {
    try embedder.embed(texts, batchSize: batchSize)
  }

  public func tokenSpans(_ text: String) -> [TokenSpan] {
    let encoding = embedder.tokenizer.with(truncation: nil, padding: nil).encode(text)
    return zip(encoding.offsets, encoding.specialTokensMask).compactMap { $1 == 0 ? $0 : nil }
  }

  /// Digest of the files that decide the vectors: configuration, pooling, tokenizer and weights.
  static func filesDigest(_ directory: URL) throws -> String {
    var hash = ContentHash()
    let names = [
      "config.json", "modules.json", "1_Pooling/config.json", "sentence_bert_config.json", "tokenizer.json",
      "model.safetensors", "pytorch_model.bin",
    ]
    for name in names {
      let url = directory.appendingPathComponent(name)
      guard FileManager.default.fileExists(atPath: url.path) else { continue }
      hash.update(name)
      let data = try Data(contentsOf: url, options: .alwaysMapped)
      data.withUnsafeBytes { hash.update($0) }
    }
    return hash.hex
  }
}
