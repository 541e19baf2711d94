import Foundation
import RadModelFiles
import RadModels
import RadTensor
import RadTokenizers

/// Word surprisal from a causal language model: the text (after a short context prefix) runs
/// through the model once, each token's surprisal is −log p(token | preceding text), and a word
/// takes the largest surprisal of the tokens it overlaps. The collection's `XXXX` redactions
/// are skipped: they are meant to be there.
public final class LanguageModelSurprisal: WordSurprisalScorer, @unchecked Sendable {  // model used from one thread
  public let model: any LanguageModel
  public let tokenizer: Tokenizer
  public let prefix: String

  public init(model: any LanguageModel, tokenizer: Tokenizer, prefix: String = "Chest radiograph report. ") {
    self.model = model
    self.tokenizer = tokenizer
    self.prefix = prefix
  }

  public func wordSurprisals(_ text: String) throws -> [(start: Int, end: Int, nats: Double)] {
    let shift = prefix.unicodeScalars.count
    let encoding = tokenizer.encode(prefix + text, addSpecialTokens: false)
    let ids = encoding.ids
    guard ids.count >= 2 else { return [] }
    let logits = try Autograd.inferenceMode { try model.logits(TokenBatch(ids), cache: nil, probe: nil) }
    let vocabulary = logits.shape[logits.shape.count - 1]
    let data = logits.data
    var surprisal = [Double](repeating: 0, count: ids.count)
    for t in 1..<ids.count {
      let row = data[((t - 1) * vocabulary)..<(t * vocabulary)]
      let maximum = Double(row.max() ?? 0)
      var total = 0.0
      for x in row { total += Foundation.exp(Double(x) - maximum) }
      surprisal[t] = maximum + Foundation.log(total) - Double(row[row.startIndex + ids[t]])
    }
    var out: [(start: Int, end: Int, nats: Double)] = []
    for word in ClinicalText(text).words where word.lower != "xxxx" {
      let lo = word.start + shift
      let hi = word.end + shift
      var worst = 0.0
      for t in 1..<ids.count where encoding.offsets[t].start < hi && encoding.offsets[t].end > lo {
        worst = max(worst, surprisal[t])
      }
      out.append((word.start, word.end, worst))
    }
    return out
  }
}
