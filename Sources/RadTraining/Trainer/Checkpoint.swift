import Foundation
import RadModelFiles
import RadTensor

/// A training checkpoint holds everything needed to continue a run bit-exactly: the weights, the
/// optimiser's moments and step count, the random generator's state, the data position, the
/// configuration and the loss history. Each checkpoint is a complete folder written under a
/// temporary name and renamed into place; a `latest` file (itself replaced atomically) names the
/// newest one, so a run killed mid-write resumes from the previous checkpoint.
public struct TrainingState: Codable, Equatable, Sendable {
  public var step: Int
  public var optimizerStep: Int
  public var randomState: [UInt64]
  public var dataPosition: DataOrder.Position
  public var configuration: TrainingConfiguration
  public var lossHistory: [Float]
  public var validationHistory: [ValidationPoint]

  public struct ValidationPoint: Codable, Equatable, Sendable {
    public var step: Int
    public var loss: Float
  }

  enum CodingKeys: String, CodingKey {
    case step, configuration
    case optimizerStep = "optimizer_step", randomState = "random_state", dataPosition = "data_position"
    case lossHistory = "loss_history", validationHistory = "validation_history"
  }
}

public enum CheckpointError: Error, CustomStringConvertible {
  case noCheckpoint(String)
  case unreadable(file: String, reason: String)
  case mismatch(file: String, reason: String)

  public var description: String {
    switch self {
    case .noCheckpoint(let folder): return "\(folder): no checkpoint to resume from (missing checkpoints/latest)"
    case .unreadable(let file, let reason): return "\(file): \(reason)"
    case .mismatch(let file, let reason): return "\(file): checkpoint does not fit this model: \(reason)"
    }
  }
}

/// Reads and writes checkpoints under `<output>/checkpoints/`.
public struct CheckpointStore: Sendable {
  public let output: URL
  public var folder: URL { output.appendingPathComponent("checkpoints") }
  /// How many complete checkpoints to keep.
  public var keep: Int = 2

  public init(output: URL) { self.output = output }

  /// Writes a checkpoint for `state` and returns its folder.
  @discardableResult
  public func save(state: TrainingState, parameters: ParameterStore, optimizer: AdamW) throws -> URL {
    let fileManager = FileManager.default
    try fileManager.createDirectory(at: folder, withIntermediateDirectories: true)
    let name = String(format: "step-%08d", state.step)
    let final = folder.appendingPathComponent(name)
    let temporary = folder.appendingPathComponent(".\(name).tmp-\(ProcessInfo.processInfo.processIdentifier)")
    try? fileManager.removeItem(at: temporary)
    try fileManager.createDirectory(at: temporary, withIntermediateDirectories: true)

    // Frozen parameters (a LoRA base) never change, so only trainable ones are stored.
    var weights: [String: Tensor] = [:]
    for parameter in parameters.trainable { weights[parameter.name] = parameter.value.detached() }
    try SafetensorsWriter.write(
      weights, metadata: ["format": "pt"], to: temporary.appendingPathComponent("model.safetensors"))
    var moments: [String: Tensor] = [:]
    for (index, parameter) in optimizer.parameters.enumerated() {
      moments["exp_avg.\(parameter.name)"] = Tensor(shape: parameter.value.shape, data: optimizer.firstMoments[index])
      moments["exp_avg_sq.\(parameter.name)"] = Tensor(
        shape: parameter.value.shape, data: optimizer.secondMoments[index])
    }
    try SafetensorsWriter.write(moments, to: temporary.appendingPathComponent("optimizer.safetensors"))
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try AtomicFile.write(Array(try encoder.encode(state)), to: temporary.appendingPathComponent("trainer_state.json"))

    try? fileManager.removeItem(at: final)
    try fileManager.moveItem(at: temporary, to: final)
    try AtomicFile.write(Array((name + "\n").utf8), to: folder.appendingPathComponent("latest"))
    try prune(except: name)
    return final
  }

  /// Removes older checkpoints beyond `keep` and abandoned temporary folders.
  func prune(except newest: String) throws {
    let fileManager = FileManager.default
    let entries = try fileManager.contentsOfDirectory(atPath: folder.path)
    for entry in entries
    where entry.hasPrefix(".step-") && !entry.contains("\(ProcessInfo.processInfo.processIdentifier)") {
      try? fileManager.removeItem(at: folder.appendingPathComponent(entry))
    }
    let complete = entries.filter { $0.hasPrefix("step-") }.sorted()
    for entry in complete.dropLast(keep) where entry != newest {
      try? fileManager.removeItem(at: folder.appendingPathComponent(entry))
    }
  }

  /// The newest complete checkpoint folder.
  public func latest() throws -> URL {
    let pointer = folder.appendingPathComponent("latest")
    guard let name = try? String(contentsOf: pointer, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
      !name.isEmpty
    else { throw CheckpointError.noCheckpoint(output.path) }
    return folder.appendingPathComponent(name)
  }

  /// Loads the newest checkpoint into `parameters` and `optimizer`; returns its state.
  public func restore(parameters: ParameterStore, optimizer: AdamW) throws -> TrainingState {
    let directory = try latest()
    let stateURL = directory.appendingPathComponent("trainer_state.json")
    let state: TrainingState
    do {
      state = try JSONDecoder().decode(TrainingState.self, from: Data(contentsOf: stateURL))
    } catch {
      throw CheckpointError.unreadable(file: stateURL.path, reason: "\(error)")
    }
    let weightsURL = directory.appendingPathComponent("model.safetensors")
    let weights = try SafetensorsFile(url: weightsURL)
    for parameter in parameters.trainable {
      guard weights.tensorNames.contains(parameter.name) else {
        throw CheckpointError.mismatch(
          file: weightsURL.path, reason: "no tensor for trainable parameter \(parameter.name)")
      }
      let tensor = try weights.tensor(parameter.name)
      guard tensor.shape == parameter.value.shape else {
        throw CheckpointError.mismatch(
          file: weightsURL.path,
          reason: "\(parameter.name) has shape \(tensor.shape), model expects \(parameter.value.shape)")
      }
      parameter.update { $0 = tensor.data }
    }
    let momentsURL = directory.appendingPathComponent("optimizer.safetensors")
    let momentsFile = try SafetensorsFile(url: momentsURL)
    var first: [[Float]] = []
    var second: [[Float]] = []
    for parameter in optimizer.parameters {
      first.append(try momentsFile.tensor("exp_avg.\(parameter.name)").data)
      second.append(try momentsFile.tensor("exp_avg_sq.\(parameter.name)").data)
    }
    optimizer.restore(stepCount: state.optimizerStep, firstMoments: first, secondMoments: second)
    return state
  }
}
