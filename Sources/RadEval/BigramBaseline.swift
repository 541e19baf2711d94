import Foundation

/// The simplest language model worth beating: an add-one (Laplace) smoothed bigram model,
/// p(b | a) = (count(a, b) + 1) / (count(a) + V). A trained transformer's perplexity should sit well
/// below this baseline's on the same tokens; if not, it has learned little beyond word pairs.
public struct AddOneBigramModel: Sendable {
  public let vocabularySize: Int
  private var pairCounts: [Int: Int] = [:]
  private var contextCounts: [Int: Int] = [:]

  /// Counts the bigrams inside each sequence of `training`.
  public init(training: [[Int]], vocabularySize: Int) {
    self.vocabularySize = vocabularySize
    for sequence in training where sequence.count > 1 {
      for index in 1..<sequence.count {
        pairCounts[sequence[index - 1] * vocabularySize + sequence[index], default: 0] += 1
        contextCounts[sequence[index - 1], default: 0] += 1
      }
    }
  }

  public func probability(of next: Int, after previous: Int) -> Double {
    Double((pairCounts[previous * vocabularySize + next] ?? 0) + 1)
      / Double((contextCounts[previous] ?? 0) + vocabularySize)
  }

  /// exp of the mean negative log-probability of every token after the first of each sequence.
  public func perplexity(_ sequences: [[Int]]) -> Double {
    var total = 0.0
    var count = 0
    for sequence in sequences where sequence.count > 1 {
      for index in 1..<sequence.count {
        total -= Foundation.log(probability(of: sequence[index], after: sequence[index - 1]))
        count += 1
      }
    }
    return count == 0 ? .nan : Foundation.exp(total / Double(count))
  }
}
