/// Matrix multiplication, the operation that carries nearly all of a transformer's arithmetic.
/// The last two dimensions are the matrices; leading dimensions are batch dimensions (equal on
/// both sides, or absent on one side, which then broadcasts). Transposition of either operand is
/// a flag handed to BLAS, so `x.matmul(weight, transposeOther: true)` computes x·Wᵀ for a
/// Hugging Face `[out, in]` weight without copying it.
extension Tensor {
  public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
    precondition(rank >= 2 && other.rank >= 2, "matmul needs rank >= 2, got \(shape) and \(other.shape)")
    let m = transposeSelf ? shape[rank - 1] : shape[rank - 2]
    let kSelf = transposeSelf ? shape[rank - 2] : shape[rank - 1]
    let kOther = transposeOther ? other.shape[other.rank - 1] : other.shape[other.rank - 2]
    let n = transposeOther ? other.shape[other.rank - 2] : other.shape[other.rank - 1]
    precondition(kSelf == kOther, "matmul inner dimensions differ: \(shape) · \(other.shape)")
    let k = kSelf
    let batchSelf = Array(shape.dropLast(2))
    let batchOther = Array(other.shape.dropLast(2))
    precondition(
      batchSelf == batchOther || batchSelf.isEmpty || batchOther.isEmpty,
      "matmul batch dimensions differ: \(shape) · \(other.shape)")
    let batchShape = batchSelf.count >= batchOther.count ? batchSelf : batchOther
    let batches = batchShape.reduce(1, *)
    let selfBatched = !batchSelf.isEmpty
    let otherBatched = !batchOther.isEmpty
    let outShape = batchShape + [m, n]

    // A batched left operand times one shared matrix is a single GEMM over all rows.
    let foldRows = selfBatched && !otherBatched && !transposeSelf
    let plan = MatMulPlan(
      m: m, n: n, k: k, batches: batches, selfBatched: selfBatched, otherBatched: otherBatched,
      foldRows: foldRows, transposeSelf: transposeSelf, transposeOther: transposeOther)

    let values = [Float](unsafeUninitializedCapacity: batches * m * n) { output, initialized in
      data.withUnsafeBufferPointer { a in
        other.data.withUnsafeBufferPointer { b in
          plan.forward(a: a.baseAddress!, b: b.baseAddress!, c: output.baseAddress!)
        }
      }
      initialized = batches * m * n
    }
    let left = data
    let right = other.data
    return Tensor.result(shape: outShape, data: values, inputs: [self, other]) { gradient, needed in
      var gradients: [[Float]?] = [nil, nil]
      gradient.withUnsafeBufferPointer { g in
        left.withUnsafeBufferPointer { a in
          right.withUnsafeBufferPointer { b in
            if needed[0] { gradients[0] = plan.gradientSelf(g: g.baseAddress!, b: b.baseAddress!, count: left.count) }
            if needed[1] { gradients[1] = plan.gradientOther(g: g.baseAddress!, a: a.baseAddress!, count: right.count) }
          }
        }
      }
      return gradients
    }
  }
}

/// The shapes and transposes of one matmul, with its forward and the two gradient GEMMs.
struct MatMulPlan {
  let m: Int, n: Int, k: Int, batches: Int
  let selfBatched: Bool, otherBatched: Bool, foldRows: Bool
  let transposeSelf: Bool, transposeOther: Bool

  func forward(a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>) {
    if foldRows {
      BLAS.gemm(transposeA: false, transposeB: transposeOther, m: batches * m, n: n, k: k, a: a, b: b, c: c)
      return
    }
    for batch in 0..<batches {
      BLAS.gemm(
        transposeA: transposeSelf, transposeB: transposeOther, m: m, n: n, k: k,
        a: a + (selfBatched ? batch * m * k : 0), b: b + (otherBatched ? batch * k * n : 0),
        c: c + batch * m * n)
    }
  }

  /// Gradient of the left operand in its stored layout.
  func gradientSelf(g: UnsafePointer<Float>, b: UnsafePointer<Float>, count: Int) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { output, initialized in
      let out = output.baseAddress!
      if foldRows {
        // dA = dC · op(B)ᵀ over all folded rows.
        BLAS.gemm(transposeA: false, transposeB: !transposeOther, m: batches * m, n: k, k: n, a: g, b: b, c: out)
      } else {
        if !selfBatched { out.update(repeating: 0, count: m * k) }
        for batch in 0..<batches {
          let gb = g + batch * m * n
          let bb = b + (otherBatched ? batch * k * n : 0)
          let destination = out + (selfBatched ? batch * m * k : 0)
          let beta: Float = selfBatched ? 0 : 1
          if !transposeSelf {
            // A stored [m,k]: dA = dC · op(B)ᵀ.
            BLAS.gemm(
              transposeA: false, transposeB: !transposeOther, m: m, n: k, k: n, a: gb, b: bb, beta: beta, c: destination
            )
          } else {
            // A stored [k,m]: dA = op(B) · dCᵀ.
            BLAS.gemm(
              transposeA: transposeOther, transposeB: true, m: k, n: m, k: n, a: bb, b: gb, beta: beta, c: destination)
          }
        }
      }
      initialized = count
    }
  }

  /// Gradient of the right operand in its stored layout.
  func gradientOther(g: UnsafePointer<Float>, a: UnsafePointer<Float>, count: Int) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { output, initialized in
      let out = output.baseAddress!
      if foldRows {
        if !transposeOther {
          // B stored [k,n]: dB = Aᵀ · dC over all folded rows.
          BLAS.gemm(transposeA: true, transposeB: false, m: k, n: n, k: batches * m, a: a, b: g, c: out)
        } else {
          // B stored [n,k]: dB = dCᵀ · A.
          BLAS.gemm(transposeA: true, transposeB: false, m: n, n: k, k: batches * m, a: g, b: a, c: out)
        }
      } else {
        if !otherBatched { out.update(repeating: 0, count: k * n) }
        for batch in 0..<batches {
          let gb = g + batch * m * n
          let ab = a + (selfBatched ? batch * m * k : 0)
          let destination = out + (otherBatched ? batch * k * n : 0)
          let beta: Float = otherBatched ? 0 : 1
          if !transposeOther {
            // B stored [k,n]: dB = op(A)ᵀ · dC.
            BLAS.gemm(
              transposeA: !transposeSelf, transposeB: false, m: k, n: n, k: m, a: ab, b: gb, beta: beta, c: destination)
          } else {
            // B stored [n,k]: dB = dCᵀ · op(A).
            BLAS.gemm(
              transposeA: true, transposeB: transposeSelf, m: n, n: k, k: m, a: gb, b: ab, beta: beta, c: destination)
          }
        }
      }
      initialized = count
    }
  }
}
