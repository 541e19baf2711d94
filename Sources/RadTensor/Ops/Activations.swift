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

  /// ReLU6(x) = min(max(x, 0), 6) (MobileNet, EfficientNet-Lite); gradient 1 strictly inside (0, 6).
  public func relu6() -> Tensor {
    unary({ $0.clamped(lowerBound: Float16Lanes(repeating: 0), upperBound: Float16Lanes(repeating: 6)) }) { x, _ in
      Float16Lanes(repeating: 0).replacing(with: 1, where: (x .> 0) .& (x .< 6))
    }
  }

  /// Hardswish(x) = x · ReLU6(x + 3) / 6 (MobileNetV3); gradient (2x + 3)/6 on [−3, 3] as PyTorch.
  public func hardswish() -> Tensor {
    unary({ x in
      x * (x + 3).clamped(lowerBound: Float16Lanes(repeating: 0), upperBound: Float16Lanes(repeating: 6)) / 6
    }) { x, _ in
      let middle = x / 3 + 0.5
      return middle.replacing(with: 0, where: x .< -3).replacing(with: 1, where: x .> 3)
    }
  }

  /// Applies a C kernel (AVX-512/AVX2+FMA when the CPU has them) to chunks on both cores, with a
  /// C backward kernel (x, upstream gradient, dx, count) run the same way.
  func unaryC(
    _ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void,
    backward: @escaping (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
  ) -> Tensor {
    let input = data
    let values = Self.chunked(input.count) { range, output in
      input.withUnsafeBufferPointer { kernel($0.baseAddress! + range.lowerBound, output, range.count) }
    }
    return Tensor.result(shape: shape, data: values, inputs: [self]) { gradient, _ in
      [
        Self.chunked(input.count) { range, output in
          input.withUnsafeBufferPointer { x in
            gradient.withUnsafeBufferPointer { g in
              backward(x.baseAddress! + range.lowerBound, g.baseAddress! + range.lowerBound, output, range.count)
            }
          }
        }
      ]
    }
  }

  /// A new array of `count` floats filled by `fill(range, destination of range.lowerBound)` over
  /// chunks on both cores.
  static func chunked(_ count: Int, _ fill: (Range<Int>, UnsafeMutablePointer<Float>) -> Void) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { output, initialized in
      if let dst = output.baseAddress {
        let out = SendablePointer(dst)
        Parallel.forEachChunk(count) { range in fill(range, out.pointer + range.lowerBound) }
      }
      initialized = count
    }
  }

  /// GELU(x) = x Φ(x) with the exact normal CDF (PyTorch `gelu`, BERT). Φ comes from a piecewise
  /// polynomial table in vector C code (CKernels/GELUTable.h, |error| <= 3.6e-8, no exp or division).
  public func gelu() -> Tensor {
    unaryC({ radlm_gelu_erf($0, $1, $2) }, backward: { radlm_gelu_erf_backward($0, $1, $2, $3) })
  }

  /// GELU with the tanh approximation (PyTorch `gelu(approximate="tanh")`, GPT-2's `gelu_new`).
  public func geluTanh() -> Tensor {
    unaryC({ radlm_gelu_tanh($0, $1, $2) }, backward: { radlm_gelu_tanh_backward($0, $1, $2, $3) })
  }

  /// SiLU(x) = x σ(x) (Llama's MLP gate).
  public func silu() -> Tensor {
    unary({ x in x / (1 + simdExp(-x)) }) { x, _ in
      let s = 1 / (1 + simdExp(-x))
      return s * (1 + x * (1 - s))
    }
  }
}
