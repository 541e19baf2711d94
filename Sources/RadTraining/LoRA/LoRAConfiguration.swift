import Foundation

/// Low-rank adaptation (LoRA) fine-tunes a large model by freezing its weights and learning, for
/// chosen linear layers, a small update ΔW = (α/r)·B·A with A ∈ ℝ^{r×in} and B ∈ ℝ^{out×r}. Only A
/// and B train (often <1% of the parameters), and the result is saved in PEFT's on-disk format.
public struct LoRAConfiguration: Codable, Equatable, Sendable {
  public var rank: Int = 8
  public var alpha: Float = 16
  public var dropout: Float = 0
  /// PEFT semantics: a layer matches when its dotted name equals an entry or ends with "." + entry.
  public var targetModules: [String] = ["q_proj", "v_proj"]
  /// rsLoRA scales by α/√r instead of α/r.
  public var useRSLoRA: Bool = false
  public var baseModel: String = ""
  public var taskType: String = "CAUSAL_LM"

  public init(rank: Int = 8, alpha: Float = 16, dropout: Float = 0, targetModules: [String] = ["q_proj", "v_proj"]) {
    self.rank = rank
    self.alpha = alpha
    self.dropout = dropout
    self.targetModules = targetModules
  }

  public var scaling: Float { useRSLoRA ? alpha / Float(rank).squareRoot() : alpha / Float(rank) }

  /// Whether the linear layer named `name` is adapted.
  public func targets(_ name: String) -> Bool {
    targetModules.contains { name == $0 || name.hasSuffix("." + $0) }
  }

  /// The `adapter_config.json` PEFT writes and reads.
  public func peftJSON(fanInFanOut: Bool) -> [String: Any] {
    [
      "peft_type": "LORA", "r": rank, "lora_alpha": Double(alpha), "lora_dropout": Double(dropout),
      "target_modules": targetModules, "bias": "none", "task_type": taskType,
      "base_model_name_or_path": baseModel, "fan_in_fan_out": fanInFanOut, "use_rslora": useRSLoRA,
      "inference_mode": true, "init_lora_weights": true, "modules_to_save": NSNull(),
      "layers_to_transform": NSNull(), "layers_pattern": NSNull(), "rank_pattern": [String: Any](),
      "alpha_pattern": [String: Any](), "use_dora": false,
    ]
  }

  /// Reads PEFT's `adapter_config.json`.
  public init(peftJSON object: [String: Any], file: String) throws {
    guard (object["peft_type"] as? String)?.uppercased() == "LORA" else {
      throw LoRAError.unsupported(file: file, reason: "peft_type is \(object["peft_type"] ?? "missing"), expected LORA")
    }
    guard let rank = object["r"] as? Int, rank > 0 else {
      throw LoRAError.unsupported(file: file, reason: "missing or invalid r")
    }
    self.rank = rank
    alpha = Float((object["lora_alpha"] as? Double) ?? Double(rank))
    dropout = Float((object["lora_dropout"] as? Double) ?? 0)
    if let list = object["target_modules"] as? [String] {
      targetModules = list
    } else if let single = object["target_modules"] as? String {
      targetModules = [single]
    } else {
      throw LoRAError.unsupported(file: file, reason: "target_modules missing")
    }
    useRSLoRA = (object["use_rslora"] as? Bool) ?? false
    baseModel = (object["base_model_name_or_path"] as? String) ?? ""
    taskType = (object["task_type"] as? String) ?? "CAUSAL_LM"
    if (object["use_dora"] as? Bool) == true { throw LoRAError.unsupported(file: file, reason: "DoRA adapters") }
    if let patterns = object["rank_pattern"] as? [String: Any], !patterns.isEmpty {
      throw LoRAError.unsupported(file: file, reason: "rank_pattern")
    }
  }
}

public enum LoRAError: Error, CustomStringConvertible, Equatable {
  case unsupported(file: String, reason: String)
  case noTargets(patterns: [String], available: [String])
  case missingWeights(file: String, names: [String])
  case unexpectedWeights(file: String, names: [String])
  case shapeMismatch(file: String, name: String, expected: [Int], found: [Int])

  public var description: String {
    switch self {
    case .unsupported(let file, let reason): return "\(file): unsupported adapter: \(reason)"
    case .noTargets(let patterns, let available):
      return
        "no linear layer matches target modules \(patterns); layers are e.g. \(available.prefix(8).joined(separator: ", "))"
    case .missingWeights(let file, let names):
      return "\(file): missing adapter tensors: \(names.joined(separator: ", "))"
    case .unexpectedWeights(let file, let names):
      return "\(file): tensors that match no adapted layer: \(names.joined(separator: ", "))"
    case .shapeMismatch(let file, let name, let expected, let found):
      return "\(file): \(name) has shape \(found), expected \(expected)"
    }
  }
}
