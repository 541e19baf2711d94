import Foundation

/// Broadcasting arithmetic: `+`, `-`, `*`, `/` between tensors (NumPy broadcasting) and with
/// scalars, each with its backward.
extension Tensor {
  public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
    let (shape, values) = Broadcast.apply(lhs, rhs) { $0 + $1 }
    return result(shape: shape, data: values, inputs: [lhs, rhs]) { gradient, needed in
      [
        needed[0] ? Broadcast.reduce(gradient, from: shape, to: lhs.shape) : nil,
        needed[1] ? Broadcast.reduce(gradient, from: shape, to: rhs.shape) : nil,
      ]
    }
  }

  public static func - (lhs: Tensor, rhs: Tensor) -> Tensor {
    let (shape, values) = Broadcast.apply(lhs, rhs) { $0 - $1 }
    return result(shape: shape, data: values, inputs: [lhs, rhs]) { gradient, needed in
      [
        needed[0] ? Broadcast.reduce(gradient, from: shape, to: lhs.shape) : nil,
        needed[1] ? Broadcast.reduce(Kernels.map(gradient) { -$0 }, from: shape, to: rhs.shape) : nil,
      ]
    }
  }

  public static func * (lhs: Tensor, rhs: Tensor) -> Tensor {
    let (shape, values) = Broadcast.apply(lhs, rhs) { $0 * $1 }
    return result(shape: shape, data: values, inputs: [lhs, rhs]) { gradient, needed in
      let upstream = Tensor(shape: shape, data: gradient)
      return [
        needed[0] ? Broadcast.reduce(Broadcast.apply(upstream, rhs) { $0 * $1 }.1, from: shape, to: lhs.shape) : nil,
        needed[1] ? Broadcast.reduce(Broadcast.apply(upstream, lhs) { $0 * $1 }.1, from: shape, to: rhs.shape) : nil,
      ]
    }
  }

  public static func / (lhs: Tensor, rhs: Tensor) -> Tensor {
    let (shape, values) = Broadcast.apply(lhs, rhs) { $0 / $1 }
    return result(shape: shape, data: values, inputs: [lhs, rhs]) { gradient, needed in
      let upstream = Tensor(shape: shape, data: gradient)
      var gradients: [[Float]?] = [nil, nil]
      if needed[0] {
        gradients[0] = Broadcast.reduce(Broadcast.apply(upstream, rhs) { $0 / $1 }.1, from: shape, to: lhs.shape)
      }
      if needed[1] {
        // d(a/b)/db = -(a/b)/b, so the gradient is -g * out / b.
        let scaled = Kernels.zip(gradient, values) { -$0 * $1 }
        let quotient = Broadcast.apply(Tensor(shape: shape, data: scaled), rhs) { $0 / $1 }.1
        gradients[1] = Broadcast.reduce(quotient, from: shape, to: rhs.shape)
      }
      return gradients
    }
  }

  public static func + (lhs: Tensor, rhs: Float) -> Tensor { lhs + Tensor(scalar: rhs) }
  public static func - (lhs: Tensor, rhs: Float) -> Tensor { lhs - Tensor(scalar: rhs) }
  public static func * (lhs: Tensor, rhs: Float) -> Tensor { lhs * Tensor(scalar: rhs) }
  public static func / (lhs: Tensor, rhs: Float) -> Tensor { lhs / Tensor(scalar: rhs) }
  public static func + (lhs: Float, rhs: Tensor) -> Tensor { Tensor(scalar: lhs) + rhs }
  public static func - (lhs: Float, rhs: Tensor) -> Tensor { Tensor(scalar: lhs) - rhs }
  public static func * (lhs: Float, rhs: Tensor) -> Tensor { Tensor(scalar: lhs) * rhs }
  public static func / (lhs: Float, rhs: Tensor) -> Tensor { Tensor(scalar: lhs) / rhs }

  public static prefix func - (operand: Tensor) -> Tensor {
    let values = Kernels.map(operand.data) { -$0 }
    return result(shape: operand.shape, data: values, inputs: [operand]) { gradient, _ in
      [Kernels.map(gradient) { -$0 }]
    }
  }
}
