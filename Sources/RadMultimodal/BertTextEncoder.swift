import RadModels
import RadTensor

/// A BERT encoder (MiniLM, a radiology BERT) as a contrastive model's text tower: the last hidden
/// states averaged over real tokens (sentence-transformers' mean pooling) or the [CLS] state.
public final class BertTextEncoder: TextEncoder, @unchecked Sendable {
  public enum Pooling: Sendable { case mean, cls }
  public let model: BertModel
  public let pooling: Pooling

  public init(model: BertModel, pooling: Pooling = .mean) {
    self.model = model
    self.pooling = pooling
  }

  public var parameters: ParameterStore { model.parameters }
  public var featureWidth: Int { model.config.width }

  public func encode(ids: [[Int]], attentionMask: [[Int]]) throws -> Tensor {
    let batch = ids.count
    let length = ids.first?.count ?? 0
    let hidden = try model.hiddenStates(
      TokenBatch(ids: ids.flatMap { $0 }, batch: batch, length: length, attentionMask: attentionMask))
    switch pooling {
    case .cls:
      return hidden.slice(axis: 1, 0..<1).reshaped([batch, featureWidth])
    case .mean:
      let weights = Tensor(shape: [batch, length, 1], data: attentionMask.flatMap { $0.map(Float.init) })
      let counts = Tensor(
        shape: [batch, 1], data: attentionMask.map { Float(Swift.max($0.reduce(0, +), 1)) })
      return (hidden * weights).sum(axis: 1) / counts
    }
  }
}
