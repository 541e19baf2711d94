import Foundation

/// An optimiser turns accumulated gradients into parameter updates. Call `step()` after
/// `backward()`, then `zeroGrad()`; calling `backward()` several times before a step accumulates
/// gradients over micro-batches.
public protocol Optimizer: AnyObject {
  var learningRate: Float { get set }
  var parameters: [Parameter] { get }
  func step()
}

extension Optimizer {
  public func zeroGrad() { parameters.forEach { $0.zeroGrad() } }
}

/// AdamW with PyTorch's semantics: weight decay is applied to the weights directly (decoupled from
/// the gradient), moments are bias-corrected, and eps is added after the square root.
public final class AdamW: Optimizer, @unchecked Sendable {
  public var learningRate: Float
  public let beta1: Float
  public let beta2: Float
  public let eps: Float
  public let weightDecay: Float
  public let parameters: [Parameter]
  /// Steps taken so far (PyTorch's `state['step']`).
  public private(set) var stepCount: Int = 0
  public private(set) var firstMoments: [[Float]]
  public private(set) var secondMoments: [[Float]]

  public init(
    parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
    eps: Float = 1e-8, weightDecay: Float = 0.01
  ) {
    self.parameters = parameters
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.eps = eps
    self.weightDecay = weightDecay
    firstMoments = parameters.map { [Float](repeating: 0, count: $0.value.count) }
    secondMoments = parameters.map { [Float](repeating: 0, count: $0.value.count) }
  }

  /// Restores saved state (checkpoint resume).
  public func restore(stepCount: Int, firstMoments: [[Float]], secondMoments: [[Float]]) {
    precondition(firstMoments.count == parameters.count && secondMoments.count == parameters.count)
    self.stepCount = stepCount
    self.firstMoments = firstMoments
    self.secondMoments = secondMoments
  }

  public func step() {
    stepCount += 1
    let t = Double(stepCount)
    let correction1 = Float(1 - Foundation.pow(Double(beta1), t))
    let correction2Root = Float(Foundation.sqrt(1 - Foundation.pow(Double(beta2), t)))
    let stepSize = learningRate / correction1
    let decay = 1 - learningRate * weightDecay
    let b1 = beta1, b2 = beta2, eps = eps
    for (index, parameter) in parameters.enumerated() {
      guard let gradient = parameter.gradient else { continue }
      let count = gradient.count
      parameter.update { weights in
        weights.withUnsafeMutableBufferPointer { w in
          firstMoments[index].withUnsafeMutableBufferPointer { m in
            secondMoments[index].withUnsafeMutableBufferPointer { v in
              gradient.withUnsafeBufferPointer { g in
                let pw = SendablePointer(w.baseAddress!)
                let pm = SendablePointer(m.baseAddress!)
                let pv = SendablePointer(v.baseAddress!)
                let pg = UncheckedSendable(g.baseAddress!)
                Parallel.forEachChunk(count, minimumPerThread: 65_536) { range in
                  var i = range.lowerBound
                  while i < range.upperBound {
                    let available = range.upperBound - i
                    let gv = Kernels.load(pg.value, i, available)
                    var mv = Kernels.load(pm.pointer, i, available)
                    var vv = Kernels.load(pv.pointer, i, available)
                    var wv = Kernels.load(pw.pointer, i, available) * decay
                    mv = b1 * mv + (1 - b1) * gv
                    vv = b2 * vv + (1 - b2) * gv * gv
                    let denominator = vv.squareRoot() / correction2Root + eps
                    wv = wv - stepSize * mv / denominator
                    Kernels.store(mv, pm.pointer, i, available)
                    Kernels.store(vv, pv.pointer, i, available)
                    Kernels.store(wv, pw.pointer, i, available)
                    i += 16
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}

/// Stochastic gradient descent with optional momentum, dampening, Nesterov and L2 weight decay,
/// as PyTorch's `torch.optim.SGD`.
public final class SGD: Optimizer, @unchecked Sendable {
  public var learningRate: Float
  public let momentum: Float
  public let dampening: Float
  public let weightDecay: Float
  public let nesterov: Bool
  public let parameters: [Parameter]
  private var buffers: [[Float]?]

  public init(
    parameters: [Parameter], learningRate: Float, momentum: Float = 0, dampening: Float = 0,
    weightDecay: Float = 0, nesterov: Bool = false
  ) {
    self.parameters = parameters
    self.learningRate = learningRate
    self.momentum = momentum
    self.dampening = dampening
    self.weightDecay = weightDecay
    self.nesterov = nesterov
    buffers = Array(repeating: nil, count: parameters.count)
  }

  public func step() {
    for (index, parameter) in parameters.enumerated() {
      guard var gradient = parameter.gradient else { continue }
      if weightDecay != 0 {
        let decay = weightDecay
        gradient = Kernels.zip(gradient, parameter.value.data) { $0 + decay * $1 }
      }
      if momentum != 0 {
        let buffer: [Float]
        if let previous = buffers[index] {
          let mu = momentum, keep = 1 - dampening
          buffer = Kernels.zip(previous, gradient) { mu * $0 + keep * $1 }
        } else {
          buffer = gradient
        }
        buffers[index] = buffer
        if nesterov {
          let mu = momentum
          gradient = Kernels.zip(gradient, buffer) { $0 + mu * $1 }
        } else {
          gradient = buffer
        }
      }
      let rate = learningRate
      parameter.update { weights in weights = Kernels.zip(weights, gradient) { $0 - rate * $1 } }
    }
  }
}

/// Global-norm gradient clipping (PyTorch `clip_grad_norm_`): if the L2 norm of all gradients
/// together exceeds `maxNorm`, every gradient is scaled by maxNorm / (norm + 1e-6). Returns the
/// norm before clipping.
@discardableResult
public func clipGradientNorm(_ parameters: [Parameter], maxNorm: Float) -> Float {
  var total: Double = 0
  for parameter in parameters {
    guard let gradient = parameter.gradient else { continue }
    total += gradient.withUnsafeBufferPointer { buffer in
      Double(Kernels.dot(buffer.baseAddress!, buffer.baseAddress!, buffer.count))
    }
  }
  let norm = Float(total.squareRoot())
  let coefficient = maxNorm / (norm + 1e-6)
  if coefficient < 1 {
    for parameter in parameters { parameter.scaleGradient(by: coefficient) }
  }
  return norm
}
