import RadTensor

/// Masked language modelling (BERT's pretraining task): hide 15% of the tokens and predict them
/// from both sides. Of the chosen tokens 80% become [MASK], 10% a random token and 10% stay as
/// they are, so the model cannot rely on seeing [MASK] at test time. Labels are −100 elsewhere.
public struct MaskedLanguageModelingMasker: Sendable {
  public var maskId: Int
  public var vocabularySize: Int
  public var probability: Float = 0.15
  /// Ids never masked ([CLS], [SEP], [PAD]).
  public var specialIds: Set<Int>

  public init(maskId: Int, vocabularySize: Int, specialIds: Set<Int>, probability: Float = 0.15) {
    self.maskId = maskId
    self.vocabularySize = vocabularySize
    self.specialIds = specialIds
    self.probability = probability
  }

  /// Returns corrupted inputs and labels for `ids`.
  public func mask(_ ids: [Int], random: inout SeededRandom) -> (inputs: [Int], labels: [Int]) {
    var inputs = ids
    var labels = [Int](repeating: -100, count: ids.count)
    for (index, id) in ids.enumerated() where !specialIds.contains(id) {
      guard random.nextUniform() < probability else { continue }
      labels[index] = id
      let roll = random.nextUniform()
      if roll < 0.8 {
        inputs[index] = maskId
      } else if roll < 0.9 {
        inputs[index] = Int(random.next() % UInt64(vocabularySize))
      }
    }
    return (inputs, labels)
  }
}
