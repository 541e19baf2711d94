import RadTokenizers

/// Pretraining reads a corpus as one long stream of token ids (documents joined by an
/// end-of-text token) cut into fixed-length blocks, as Hugging Face's `run_clm` groups texts:
/// every token is predicted from the ones before it inside its block, and no padding is wasted.
public enum TokenBlocks {
  /// Joins `documents` with `separator` (when given) and cuts the stream into blocks of
  /// `blockSize` tokens (at least 2: a block predicts each token from the ones before it); the
  /// incomplete tail is dropped.
  public static func pack(_ documents: [[Int]], blockSize: Int, separator: Int?) throws(TrainingDataError) -> [[Int]] {
    guard blockSize >= 2 else { throw .invalidSetting(name: "block size", value: "\(blockSize)", rule: "at least 2") }
    var stream: [Int] = []
    stream.reserveCapacity(documents.reduce(0) { $0 + $1.count + 1 })
    for document in documents {
      stream.append(contentsOf: document)
      if let separator { stream.append(separator) }
    }
    let count = stream.count / blockSize
    return (0..<count).map { Array(stream[($0 * blockSize)..<(($0 + 1) * blockSize)]) }
  }
}

/// A supervised example: token ids and the labels to learn (−100 where the loss is masked,
/// e.g. over the prompt, so the model learns to write the completion and not to echo the prompt).
public struct LabeledSequence: Sendable, Equatable {
  public var ids: [Int]
  public var labels: [Int]

  public init(ids: [Int], labels: [Int]) {
    precondition(ids.count == labels.count, "ids and labels must have equal length")
    self.ids = ids
    self.labels = labels
  }

  /// Prompt tokens masked, completion tokens learned.
  public init(prompt: [Int], completion: [Int]) {
    ids = prompt + completion
    labels = [Int](repeating: -100, count: prompt.count) + completion
  }

  /// A chat rendered with `template`, the loss kept on the assistant turns only (their content
  /// and end marker) and masked everywhere else: supervised fine-tuning learns the replies.
  public init(chat messages: [ChatTemplate.Message], tokenizer: Tokenizer, template: ChatTemplate) {
    self.init(chat: messages, tokenizer: tokenizer, format: ChatFormat(template: template))
  }

  /// A chat rendered in `format` (a template family with the model's default system prompt), the
  /// loss kept on the assistant turns only.
  public init(chat messages: [ChatTemplate.Message], tokenizer: Tokenizer, format: ChatFormat) {
    var ids: [Int] = []
    var labels: [Int] = []
    for segment in format.segments(messages) {
      let piece = tokenizer.encodeIds(segment.text)
      ids += piece
      labels += segment.trainable ? piece : [Int](repeating: -100, count: piece.count)
    }
    self.init(ids: ids, labels: labels)
  }

  /// Keeps the first `length` tokens.
  public func truncated(to length: Int) -> LabeledSequence {
    LabeledSequence(ids: Array(ids.prefix(length)), labels: Array(labels.prefix(length)))
  }
}
