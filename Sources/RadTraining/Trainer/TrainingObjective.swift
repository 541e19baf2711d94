import RadTensor

/// What a trainer optimises: an objective draws its next micro-batch, computes a scalar loss
/// whose gradient trains `parameters`, and can report a validation loss. Causal-LM pretraining,
/// masked-LM, SFT, DPO and reward modelling are objectives over the same trainer.
public protocol TrainingObjective: AnyObject {
  /// Every parameter of the model(s) being trained, under Hugging Face names (saved in checkpoints).
  var parameters: ParameterStore { get }
  /// Loss of the next training micro-batch and the number of target tokens it covered.
  func nextLoss(random: inout SeededRandom) throws -> (loss: Tensor, tokens: Int)
  /// Mean validation loss per target token (nil when there is no validation data).
  func validationLoss() throws -> Float?
  /// Where the data stream is, for checkpoints.
  var dataPosition: DataOrder.Position { get }
  func restoreDataPosition(_ position: DataOrder.Position)
}
