/// The gate of Llama's SwiGLU MLP, silu(gate) ⊙ up, as one operation: separate SiLU and product
/// operations write and keep an extra [tokens × hidden] buffer and run three passes backward;
/// here the forward pass is one loop (keeping silu(gate), as SiLU's output would be kept) and the
/// backward pass one loop that writes both gradients.
/// The arithmetic is the composed one (the same SiLU formula, products in the same order), so
/// values and gradients equal those of `gate.silu() * up` exactly.
extension Tensor {
  /// silu(self) ⊙ up for tensors of equal shape.
  public func siluGated(_ up: Tensor) -> Tensor {
    precondition(shape == up.shape, "siluGated: gate \(shape) and up \(up.shape) differ")
    let gate = data
    let upValues = up.data
    let count = gate.count
    // silu(gate) is kept for up's gradient (as the SiLU operation's output would be), only when a
    // graph records. Every element is written below, so the buffers start uninitialised.
    let keep = Tensor.recordsGraph(self, up)
    var activated = Tensor.uninitializedValues(keep ? count : 0)
    var values = Tensor.uninitializedValues(count)
    gate.withUnsafeBufferPointer { x in
      upValues.withUnsafeBufferPointer { u in
        activated.withUnsafeMutableBufferPointer { aBuffer in
          values.withUnsafeMutableBufferPointer { yBuffer in
            guard let xp = x.baseAddress, let up = u.baseAddress, let yp = yBuffer.baseAddress else { return }
            // (An empty array may still have a base address: `keep` decides.)
            let a = keep ? aBuffer.baseAddress.map(SendablePointer.init) : nil
            let y = SendablePointer(yp)
            Parallel.forEachChunk(count) { range in
              var index = range.lowerBound
              while index < range.upperBound {
                let available = range.upperBound - index
                let input = Kernels.load(xp, index, available)
                let silu = input / (1 + simdExp(-input))
                if let a { Kernels.store(silu, a.pointer, index, available) }
                Kernels.store(silu * Kernels.load(up, index, available), y.pointer, index, available)
                index += 16
              }
            }
          }
        }
      }
    }
    let siluValues = activated
    return Tensor.result(shape: shape, data: values, inputs: [self, up]) { gradient, needed in
      var gateGradient = Tensor.uninitializedValues(needed[0] ? count : 0)
      var upGradient = Tensor.uninitializedValues(needed[1] ? count : 0)
      gradient.withUnsafeBufferPointer { g in
        gate.withUnsafeBufferPointer { x in
          upValues.withUnsafeBufferPointer { u in
            siluValues.withUnsafeBufferPointer { s in
              gateGradient.withUnsafeMutableBufferPointer { dgBuffer in
                upGradient.withUnsafeMutableBufferPointer { duBuffer in
                  guard let gp = g.baseAddress, let xp = x.baseAddress, let up = u.baseAddress, let sp = s.baseAddress
                  else { return }
                  // (An empty array may still have a base address: the flags decide what is written.)
                  let dg = needed[0] ? dgBuffer.baseAddress.map(SendablePointer.init) : nil
                  let du = needed[1] ? duBuffer.baseAddress.map(SendablePointer.init) : nil
                  Parallel.forEachChunk(count) { range in
                    var index = range.lowerBound
                    while index < range.upperBound {
                      let available = range.upperBound - index
                      let upstream = Kernels.load(gp, index, available)
                      let input = Kernels.load(xp, index, available)
                      if let dg {
                        let sigmoid = 1 / (1 + simdExp(-input))
                        // d/dx silu(x) = s·(1 + x·(1 − s)), applied to the product's gradient g·u.
                        let product = upstream * Kernels.load(up, index, available)
                        Kernels.store(product * (sigmoid * (1 + input * (1 - sigmoid))), dg.pointer, index, available)
                      }
                      if let du {
                        Kernels.store(upstream * Kernels.load(sp, index, available), du.pointer, index, available)
                      }
                      index += 16
                    }
                  }
                }
              }
            }
          }
        }
      }
      return [needed[0] ? gateGradient : nil, needed[1] ? upGradient : nil]
    }
  }
}
