import RadInference
import RadModels

/// The language model a server generates with, and the name clients ask for it by.
public struct GeneratorModel: Sendable {
  public let id: String
  public let bundle: ModelBundle

  public init(id: String, bundle: ModelBundle) {
    self.id = id
    self.bundle = bundle
  }
}

/// The sentence embedder behind `/v1/embeddings`, and its name.
public struct EmbedderModel: Sendable {
  public let id: String
  public let embedder: SentenceEmbedder

  public init(id: String, embedder: SentenceEmbedder) {
    self.id = id
    self.embedder = embedder
  }
}
