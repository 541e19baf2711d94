import RadTensor

/// A text encoder turns a batch of token-id sequences into one vector per text [N, featureWidth]
/// (CLIP's text transformer at its end-of-text token, a BERT's pooled output). Contrastive models
/// pair any of these with any `ImageEncoder`.
public protocol TextEncoder: AnyObject, Sendable {
  var parameters: ParameterStore { get }
  var featureWidth: Int { get }
  /// `ids` rows of equal length, `attentionMask` 1 for real tokens and 0 for padding.
  func encode(ids: [[Int]], attentionMask: [[Int]]) throws -> Tensor
}
