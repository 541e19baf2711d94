import Foundation

/// The config.json of an early-fusion (LLaVA-style) model folder: which language model and
/// image encoder it joins, the projector, the chat template and the placeholder the image
/// tokens replace. The folder also holds `projector.safetensors` and, after instruction
/// tuning, `adapter/` (a PEFT LoRA adapter of the language model); docs/multimodal.md.
public struct VisionLanguageConfiguration: Codable, Sendable, Equatable {
  public var modelType = "radlm_early_fusion"
  /// A model folder or .gguf path (absolute, or relative to the model folder) or a fetched name.
  public var languageModel: String
  /// Chat template family ("chatml", "llama3", "plain"); nil: the language model's own.
  public var chatTemplate: String?
  public var visionEncoder: VisualEncoderConfiguration
  /// "mlp2x_gelu" or "linear".
  public var projector: String
  /// The text in the user's message the image tokens replace.
  public var placeholder = "<image>"
  /// Stages trained so far ("captions", "instructions").
  public var stages: [String] = []

  enum CodingKeys: String, CodingKey {
    case modelType = "model_type"
    case languageModel = "language_model"
    case chatTemplate = "chat_template"
    case visionEncoder = "vision_encoder"
    case projector, placeholder, stages
  }

  public init(
    languageModel: String, chatTemplate: String? = nil, visionEncoder: VisualEncoderConfiguration,
    projector: String = "mlp2x_gelu"
  ) {
    self.languageModel = languageModel
    self.chatTemplate = chatTemplate
    self.visionEncoder = visionEncoder
    self.projector = projector
  }
}

/// Errors of building, loading and running early-fusion models.
public enum VisionLanguageError: Error, Equatable, Sendable, CustomStringConvertible {
  case invalidConfiguration(String)
  case invalidInput(String)
  case io(path: String, reason: String)

  public var description: String {
    switch self {
    case .invalidConfiguration(let reason): return "invalid vision-language configuration: \(reason)"
    case .invalidInput(let reason): return "invalid input: \(reason)"
    case .io(let path, let reason): return "\(path): \(reason)"
    }
  }
}
