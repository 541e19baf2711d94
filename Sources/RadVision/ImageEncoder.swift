import RadTensor

/// An image encoder turns a batch of preprocessed images [N, 3, H, W] into one feature vector per
/// image [N, featureWidth]: a CNN's pooled features or a ViT's class token. Contrastive models and
/// linear probes work through this protocol, so any RadLM encoder can be plugged in.
public protocol ImageEncoder: AnyObject, Sendable {
  /// The encoder's parameters (for optimisers and checkpoints).
  var parameters: ParameterStore { get }
  /// Width of one image's feature vector.
  var featureWidth: Int { get }
  /// Features [N, featureWidth]; `training` switches batch norm and dropout to training behaviour.
  func encode(_ images: Tensor, training: Bool) -> Tensor
}
