import Foundation
import RadModels
import RadTensor
import RadTokenizers

/// Perplexity exp(mean negative log-likelihood) of one text.
public struct PerplexityResult: Sendable, Equatable {
  public var perplexity: Double
  /// Mean negative log-likelihood per scored token (nats).
  public var meanNLL: Double
  /// Tokens counted in the mean (Hugging Face's `n_tokens`).
  public var scoredTokens: Int
  public var windows: Int
}

/// Errors of perplexity settings and inputs.
public enum PerplexityError: Error, Equatable, Sendable, CustomStringConvertible {
  case invalidWindow(maxLength: Int, stride: Int, reason: String)
  case tooFewTokens(Int)

  public var description: String {
    switch self {
    case .invalidWindow(let m, let s, let r): return "max length \(m), stride \(s): \(r)"
    case .tooFewTokens(let n): return "the text has \(n) token(s); perplexity needs at least 2"
    }
  }
}

/// Perplexity of a causal language model over a long text with Hugging Face's documented strided
/// sliding window ("Perplexity of fixed-length models"): windows of `maxLength` tokens start every
/// `stride` tokens, and in each window only the tokens not scored by an earlier window count
/// (the others are labelled −100). A smaller stride gives each prediction more context.
public struct Perplexity: Sendable {
  public var maxLength: Int
  public var stride: Int

  public init(maxLength: Int, stride: Int) throws {
    guard maxLength >= 2 else {
      throw PerplexityError.invalidWindow(maxLength: maxLength, stride: stride, reason: "max length must be at least 2")
    }
    guard stride >= 1, stride <= maxLength else {
      throw PerplexityError.invalidWindow(
        maxLength: maxLength, stride: stride, reason: "stride must be in 1...max length")
    }
    self.maxLength = maxLength
    self.stride = stride
  }

  public var signature: String { "perplexity|hf-strided|max_length:\(maxLength)|stride:\(stride)" }

  /// Tokenizes `text` as `tokenizer(text)` does (special tokens added) and scores it.
  public func evaluate(model: any LanguageModel, tokenizer: Tokenizer, text: String) throws -> PerplexityResult {
    try evaluate(model: model, tokens: tokenizer.encode(text, addSpecialTokens: true).ids)
  }

  public func evaluate(model: any LanguageModel, tokens: [Int]) throws -> PerplexityResult {
    guard tokens.count >= 2 else { throw PerplexityError.tooFewTokens(tokens.count) }
    if let context = model.maxPositions, maxLength > context {
      throw PerplexityError.invalidWindow(
        maxLength: maxLength, stride: stride, reason: "max length exceeds the model's \(context) positions")
    }
    var nllSum = 0.0
    var counted = 0
    var previousEnd = 0
    var windows = 0
    var begin = 0
    while begin < tokens.count {
      let end = Swift.min(begin + maxLength, tokens.count)
      let targetLength = end - previousEnd
      let window = Array(tokens[begin..<end])
      var labels = window
      for i in 0..<Swift.max(0, window.count - targetLength) { labels[i] = -100 }
      let loss = try Autograd.inferenceMode {
        try model.languageModelingLoss(TokenBatch(window), labels: labels)
      }
      // As the documented loop: the window's mean loss is weighted by its valid labels minus
      // one (the label shift), which for later windows counts one token fewer than the mean has.
      let valid = labels.filter { $0 != -100 }.count - 1
      nllSum += Double(loss.data[0]) * Double(valid)
      counted += valid
      previousEnd = end
      windows += 1
      if end == tokens.count { break }
      begin += stride
    }
    let mean = nllSum / Double(counted)
    return PerplexityResult(perplexity: Foundation.exp(mean), meanNLL: mean, scoredTokens: counted, windows: windows)
  }
}
