/// A logit processor rewrites the scores of the next token before sampling (temperature, top-k,
/// top-p, repetition penalty, grammar constraints). Generation applies a chain of them in order,
/// as Hugging Face's `LogitsProcessorList` and mlx-swift-lm do.
public protocol LogitProcessor {
  /// Adjusts `logits` (one score per vocabulary entry) given the tokens generated so far.
  mutating func process(logits: inout [Float], history: [Int])
}
