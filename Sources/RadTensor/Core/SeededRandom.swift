import Foundation

/// A seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64). The same seed gives
/// the same stream on every run and machine, which is what makes initialisation, dropout and data
/// shuffling reproducible; its four-word state can be saved in a checkpoint and restored.
public struct SeededRandom: RandomNumberGenerator, Sendable, Codable, Equatable {
  public private(set) var state: [UInt64]

  public init(seed: UInt64) {
    var mixer = seed
    var words: [UInt64] = []
    for _ in 0..<4 {
      mixer &+= 0x9E37_79B9_7F4A_7C15
      var z = mixer
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      words.append(z ^ (z >> 31))
    }
    state = words
  }

  /// Restores a generator from a saved `state`.
  public init(state: [UInt64]) {
    precondition(state.count == 4, "xoshiro256** state has 4 words")
    self.state = state
  }

  public mutating func next() -> UInt64 {
    let result = rotate(state[1] &* 5, 7) &* 9
    let t = state[1] << 17
    state[2] ^= state[0]
    state[3] ^= state[1]
    state[1] ^= state[2]
    state[0] ^= state[3]
    state[2] ^= t
    state[3] = rotate(state[3], 45)
    return result
  }

  @inline(__always) private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

  /// Uniform in [0, 1) with 24 random bits.
  public mutating func nextUniform() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

  /// Standard normal (Box–Muller on two uniforms, in Double for accuracy).
  public mutating func nextNormal() -> Float {
    let u1 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    let radius = (-2 * Foundation.log(Swift.max(1 - u1, .leastNormalMagnitude))).squareRoot()
    return Float(radius * Foundation.cos(2 * Double.pi * u2))
  }
}

extension Tensor {
  /// Values drawn uniformly from [low, high).
  public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1, using random: inout SeededRandom)
    -> Tensor
  {
    let count = shape.reduce(1, *)
    var values = [Float](repeating: 0, count: count)
    for index in 0..<count { values[index] = low + (high - low) * random.nextUniform() }
    return Tensor(shape: shape, data: values)
  }

  /// Values drawn from a normal distribution.
  public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1, using random: inout SeededRandom) -> Tensor
  {
    let count = shape.reduce(1, *)
    var values = [Float](repeating: 0, count: count)
    for index in 0..<count { values[index] = mean + std * random.nextNormal() }
    return Tensor(shape: shape, data: values)
  }
}
