import RadTensor

/// Direct preference optimisation trains a policy to prefer the chosen answer over the rejected
/// one relative to a frozen reference model, without a separate reward model. The margin
/// m = (log π(y_c) − log π(y_r)) − (log π_ref(y_c) − log π_ref(y_r)) is pushed up by one of TRL's
/// losses: sigmoid (−log σ(βm)), IPO ((m − 1/(2β))², on length-averaged log-probabilities) or hinge
/// (max(0, 1 − βm)).
public enum PreferenceLoss: String, Sendable, Codable, CaseIterable {
  case sigmoid, ipo, hinge

  /// Mean loss over a batch of log-probability sums ([batch] tensors); reference values carry no
  /// gradient.
  public func loss(
    policyChosen: Tensor, policyRejected: Tensor, referenceChosen: Tensor, referenceRejected: Tensor, beta: Float
  ) -> Tensor {
    let margin = (policyChosen - policyRejected) - (referenceChosen.detached() - referenceRejected.detached())
    switch self {
    case .sigmoid:
      return (-(margin * beta)).softplus().mean()
    case .ipo:
      let shifted = margin - 1 / (2 * beta)
      return (shifted * shifted).mean()
    case .hinge:
      return (1 - margin * beta).relu().mean()
    }
  }
}

/// The reward-model stage of RLHF: a scalar score per answer trained with the Bradley–Terry loss
/// −log σ(r_chosen − r_rejected), so preferred answers score higher.
public func bradleyTerryLoss(chosenRewards: Tensor, rejectedRewards: Tensor) -> Tensor {
  (rejectedRewards - chosenRewards).softplus().mean()
}

/// Sum of log-probabilities of the labelled tokens of each sequence: logits [batch, length,
/// vocabulary], labels [batch × length] aligned with the inputs (the label at t+1 is predicted
/// at t; −100 is skipped). With `average`, divides by the number of labelled tokens (IPO).
public func sequenceLogProbabilities(logits: Tensor, labels: [Int], average: Bool = false) -> Tensor {
  let batch = logits.shape[0]
  let length = logits.shape[1]
  let vocabulary = logits.shape[2]
  var targets = [Int](repeating: -100, count: batch * length)
  var counts = [Float](repeating: 0, count: batch)
  for b in 0..<batch {
    for t in 0..<(length - 1) where labels[b * length + t + 1] != -100 {
      targets[b * length + t] = labels[b * length + t + 1]
      counts[b] += 1
    }
  }
  let logProbabilities = logits.reshaped([batch * length, vocabulary]).logSoftmax().selectLastAxis(targets)
  let sums = logProbabilities.reshaped([batch, length]).sum(axis: 1)
  return average ? sums / Tensor(shape: [batch], data: counts.map { Swift.max($0, 1) }) : sums
}
