/// Element-wise loops over raw buffers, 16 lanes at a time with a padded tail, split across cores
/// for large inputs. Every tensor operation funnels through these so that vectorisation and
/// threading live in one place.
public enum Kernels {
  @inlinable @inline(__always)
  static func load(_ pointer: UnsafePointer<Float>, _ index: Int, _ available: Int) -> Float16Lanes {
    if available >= 16 {
      return UnsafeRawPointer(pointer + index).loadUnaligned(as: Float16Lanes.self)
    }
    var lanes = Float16Lanes(repeating: 0)
    for lane in 0..<available { lanes[lane] = pointer[index + lane] }
    return lanes
  }

  @inlinable @inline(__always)
  static func store(_ value: Float16Lanes, _ pointer: UnsafeMutablePointer<Float>, _ index: Int, _ available: Int) {
    if available >= 16 {
      UnsafeMutableRawPointer(pointer + index).storeBytes(of: value, as: Float16Lanes.self)
      return
    }
    for lane in 0..<available { pointer[index + lane] = value[lane] }
  }

  /// output[i] = f(input[i]).
  @inlinable
  public static func map(
    _ input: [Float], minimumPerThread: Int = 32_768, _ function: (Float16Lanes) -> Float16Lanes
  ) -> [Float] {
    let count = input.count
    return [Float](unsafeUninitializedCapacity: count) { output, initialized in
      input.withUnsafeBufferPointer { source in
        guard let src = source.baseAddress, let dst = output.baseAddress else { return }
        let out = SendablePointer(dst)
        Parallel.forEachChunk(count, minimumPerThread: minimumPerThread) { range in
          var index = range.lowerBound
          while index < range.upperBound {
            let available = range.upperBound - index
            store(function(load(src, index, available)), out.pointer, index, available)
            index += 16
          }
        }
      }
      initialized = count
    }
  }

  /// output[i] = f(first[i], second[i]) for equal-length inputs.
  @inlinable
  public static func zip(
    _ first: [Float], _ second: [Float], minimumPerThread: Int = 32_768,
    _ function: (Float16Lanes, Float16Lanes) -> Float16Lanes
  ) -> [Float] {
    precondition(first.count == second.count)
    let count = first.count
    return [Float](unsafeUninitializedCapacity: count) { output, initialized in
      first.withUnsafeBufferPointer { a in
        second.withUnsafeBufferPointer { b in
          guard let pa = a.baseAddress, let pb = b.baseAddress, let dst = output.baseAddress else { return }
          let out = SendablePointer(dst)
          Parallel.forEachChunk(count, minimumPerThread: minimumPerThread) { range in
            var index = range.lowerBound
            while index < range.upperBound {
              let available = range.upperBound - index
              store(function(load(pa, index, available), load(pb, index, available)), out.pointer, index, available)
              index += 16
            }
          }
        }
      }
      initialized = count
    }
  }

  /// output[i] = f(first[i], second[i], third[i]).
  @inlinable
  public static func zip3(
    _ first: [Float], _ second: [Float], _ third: [Float], minimumPerThread: Int = 32_768,
    _ function: (Float16Lanes, Float16Lanes, Float16Lanes) -> Float16Lanes
  ) -> [Float] {
    precondition(first.count == second.count && first.count == third.count)
    let count = first.count
    return [Float](unsafeUninitializedCapacity: count) { output, initialized in
      first.withUnsafeBufferPointer { a in
        second.withUnsafeBufferPointer { b in
          third.withUnsafeBufferPointer { c in
            guard let pa = a.baseAddress, let pb = b.baseAddress, let pc = c.baseAddress,
              let dst = output.baseAddress
            else { return }
            let out = SendablePointer(dst)
            Parallel.forEachChunk(count, minimumPerThread: minimumPerThread) { range in
              var index = range.lowerBound
              while index < range.upperBound {
                let available = range.upperBound - index
                let value = function(
                  load(pa, index, available), load(pb, index, available), load(pc, index, available))
                store(value, out.pointer, index, available)
                index += 16
              }
            }
          }
        }
      }
      initialized = count
    }
  }

  /// accumulator[i] += addend[i].
  public static func addInPlace(_ accumulator: inout [Float], _ addend: [Float]) {
    precondition(accumulator.count == addend.count, "gradient size mismatch")
    let count = accumulator.count
    accumulator.withUnsafeMutableBufferPointer { acc in
      addend.withUnsafeBufferPointer { add in
        guard let pa = acc.baseAddress, let pb = add.baseAddress else { return }
        let out = SendablePointer(pa)
        Parallel.forEachChunk(count, minimumPerThread: 65_536) { range in
          var index = range.lowerBound
          while index < range.upperBound {
            let available = range.upperBound - index
            store(load(out.pointer, index, available) + load(pb, index, available), out.pointer, index, available)
            index += 16
          }
        }
      }
    }
  }

  /// Sum of all values (pairwise within 16 lanes, accumulated in Double across blocks for accuracy).
  public static func sum(_ values: UnsafeBufferPointer<Float>) -> Float {
    guard let base = values.baseAddress else { return 0 }
    var total: Double = 0
    var index = 0
    let count = values.count
    while index < count {
      let block = Swift.min(4096, count - index)
      var lanes = Float16Lanes(repeating: 0)
      var inner = 0
      while inner < block {
        lanes += load(base, index + inner, block - inner)
        inner += 16
      }
      total += Double(lanes.sum())
      index += block
    }
    return Float(total)
  }

  /// Dot product of two equal-length buffers.
  @inlinable
  public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
    var lanes = Float16Lanes(repeating: 0)
    var index = 0
    while index + 16 <= count {
      lanes +=
        UnsafeRawPointer(a + index).loadUnaligned(as: Float16Lanes.self)
        * UnsafeRawPointer(b + index).loadUnaligned(as: Float16Lanes.self)
      index += 16
    }
    var total = lanes.sum()
    while index < count {
      total += a[index] * b[index]
      index += 1
    }
    return total
  }
}
