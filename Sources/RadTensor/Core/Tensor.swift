/// A tensor is an n-dimensional array of 32-bit floats: the one data type every layer of a
/// language model computes with. Its values sit contiguously in row-major order in copy-on-write
/// storage, so copies are cheap until one side writes; when it takes part in training it also
/// carries a node of the autograd graph, which records how to send gradients back to its inputs.
public struct Tensor: @unchecked Sendable {
  /// Sizes of each dimension, outermost first; `[]` is a scalar.
  public private(set) var shape: [Int]
  /// The values in row-major order (`shape.reduce(1, *)` of them).
  public var data: [Float]
  /// The autograd node, present when this tensor requires a gradient.
  public internal(set) var node: GradNode?

  /// Wraps values in a tensor; `data.count` must equal the product of `shape`.
  public init(shape: [Int], data: [Float]) {
    precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
    precondition(
      shape.reduce(1, *) == data.count,
      "shape \(shape) needs \(shape.reduce(1, *)) values, got \(data.count)")
    self.shape = shape
    self.data = data
    self.node = nil
  }

  init(shape: [Int], data: [Float], node: GradNode?) {
    self.shape = shape
    self.data = data
    self.node = node
  }

  /// A tensor of the given shape filled with `value`.
  public init(repeating value: Float, shape: [Int]) {
    self.init(shape: shape, data: [Float](repeating: value, count: shape.reduce(1, *)))
  }

  /// A zero-filled tensor.
  public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }
  /// A one-filled tensor.
  public static func ones(_ shape: [Int]) -> Tensor { Tensor(repeating: 1, shape: shape) }
  /// A rank-0 tensor holding one value.
  public init(scalar: Float) { self.init(shape: [], data: [scalar]) }

  /// Number of dimensions.
  public var rank: Int { shape.count }
  /// Number of values.
  public var count: Int { data.count }
  /// The single value of a one-element tensor.
  public var item: Float {
    precondition(data.count == 1, "item needs a one-element tensor, shape is \(shape)")
    return data[0]
  }

  /// Row-major strides (in elements) for `shape`.
  public static func strides(for shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var running = 1
    for axis in stride(from: shape.count - 1, through: 0, by: -1) {
      strides[axis] = running
      running *= shape[axis]
    }
    return strides
  }

  /// Resolves a possibly negative axis (`-1` is the last) against this tensor's rank.
  public func normalizedAxis(_ axis: Int) -> Int {
    let resolved = axis < 0 ? axis + rank : axis
    precondition(resolved >= 0 && resolved < Swift.max(rank, 1), "axis \(axis) out of range for rank \(rank)")
    return resolved
  }

  /// Replaces shape metadata without touching values (used by `reshaped`).
  mutating func setShape(_ newShape: [Int]) { shape = newShape }
}

extension Tensor: CustomStringConvertible {
  public var description: String {
    let preview = data.prefix(8).map { String($0) }.joined(separator: ", ")
    return "Tensor(shape: \(shape), data: [\(preview)\(data.count > 8 ? ", …" : "")])"
  }
}
