import Foundation
import RadTensor

/// The training loop shared by every objective: micro-batches accumulate gradients, then global
/// clipping, the learning-rate schedule and one AdamW step; periodic validation and atomic
/// checkpoints; a non-finite loss stops the run and keeps the last good checkpoint; an interrupt
/// (Ctrl-C) saves a checkpoint before returning. Resuming restores weights, optimiser moments,
/// random state and data position, so N steps straight equal N/2 + resume + N/2 exactly.
public final class Trainer {
  public let objective: TrainingObjective
  public let configuration: TrainingConfiguration
  public let checkpoints: CheckpointStore
  public let optimizer: AdamW
  /// Set from a signal handler to ask the loop to checkpoint and stop.
  public let interrupt = InterruptFlag()
  private var random: SeededRandom
  public private(set) var state: TrainingState

  public init(objective: TrainingObjective, configuration: TrainingConfiguration, output: URL) {
    self.objective = objective
    self.configuration = configuration
    checkpoints = CheckpointStore(output: output)
    let trainable = objective.parameters.trainable
    optimizer = AdamW(
      parameters: trainable, learningRate: configuration.learningRate, beta1: configuration.beta1,
      beta2: configuration.beta2, eps: configuration.eps, weightDecay: configuration.weightDecay)
    random = SeededRandom(seed: configuration.seed)
    state = TrainingState(
      step: 0, optimizerStep: 0, randomState: random.state, dataPosition: objective.dataPosition,
      configuration: configuration, lossHistory: [], validationHistory: [])
  }

  /// Loads the newest checkpoint of the output folder (`--resume`).
  public func resume() throws {
    let restored = try checkpoints.restore(parameters: objective.parameters, optimizer: optimizer)
    state = restored
    state.configuration = configuration
    random = SeededRandom(state: restored.randomState)
    objective.restoreDataPosition(restored.dataPosition)
  }

  /// Runs up to `configuration.steps` optimiser steps, reporting through `events`.
  @discardableResult
  public func run(events: (TrainingEvent) -> Void = { _ in }) throws -> TrainingState {
    let total = configuration.steps
    let schedule = configuration.learningRateSchedule
    let startStep = state.step
    events(
      .started(
        totalSteps: total, resumedFromStep: startStep > 0 ? startStep : nil,
        trainableParameters: optimizer.parameters.reduce(0) { $0 + $1.value.count }))
    let clock = ContinuousClock()
    let began = clock.now
    var tokensSinceStart = 0
    while state.step < total {
      if interrupt.isSet {
        let directory = try saveCheckpoint()
        events(.checkpoint(step: state.step, directory: directory))
        events(.stopped(step: state.step, reason: "interrupted"))
        return state
      }
      optimizer.zeroGrad()
      var stepLoss: Double = 0
      var stepTokens = 0
      for _ in 0..<Swift.max(1, configuration.gradientAccumulation) {
        let (loss, tokens) = try objective.nextLoss(random: &random)
        let value = loss.item
        guard value.isFinite else {
          events(
            .stopped(
              step: state.step,
              reason: "loss became \(value) at step \(state.step + 1); the last good checkpoint is kept"))
          return state
        }
        (loss / Float(Swift.max(1, configuration.gradientAccumulation))).backward()
        stepLoss += Double(value)
        stepTokens += tokens
      }
      let norm =
        configuration.maxGradientNorm > 0
        ? clipGradientNorm(optimizer.parameters, maxNorm: configuration.maxGradientNorm)
        : clipGradientNorm(optimizer.parameters, maxNorm: .infinity)
      guard norm.isFinite else {
        events(
          .stopped(
            step: state.step,
            reason: "gradient norm became \(norm) at step \(state.step + 1); the last good checkpoint is kept"))
        return state
      }
      let rate = schedule.learningRate(base: configuration.learningRate, at: state.step)
      optimizer.learningRate = rate
      optimizer.step()
      state.step += 1
      state.optimizerStep = optimizer.stepCount
      let meanLoss = Float(stepLoss / Double(Swift.max(1, configuration.gradientAccumulation)))
      state.lossHistory.append(meanLoss)
      tokensSinceStart += stepTokens
      let elapsed = Self.seconds(clock.now - began)
      let done = state.step - startStep
      let rateTokens = elapsed > 0 ? Double(tokensSinceStart) / elapsed : 0
      let eta = done > 0 ? elapsed / Double(done) * Double(total - state.step) : 0
      events(
        .step(
          StepReport(
            step: state.step, totalSteps: total, loss: meanLoss, learningRate: rate, gradientNorm: norm,
            tokens: stepTokens, tokensPerSecond: rateTokens, elapsedSeconds: elapsed, etaSeconds: eta)))
      if configuration.evaluateEvery > 0 && state.step % configuration.evaluateEvery == 0 && state.step < total {
        try evaluate(events)
      }
      if configuration.checkpointEvery > 0 && state.step % configuration.checkpointEvery == 0 && state.step < total {
        events(.checkpoint(step: state.step, directory: try saveCheckpoint()))
      }
    }
    try evaluate(events)
    events(.checkpoint(step: state.step, directory: try saveCheckpoint()))
    events(.finished(step: state.step))
    return state
  }

  private func evaluate(_ events: (TrainingEvent) -> Void) throws {
    guard let loss = try Autograd.inferenceMode({ try objective.validationLoss() }) else { return }
    state.validationHistory.append(.init(step: state.step, loss: loss))
    events(.evaluation(step: state.step, loss: loss, perplexity: Foundation.exp(loss)))
  }

  private func saveCheckpoint() throws -> URL {
    state.randomState = random.state
    state.dataPosition = objective.dataPosition
    return try checkpoints.save(state: state, parameters: objective.parameters, optimizer: optimizer)
  }

  public static func seconds(_ duration: Duration) -> Double {
    let parts = duration.components
    return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
  }
}

/// A thread-safe flag a signal handler sets and the training loop polls.
public final class InterruptFlag: @unchecked Sendable {
  private let lock = NSLock()
  private var value = false
  public init() {}
  public var isSet: Bool { lock.withLock { value } }
  public func set() { lock.withLock { value = true } }
}
