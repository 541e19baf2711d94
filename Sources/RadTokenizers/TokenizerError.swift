import Foundation

/// Everything that can go wrong while loading, training or running a tokenizer, with the file,
/// field or line that caused it. Tokenizers never crash on user input; they throw one of these.
public enum TokenizerError: Error, Equatable, CustomStringConvertible, Sendable {
  /// A file could not be read or written.
  case io(path: String, message: String)
  /// A file or string is not valid JSON, or a JSON field has the wrong shape.
  case malformedJSON(source: String, field: String, message: String)
  /// A component `type` (normalizer, pre-tokenizer, model, ...) that RadTokenizers does not implement.
  case unknownComponent(kind: String, type: String)
  /// A line of a text file (merges.txt, vocab.txt) that cannot be parsed.
  case malformedLine(source: String, line: Int, message: String)
  /// Vocabulary ids are not the contiguous range 0..<n.
  case vocabularyGap(source: String, missingId: Int)
  /// A token referenced by a merge, template or setting is absent from the vocabulary.
  case unknownToken(source: String, token: String)
  /// Input bytes are not valid UTF-8.
  case invalidUTF8(source: String, byteOffset: Int)
  /// An id outside the vocabulary was given to decode.
  case idOutOfRange(id: Int, vocabularySize: Int)
  /// A GGUF file lacks a required tokenizer field or holds an unsupported value in it.
  case gguf(path: String, field: String, message: String)
  /// Invalid arguments (training settings, truncation settings, ...).
  case invalidArgument(String)

  public var description: String {
    switch self {
    case .io(let path, let message): return "\(path): \(message)"
    case .malformedJSON(let source, let field, let message):
      return "\(source): malformed JSON at \(field.isEmpty ? "top level" : field): \(message)"
    case .unknownComponent(let kind, let type): return "unsupported \(kind) type '\(type)'"
    case .malformedLine(let source, let line, let message): return "\(source):\(line): \(message)"
    case .vocabularyGap(let source, let id):
      return "\(source): vocabulary has no token with id \(id) (ids must be 0..<n without gaps)"
    case .unknownToken(let source, let token): return "\(source): token '\(token)' is not in the vocabulary"
    case .invalidUTF8(let source, let offset): return "\(source): invalid UTF-8 at byte \(offset)"
    case .idOutOfRange(let id, let n): return "token id \(id) is outside the vocabulary (size \(n))"
    case .gguf(let path, let field, let message): return "\(path): GGUF field \(field): \(message)"
    case .invalidArgument(let m): return m
    }
  }
}
