/// Everything that can go wrong when a model is built or loaded from files: each case names the
/// file, field or tensors involved so that a user can fix the input without reading our code.
public enum ModelError: Error, CustomStringConvertible, Equatable, Sendable {
  /// `config.json` (or GGUF metadata) lacks a field or has the wrong type.
  case invalidConfig(file: String, field: String, reason: String)
  /// No architecture is registered for this `model_type`.
  case unknownModelType(String, known: [String])
  /// The checkpoint lacks tensors the model needs.
  case missingTensors(file: String, names: [String])
  /// The checkpoint has tensors the model does not use.
  case unexpectedTensors(file: String, names: [String])
  /// A tensor's shape differs from the configuration's.
  case shapeMismatch(file: String, name: String, expected: [Int], found: [Int])
  /// No weights file in a model folder.
  case noWeights(directory: String)
  /// The input is longer than the model's context.
  case sequenceTooLong(length: Int, maximum: Int)
  /// A token id outside the vocabulary.
  case tokenOutOfRange(id: Int, vocabularySize: Int)
  /// Anything else about the input (empty prompt, inconsistent batch).
  case invalidInput(String)

  public var description: String {
    switch self {
    case .invalidConfig(let file, let field, let reason):
      return "\(file): field \"\(field)\" \(reason)"
    case .unknownModelType(let type, let known):
      return "unknown model_type \"\(type)\" (known: \(known.joined(separator: ", ")))"
    case .missingTensors(let file, let names):
      return
        "\(file): missing \(names.count) tensor(s): \(names.prefix(20).joined(separator: ", "))\(names.count > 20 ? ", …" : "")"
    case .unexpectedTensors(let file, let names):
      return
        "\(file): \(names.count) unexpected tensor(s): \(names.prefix(20).joined(separator: ", "))\(names.count > 20 ? ", …" : "")"
    case .shapeMismatch(let file, let name, let expected, let found):
      return "\(file): tensor \(name) has shape \(found), the configuration needs \(expected)"
    case .noWeights(let directory):
      return "\(directory): no model.safetensors, model.safetensors.index.json or .gguf file"
    case .sequenceTooLong(let length, let maximum):
      return "input of \(length) tokens exceeds the model's context of \(maximum) tokens"
    case .tokenOutOfRange(let id, let size):
      return "token id \(id) is outside the vocabulary of \(size)"
    case .invalidInput(let message):
      return message
    }
  }
}
