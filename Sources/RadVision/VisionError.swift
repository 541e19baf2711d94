/// Errors of the vision models: weights that do not fit the architecture, or input of the wrong
/// size; each names what is wrong.
public enum VisionError: Error, CustomStringConvertible, Equatable, Sendable {
  case badWeights(String)
  case badInput(String)

  public var description: String {
    switch self {
    case .badWeights(let reason): return "weights do not fit the model: \(reason)"
    case .badInput(let reason): return "bad image input: \(reason)"
    }
  }
}
