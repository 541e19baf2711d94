/// Vectorised transcendental functions on 16 floats at a time. Scalar libm calls dominate the
/// cost of softmax and GELU, so these use the Cephes polynomial approximations (about 1 ulp for
/// exp, a few ulp for tanh and erf) that vector math libraries such as Sleef also build on.
public typealias Float16Lanes = SIMD16<Float>

@usableFromInline let expHigh: Float = 88.3762626647949
@usableFromInline let expLow: Float = -88.3762626647949

/// |x| for each lane (clears the sign bit).
@inlinable @inline(__always)
public func simdAbs(_ x: Float16Lanes) -> Float16Lanes {
  unsafeBitCast(unsafeBitCast(x, to: SIMD16<UInt32>.self) & 0x7FFF_FFFF, to: Float16Lanes.self)
}

// The standard library's SIMD `clamped`, `rounded(.down)` and `SIMD16<Int32>(_:)` are not
// vectorised here: they run lane by lane (the last two through libm and a trapping conversion)
// and made simdExp ~250x slower than its arithmetic. These give identical results with
// compares, selects and the 1.5·2²³ rounding constant.
@usableFromInline let roundingMagic: Float = 12_582_912  // 1.5 · 2²³; its bit pattern is 0x4B40_0000

/// Clamps each lane to [low, high] (lanes of a NaN input stay NaN).
@inlinable @inline(__always)
public func simdClamp(_ x: Float16Lanes, _ low: Float, _ high: Float) -> Float16Lanes {
  var result = x.replacing(with: low, where: x .< low)
  result.replace(with: high, where: result .> high)
  return result
}

/// floor(x) for each lane, exact for |x| < 2²²: round to nearest by adding and subtracting
/// 1.5·2²³, then step down the lanes that rounded up.
@inlinable @inline(__always)
public func simdFloor(_ x: Float16Lanes) -> Float16Lanes {
  let magic = Float16Lanes(repeating: roundingMagic)
  let nearest = (x + magic) - magic
  return nearest.replacing(with: nearest - 1, where: nearest .> x)
}

/// Converts integral lanes with |x| < 2²² to Int32 by reading the integer out of the mantissa of
/// x + 1.5·2²³.
@inlinable @inline(__always)
public func simdSmallIntegers(_ integral: Float16Lanes) -> SIMD16<Int32> {
  unsafeBitCast(integral + Float16Lanes(repeating: roundingMagic), to: SIMD16<Int32>.self) &- 0x4B40_0000
}

/// e^x for each lane.
@inlinable @inline(__always)
public func simdExp(_ input: Float16Lanes) -> Float16Lanes {
  var x = simdClamp(input, expLow, expHigh)
  // n = round(x / ln 2); x = x - n ln 2 split in two parts for accuracy.
  var fx = x * 1.44269504088896341 + 0.5
  fx = simdFloor(fx)
  x = x - fx * 0.693359375
  x = x + fx * 2.12194440e-4
  let z = x * x
  var y: Float16Lanes = Float16Lanes(repeating: 1.9875691500e-4)
  y = y * x + 1.3981999507e-3
  y = y * x + 8.3334519073e-3
  y = y * x + 4.1665795894e-2
  y = y * x + 1.6666665459e-1
  y = y * x + 5.0000001201e-1
  y = y * z + x + 1
  // Multiply by 2^n by building the exponent bits directly.
  let n = simdSmallIntegers(fx)
  let bits = (n &+ 127) &<< 23
  let scale = unsafeBitCast(bits, to: Float16Lanes.self)
  var result = y * scale
  result.replace(with: 0, where: input .< expLow)
  result.replace(with: .infinity, where: input .> expHigh)
  result.replace(with: .nan, where: input .!= input)
  return result
}

/// tanh(x) for each lane: a small-argument polynomial near zero, 1 - 2/(e^{2x}+1) elsewhere.
@inlinable @inline(__always)
public func simdTanh(_ x: Float16Lanes) -> Float16Lanes {
  let ax = simdAbs(x)
  let z = x * x
  var p = Float16Lanes(repeating: -5.70498872745e-3)
  p = p * z + 2.06390887954e-2
  p = p * z - 5.37397155531e-2
  p = p * z + 1.33314422036e-1
  p = p * z - 3.33332819422e-1
  let small = p * z * x + x
  let e = simdExp(2 * ax)
  var large = 1 - 2 / (e + 1)
  large.replace(with: -large, where: x .< 0)
  var result = large
  result.replace(with: small, where: ax .< 0.625)
  return result
}

/// erf(x) for each lane (Abramowitz–Stegun 7.1.26 refined: max abs error about 1.2e-7).
@inlinable @inline(__always)
public func simdErf(_ x: Float16Lanes) -> Float16Lanes {
  // Near zero use the Taylor-like Cephes polynomial; elsewhere use erfc via exp(-x^2).
  let ax = simdAbs(x)
  let z = x * x
  var ps = Float16Lanes(repeating: 7.853861353153693e-5)
  ps = ps * z - 8.010193625184903e-4
  ps = ps * z + 5.188327685732524e-3
  ps = ps * z - 2.685381193529856e-2
  ps = ps * z + 1.128358514861418e-1
  ps = ps * z - 3.761262582423300e-1
  ps = ps * z + 1.128379165726710
  let small = x * ps
  // erfc(|x|) = exp(-x^2) * R(1/(1+p|x|)) from Numerical Recipes' erfcc (fractional error < 1.2e-7).
  let t = 1 / (1 + 0.5 * ax)
  var r = Float16Lanes(repeating: 0.17087277)
  r = r * t - 0.82215223
  r = r * t + 1.48851587
  r = r * t - 1.13520398
  r = r * t + 0.27886807
  r = r * t - 0.18628806
  r = r * t + 0.09678418
  r = r * t + 0.37409196
  r = r * t + 1.00002368
  r = r * t - 1.26551223
  let erfc = t * simdExp(-z + r)
  var large = 1 - erfc
  large.replace(with: -large, where: x .< 0)
  var result = large
  result.replace(with: small, where: ax .< 0.5)
  return result
}
