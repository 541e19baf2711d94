import CKernels
import Foundation

/// Element-wise functions used by transformer layers (exp, log, sqrt, power, tanh, sigmoid, ReLU,
/// GELU in its exact erf form and its tanh approximation, SiLU), each with its derivative.
extension Tensor {
  /// Applies a unary function whose derivative is computed from the input and output.
  func unary(
    _ forward: (Float16Lanes) -> Float16Lanes,
    derivative: @escaping (_ input: Float16Lanes, _ output: Float16Lanes) -> Float16Lanes
  ) -> Tensor {
    let input = data
    let values = Kernels.map(input, forward)
    return Tensor.result(shape: shape, data: values, inputs: [self]) { gradient, _ in
      [Kernels.zip3(gradient, input, values) { g, x, y in g * derivative(x, y) }]
    }
  }

  public func exp() -> Tensor { unary(simdExp) { _, y in y } }

  public func log() -> Tensor {
    let input = data
    let values = input.map { Foundation.log($0) }
    return Tensor.result(shape: shape, data: values, inputs: [self]) { gradient, _ in
      [Kernels.zip(gradient, input) { $0 / $1 }]
    }
  }

  public func sqrt() -> Tensor { unary({ $0.squareRoot() }) { _, y in 0.5 / y } }

  /// Raises every value to a constant power.
  public func pow(_ exponent: Float) -> Tensor {
    let input = data
    let values = input.map { Foundation.pow($0, exponent) }
    return Tensor.result(shape: shape, data: values, inputs: [self]) { gradient, _ in
      [zip(gradient, input).map { g, x in g * exponent * Foundation.pow(x, exponent - 1) }]
    }
  }

  public func tanh() -> Tensor { unary(simdTanh) { _, y in 1 - y * y } }

  public func sigmoid() -> Tensor {
    unary({ 1 / (1 + simdExp(-$0)) }) { _, y in y * (1 - y) }
  }

  public func relu() -> Tensor {
    unary({ $0.replacing(with: 0, where: $0 .< 0) }) { x, _ in
      Float16Lanes(repeating: 0).replacing(with: 1, where: x .> 0)
    }
  }

  /// Applies a C kernel (AVX-512/AVX2+FMA when the CPU has them) to chunks on both cores; the
  /// backward stays in Swift.
  func unaryC(
    _ kernel: @escaping @Sendable (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void,
    derivative: @escaping (_ input: Float16Lanes, _ output: Float16Lanes) -> Float16Lanes
  ) -> Tensor {
    let input = data
    let count = input.count
    let values = [Float](unsafeUninitializedCapacity: count) { output, initialized in
      input.withUnsafeBufferPointer { source in
        if let src = source.baseAddress, let dst = output.baseAddress {
          let out = SendablePointer(dst)
          Parallel.forEachChunk(count) { range in
            kernel(src + range.lowerBound, out.pointer + range.lowerBound, range.count)
          }
        }
      }
      initialized = count
    }
    return Tensor.result(shape: shape, data: values, inputs: [self]) { gradient, _ in
      [Kernels.zip3(gradient, input, values) { g, x, y in g * derivative(x, y) }]
    }
  }

  /// GELU(x) = x Φ(x) with the exact normal CDF (PyTorch `gelu`, BERT). The forward uses the
  /// Abramowitz–Stegun erf (|error| ≤ 1.5e-7) in vector C code, as PyTorch's CPU kernel does.
  public func gelu() -> Tensor {
    unaryC({ radlm_gelu_erf($0, $1, $2) }) { x, _ in
      let cdf = 0.5 * (1 + simdErf(x * 0.70710678118654752))
      let pdf = simdExp(-0.5 * x * x) * 0.39894228040143268
      return cdf + x * pdf
    }
  }

  /// GELU with the tanh approximation (PyTorch `gelu(approximate="tanh")`, GPT-2's `gelu_new`).
  public func geluTanh() -> Tensor {
    let c: Float = 0.7978845608028654
    return unaryC({ radlm_gelu_tanh($0, $1, $2) }) { x, _ in
      let x2: Float16Lanes = x * x
      let inner: Float16Lanes = c * (x + 0.044715 * x2 * x)
      let t: Float16Lanes = simdTanh(inner)
      let slope: Float16Lanes = c * (1 + 0.134145 * x2)
      let left: Float16Lanes = 0.5 * (1 + t)
      let right: Float16Lanes = 0.5 * x * (1 - t * t) * slope
      return left + right
    }
  }

  /// SiLU(x) = x σ(x) (Llama's MLP gate).
  public func silu() -> Tensor {
    unary({ x in x / (1 + simdExp(-x)) }) { x, _ in
      let s = 1 / (1 + simdExp(-x))
      return s * (1 + x * (1 - s))
    }
  }
}
