import Foundation

/// What makes two embedding models interchangeable for a store: the model (its name or path and a
/// digest of its files), its pooling, whether vectors are normalised, and their dimension. A store
/// records the identity it was built with and refuses to mix vectors of another.
public struct EmbeddingModelIdentity: Sendable, Equatable, Codable, CustomStringConvertible {
  /// The fetched model name (`minilm`) or the model folder's path, as given when the store was built.
  public var name: String
  /// Digest of the model's configuration and weights files.
  public var hash: String
  public var pooling: String
  public var normalized: Bool
  public var dimension: Int

  public init(name: String, hash: String, pooling: String, normalized: Bool, dimension: Int) {
    self.name = name
    self.hash = hash
    self.pooling = pooling
    self.normalized = normalized
    self.dimension = dimension
  }

  public var description: String {
    "\(name) (files \(hash), \(pooling) pooling, \(normalized ? "normalised" : "not normalised"), "
      + "\(dimension) dimensions)"
  }

  /// Whether vectors of `other` may be stored beside and compared with vectors of this model
  /// (the name may differ: the same files reached through another path are the same model).
  public func isCompatible(with other: EmbeddingModelIdentity) -> Bool {
    hash == other.hash && pooling == other.pooling && normalized == other.normalized && dimension == other.dimension
  }
}
