/// The MT19937 generator seeded and drawn exactly as NumPy's legacy `np.random.seed(s)` /
/// `RandomState.randint`.
///
/// rouge-score's bootstrap draws its resamples with `np.random.choice`; reproducing NumPy's
/// stream lets a seeded RadLM confidence interval equal the Python one digit for digit instead
/// of only statistically.
public struct MersenneTwister: Sendable {
  private var state = [UInt32](repeating: 0, count: 624)
  private var index = 624

  /// `np.random.seed(seed)` for an integer seed.
  public init(seed: UInt32) {
    state[0] = seed
    for i in 1..<624 {
      let prev = state[i - 1]
      state[i] = 1_812_433_253 &* (prev ^ (prev >> 30)) &+ UInt32(i)
    }
    index = 624
  }

  private mutating func twist() {
    for i in 0..<624 {
      let y = (state[i] & 0x8000_0000) | (state[(i + 1) % 624] & 0x7FFF_FFFF)
      var v = state[(i + 397) % 624] ^ (y >> 1)
      if y & 1 != 0 { v ^= 0x9908_B0DF }
      state[i] = v
    }
    index = 0
  }

  /// The next raw 32-bit output (genrand_int32).
  public mutating func nextUInt32() -> UInt32 {
    if index >= 624 { twist() }
    var y = state[index]
    index += 1
    y ^= y >> 11
    y ^= (y << 7) & 0x9D2C_5680
    y ^= (y << 15) & 0xEFC6_0000
    y ^= y >> 18
    return y
  }

  /// `RandomState.randint(0, upperBound)` for `upperBound <= 2^32`: masked rejection sampling.
  public mutating func nextInt(below upperBound: Int) -> Int {
    precondition(upperBound > 0 && upperBound <= 1 << 32, "upper bound out of range")
    let range = UInt32(truncatingIfNeeded: upperBound - 1)
    if range == 0 { return 0 }
    var mask = range
    mask |= mask >> 1
    mask |= mask >> 2
    mask |= mask >> 4
    mask |= mask >> 8
    mask |= mask >> 16
    while true {
      let v = nextUInt32() & mask
      if v <= range { return Int(v) }
    }
  }
}
