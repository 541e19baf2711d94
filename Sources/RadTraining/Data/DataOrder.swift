import RadTensor

/// The order in which a trainer visits examples: a seeded permutation per epoch, so a run is
/// reproducible and a resumed run continues with exactly the examples it would have seen next.
/// Its whole state is (seed, epoch, index), which checkpoints store.
public struct DataOrder: Codable, Equatable, Sendable {
  public let count: Int
  public let seed: UInt64
  public let shuffle: Bool
  public private(set) var epoch: Int = 0
  public private(set) var index: Int = 0
  private var permutation: [Int] = []

  public init(count: Int, seed: UInt64, shuffle: Bool = true) {
    precondition(count > 0, "DataOrder needs at least one example")
    self.count = count
    self.seed = seed
    self.shuffle = shuffle
    permutation = Self.permutation(count: count, seed: seed, epoch: 0, shuffle: shuffle)
  }

  /// The position to save in a checkpoint.
  public var position: Position { Position(epoch: epoch, index: index) }

  public struct Position: Codable, Equatable, Sendable {
    public var epoch: Int
    public var index: Int
    public init(epoch: Int, index: Int) {
      self.epoch = epoch
      self.index = index
    }
  }

  /// Jumps to a saved position.
  public mutating func restore(_ position: Position) {
    epoch = position.epoch
    index = position.index
    permutation = Self.permutation(count: count, seed: seed, epoch: epoch, shuffle: shuffle)
  }

  /// The next example index, moving to a fresh permutation at each epoch boundary.
  public mutating func next() -> Int {
    if index == count {
      epoch += 1
      index = 0
      permutation = Self.permutation(count: count, seed: seed, epoch: epoch, shuffle: shuffle)
    }
    defer { index += 1 }
    return permutation[index]
  }

  static func permutation(count: Int, seed: UInt64, epoch: Int, shuffle: Bool) -> [Int] {
    var order = Array(0..<count)
    guard shuffle else { return order }
    var random = SeededRandom(seed: seed &+ UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15)
    // Fisher–Yates with the seeded generator.
    for position in stride(from: count - 1, to: 0, by: -1) {
      let other = Int(random.next() % UInt64(position + 1))
      order.swapAt(position, other)
    }
    return order
  }
}

/// Splits example indices into training and validation parts deterministically.
public func validationSplit(count: Int, fraction: Double, seed: UInt64) -> (train: [Int], validation: [Int]) {
  let order = DataOrder.permutation(count: count, seed: seed ^ 0x5EED, epoch: 0, shuffle: true)
  let held = fraction <= 0 ? 0 : Swift.max(1, Int((Double(count) * fraction).rounded()))
  let validation = Array(order.prefix(Swift.min(held, count - 1))).sorted()
  let heldSet = Set(validation)
  return ((0..<count).filter { !heldSet.contains($0) }, validation)
}
