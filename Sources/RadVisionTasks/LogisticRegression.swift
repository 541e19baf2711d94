import Foundation

/// Binary logistic regression with an L2 penalty, scikit-learn's formulation: minimise
/// ½‖w‖² + C Σᵢ log(1 + exp(−ỹᵢ (w·xᵢ + b))) with the intercept b unpenalised. The problem is
/// strictly convex, so the Newton–conjugate-gradient solver here reaches the same optimum as
/// scikit-learn's `LogisticRegression`; the linear probe trains it on image features.
public struct LogisticRegression: Sendable, Equatable {
  public var weights: [Double]
  public var intercept: Double

  public init(weights: [Double], intercept: Double) {
    self.weights = weights
    self.intercept = intercept
  }

  /// P(label 1 | x) for each row of `features`.
  public func probabilities(_ features: [[Double]]) -> [Double] {
    features.map { row in
      var z = intercept
      for j in 0..<weights.count { z += weights[j] * row[j] }
      return Self.sigmoid(z)
    }
  }

  static func sigmoid(_ z: Double) -> Double {
    z >= 0 ? 1 / (1 + Foundation.exp(-z)) : Foundation.exp(z) / (1 + Foundation.exp(z))
  }

  /// log(1 + exp(−m)) without overflow.
  static func logLoss(margin m: Double) -> Double {
    m > 0 ? Foundation.log1p(Foundation.exp(-m)) : -m + Foundation.log1p(Foundation.exp(m))
  }

  /// Fits `features` (rows of equal width) to `labels` (0/1) with inverse penalty `c`, by Newton
  /// steps whose systems are solved with conjugate gradients, until the gradient's largest entry
  /// is below `tolerance`.
  public static func fit(
    features: [[Double]], labels: [Int], c: Double, tolerance: Double = 1e-9, maxNewtonSteps: Int = 100
  ) throws -> LogisticRegression {
    guard !features.isEmpty, features.count == labels.count else {
      throw LinearProbeError.invalidInput("\(features.count) feature rows for \(labels.count) labels")
    }
    guard c > 0, c.isFinite else { throw LinearProbeError.invalidInput("C must be positive, got \(c)") }
    let d = features[0].count
    guard features.allSatisfy({ $0.count == d }) else {
      throw LinearProbeError.invalidInput("feature rows differ in width")
    }
    let n = features.count
    let signs = labels.map { $0 != 0 ? 1.0 : -1.0 }
    // θ = (w₀ … w_{d−1}, b).
    var theta = [Double](repeating: 0, count: d + 1)

    func margins(_ t: [Double]) -> [Double] {
      (0..<n).map { i in
        var z = t[d]
        let row = features[i]
        for j in 0..<d { z += t[j] * row[j] }
        return signs[i] * z
      }
    }
    func objective(_ t: [Double], _ m: [Double]) -> Double {
      var penalty = 0.0
      for j in 0..<d { penalty += t[j] * t[j] }
      return 0.5 * penalty + c * m.reduce(0) { $0 + logLoss(margin: $1) }
    }
    /// Xᵀ v over the augmented columns (the last column is the constant 1).
    func transposedProduct(_ v: [Double]) -> [Double] {
      var out = [Double](repeating: 0, count: d + 1)
      for i in 0..<n where v[i] != 0 {
        let row = features[i]
        let vi = v[i]
        for j in 0..<d { out[j] += row[j] * vi }
        out[d] += vi
      }
      return out
    }

    for _ in 0..<maxNewtonSteps {
      let m = margins(theta)
      // dL/dz_i = −ỹ σ(−m_i); curvature σ(m)(1 − σ(m)).
      var residual = [Double](repeating: 0, count: n)
      var curvature = [Double](repeating: 0, count: n)
      for i in 0..<n {
        let s = sigmoid(m[i])
        residual[i] = -signs[i] * (1 - s) * c
        curvature[i] = s * (1 - s) * c
      }
      var gradient = transposedProduct(residual)
      for j in 0..<d { gradient[j] += theta[j] }
      let largest = gradient.map { abs($0) }.max() ?? 0
      if largest < tolerance { break }
      func hessianTimes(_ v: [Double]) -> [Double] {
        let xv = (0..<n).map { i -> Double in
          var z = v[d]
          let row = features[i]
          for j in 0..<d { z += row[j] * v[j] }
          return z * curvature[i]
        }
        var out = transposedProduct(xv)
        for j in 0..<d { out[j] += v[j] }
        return out
      }
      // Inexact Newton: solve to a relative residual of min(0.5, √‖g‖), tighter near the optimum.
      let gradientNorm = gradient.reduce(0) { $0 + $1 * $1 }.squareRoot()
      let step = conjugateGradient(
        hessianTimes, rightSide: gradient.map { -$0 }, relativeTolerance: Swift.min(0.5, gradientNorm.squareRoot()),
        iterations: 4 * (d + 1))
      // Backtracking (Armijo) line search on the objective.
      let current = objective(theta, m)
      let slope = zip(gradient, step).reduce(0) { $0 + $1.0 * $1.1 }
      var scale = 1.0
      var accepted = false
      for _ in 0..<40 {
        let candidate = zip(theta, step).map { $0 + scale * $1 }
        if objective(candidate, margins(candidate)) <= current + 1e-4 * scale * slope {
          theta = candidate
          accepted = true
          break
        }
        scale *= 0.5
      }
      if !accepted { break }
    }
    return LogisticRegression(weights: Array(theta[0..<d]), intercept: theta[d])
  }

  /// Solves A x = b for a symmetric positive definite A given as a product.
  static func conjugateGradient(
    _ product: ([Double]) -> [Double], rightSide b: [Double], relativeTolerance: Double, iterations: Int
  ) -> [Double] {
    var x = [Double](repeating: 0, count: b.count)
    var r = b
    var p = r
    var rr = r.reduce(0) { $0 + $1 * $1 }
    let stop = relativeTolerance * relativeTolerance * rr
    for _ in 0..<iterations where rr > stop {
      let ap = product(p)
      let pap = zip(p, ap).reduce(0) { $0 + $1.0 * $1.1 }
      guard pap > 0 else { break }
      let alpha = rr / pap
      for k in 0..<x.count {
        x[k] += alpha * p[k]
        r[k] -= alpha * ap[k]
      }
      let next = r.reduce(0) { $0 + $1 * $1 }
      let beta = next / rr
      rr = next
      for k in 0..<p.count { p[k] = r[k] + beta * p[k] }
    }
    return x
  }
}

/// Errors of the linear probe and the image tasks: bad shapes or settings, named.
public enum LinearProbeError: Error, Equatable, CustomStringConvertible {
  case invalidInput(String)

  public var description: String {
    switch self {
    case .invalidInput(let reason): return reason
    }
  }
}
