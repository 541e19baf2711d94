/// A low-rank correction s · (x·Aᵀ)·Bᵀ to a linear layer's output, LoRA's update: A is
/// [rank, in] and B is [out, rank]. Handing it to `Tensor.linear` lets the correction be added by
/// the second GEMM itself (scale as its alpha, accumulating into the base output) instead of as
/// separate scale and add operations with their own buffers and backward passes.
public struct LowRankUpdate: @unchecked Sendable {
  public let a: Tensor
  public let b: Tensor
  public let scale: Float

  public init(a: Tensor, b: Tensor, scale: Float) {
    self.a = a
    self.b = b
    self.scale = scale
  }
}

/// The whole linear layer as one operation: y = x·Wᵀ + bias + s·(x·Aᵀ)·Bᵀ for x [..., in]. The
/// bias is written into the output first and the GEMM accumulates onto it (beta = 1), and the
/// low-rank term accumulates the same way, so the layer makes one output buffer. The backward
/// pass computes only what is needed: a frozen weight gets no weight-gradient GEMM, and the input
/// gradient of base and correction go into one buffer (dX = dY·W + s·(dY·B)·A).
extension Tensor {
  /// `weight` is [out, in] when `weightIsOutIn` (nn.Linear) or [in, out] (GPT-2's Conv1D); the
  /// layout is a BLAS transpose flag, never a copy.
  public func linear(weight: Tensor, weightIsOutIn: Bool = true, bias: Tensor? = nil, lowRank: LowRankUpdate? = nil)
    -> Tensor
  {
    precondition(
      rank >= 1 && weight.rank == 2, "linear expects x [..., in] and a 2-D weight, got \(shape) and \(weight.shape)")
    let inFeatures = shape[rank - 1]
    let outFeatures = weightIsOutIn ? weight.shape[0] : weight.shape[1]
    precondition(
      (weightIsOutIn ? weight.shape[1] : weight.shape[0]) == inFeatures,
      "linear: weight \(weight.shape) does not take \(inFeatures) input features")
    if let bias { precondition(bias.shape == [outFeatures], "linear: bias \(bias.shape) for \(outFeatures) outputs") }
    let rankOfUpdate = lowRank?.a.shape[0] ?? 0
    if let lowRank {
      precondition(
        lowRank.a.shape == [rankOfUpdate, inFeatures] && lowRank.b.shape == [outFeatures, rankOfUpdate],
        "linear: low-rank factors \(lowRank.a.shape), \(lowRank.b.shape) do not fit \(inFeatures) → \(outFeatures)")
    }
    let rows = shape.dropLast().reduce(1, *)
    let outShape = Array(shape.dropLast()) + [outFeatures]
    let input = data
    let weightValues = weight.data
    let aValues = lowRank?.a.data ?? []
    let bValues = lowRank?.b.data ?? []
    let scale = lowRank?.scale ?? 0
    // x·Aᵀ [rows, rank], kept for B's gradient.
    var hidden: [Float] = []
    // Every element is written: by the GEMM (beta = 0), or first by the bias rows (beta = 1).
    let values = [Float](unsafeUninitializedCapacity: rows * outFeatures) { yBuffer, initialized in
      initialized = rows * outFeatures
      guard rows > 0 && outFeatures > 0, let y = yBuffer.baseAddress else { return }
      var beta: Float = 0
      if let bias {
        bias.data.withUnsafeBufferPointer { b in
          for row in 0..<rows { (y + row * outFeatures).update(from: b.baseAddress!, count: outFeatures) }
        }
        beta = 1
      }
      guard inFeatures > 0 else {
        // An empty sum: the bias rows, or zeros.
        if beta == 0 { y.update(repeating: 0, count: rows * outFeatures) }
        return
      }
      input.withUnsafeBufferPointer { x in
        weightValues.withUnsafeBufferPointer { w in
          BLAS.gemm(
            transposeA: false, transposeB: weightIsOutIn, m: rows, n: outFeatures, k: inFeatures, a: x.baseAddress!,
            b: w.baseAddress!, beta: beta, c: y)
        }
        guard rankOfUpdate > 0 else { return }
        hidden = [Float](unsafeUninitializedCapacity: rows * rankOfUpdate) { h, hiddenCount in
          aValues.withUnsafeBufferPointer { a in
            ThinProduct.gemm(
              transposeA: false, transposeB: true, m: rows, n: rankOfUpdate, k: inFeatures, a: x.baseAddress!,
              b: a.baseAddress!, c: h.baseAddress!)
          }
          hiddenCount = rows * rankOfUpdate
        }
        hidden.withUnsafeBufferPointer { h in
          bValues.withUnsafeBufferPointer { b in
            ThinProduct.gemm(
              transposeA: false, transposeB: true, m: rows, n: outFeatures, k: rankOfUpdate, alpha: scale,
              a: h.baseAddress!, b: b.baseAddress!, beta: 1, c: y)
          }
        }
      }
    }
    var inputs = [self, weight]
    let biasIndex = bias.map { bias in
      inputs.append(bias)
      return inputs.count - 1
    }
    let factorIndex = lowRank.map { update in
      inputs.append(contentsOf: [update.a, update.b])
      return inputs.count - 2
    }
    let low = hidden
    let inputCounts = inputs.map(\.count)
    return Tensor.result(shape: outShape, data: values, inputs: inputs) { gradient, needed in
      var gradients = [[Float]?](repeating: nil, count: needed.count)
      if let biasIndex, needed[biasIndex] {
        gradients[biasIndex] = Broadcast.reduce(gradient, from: [rows, outFeatures], to: [outFeatures])
      }
      guard rows > 0 && outFeatures > 0 && inFeatures > 0 else {
        // No product term depends on anything: the other needed gradients are zero.
        for (index, size) in inputCounts.enumerated() where needed[index] && gradients[index] == nil {
          gradients[index] = [Float](repeating: 0, count: size)
        }
        return gradients
      }
      let needA = factorIndex.map { needed[$0] } ?? false
      let needB = factorIndex.map { needed[$0 + 1] } ?? false
      gradient.withUnsafeBufferPointer { gBuffer in
        let g = gBuffer.baseAddress!
        input.withUnsafeBufferPointer { xBuffer in
          let x = xBuffer.baseAddress!
          // u = dY·B [rows, rank]: the gradient reaching x·Aᵀ, before the scale.
          var u: [Float] = []
          if rankOfUpdate > 0 && (needed[0] || needA) {
            u = Tensor.uninitializedValues(rows * rankOfUpdate)
            bValues.withUnsafeBufferPointer { b in
              u.withUnsafeMutableBufferPointer { uBuffer in
                ThinProduct.gemm(
                  transposeA: false, transposeB: false, m: rows, n: rankOfUpdate, k: outFeatures, a: g,
                  b: b.baseAddress!,
                  c: uBuffer.baseAddress!)
              }
            }
          }
          if needed[0] {
            var dx = Tensor.uninitializedValues(input.count)
            dx.withUnsafeMutableBufferPointer { dxBuffer in
              let out = dxBuffer.baseAddress!
              weightValues.withUnsafeBufferPointer { w in
                BLAS.gemm(
                  transposeA: false, transposeB: !weightIsOutIn, m: rows, n: inFeatures, k: outFeatures, a: g,
                  b: w.baseAddress!, c: out)
              }
              if rankOfUpdate > 0 {
                u.withUnsafeBufferPointer { uBuffer in
                  aValues.withUnsafeBufferPointer { a in
                    ThinProduct.gemm(
                      transposeA: false, transposeB: false, m: rows, n: inFeatures, k: rankOfUpdate, alpha: scale,
                      a: uBuffer.baseAddress!, b: a.baseAddress!, beta: 1, c: out)
                  }
                }
              }
            }
            gradients[0] = dx
          }
          if needed[1] {
            gradients[1] = [Float](unsafeUninitializedCapacity: weightValues.count) { dw, initialized in
              if weightIsOutIn {
                // W [out, in]: dW = dYᵀ·x.
                BLAS.gemm(
                  transposeA: true, transposeB: false, m: outFeatures, n: inFeatures, k: rows, a: g, b: x,
                  c: dw.baseAddress!)
              } else {
                // W [in, out]: dW = xᵀ·dY.
                BLAS.gemm(
                  transposeA: true, transposeB: false, m: inFeatures, n: outFeatures, k: rows, a: x, b: g,
                  c: dw.baseAddress!)
              }
              initialized = weightValues.count
            }
          }
          if let factorIndex, needA {
            // dA = s·uᵀ·x [rank, in].
            gradients[factorIndex] = [Float](unsafeUninitializedCapacity: aValues.count) { da, initialized in
              u.withUnsafeBufferPointer { uBuffer in
                ThinProduct.gemm(
                  transposeA: true, transposeB: false, m: rankOfUpdate, n: inFeatures, k: rows, alpha: scale,
                  a: uBuffer.baseAddress!, b: x, c: da.baseAddress!)
              }
              initialized = aValues.count
            }
          }
          if let factorIndex, needB {
            // dB = s·dYᵀ·(x·Aᵀ) [out, rank].
            gradients[factorIndex + 1] = [Float](unsafeUninitializedCapacity: bValues.count) { db, initialized in
              low.withUnsafeBufferPointer { h in
                ThinProduct.gemm(
                  transposeA: true, transposeB: false, m: outFeatures, n: rankOfUpdate, k: rows, alpha: scale, a: g,
                  b: h.baseAddress!, c: db.baseAddress!)
              }
              initialized = bValues.count
            }
          }
        }
      }
      return gradients
    }
  }
}

extension Tensor {
  /// A buffer of `count` floats for a kernel that writes every element (a GEMM with beta = 0);
  /// skipping the zero fill saves a pass over memory.
  static func uninitializedValues(_ count: Int) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
  }
}

/// The thin products of a low-rank update (one side is the rank, e.g. 8) are too small for
/// OpenBLAS's own threads: it splits anything above 4·65,536 multiply-adds across its threads,
/// and for a rank-8 product the hand-off costs more than the arithmetic. Here such a product is
/// cut into pieces below that size along its longer output side, each piece runs single-threaded
/// inside OpenBLAS, and RadTensor's worker pool spreads the pieces over the cores. The cut does
/// not depend on the machine, so results are reproducible.
enum ThinProduct {
  static let singleThreadedProduct = AttentionPlan.singleThreadedProduct

  /// C[m×n] = alpha · op(A) · op(B) + beta · C, row-major and packed (lda, ldb, ldc are the
  /// stored row lengths).
  static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1, a: UnsafePointer<Float>,
    b: UnsafePointer<Float>, beta: Float = 0, c: UnsafeMutablePointer<Float>
  ) {
    let lda = transposeA ? m : k
    let ldb = transposeB ? k : n
    let splitRows = m >= n
    let side = splitRows ? m : n
    let perPiece = Swift.max(1, singleThreadedProduct / Swift.max(1, (splitRows ? n : m) * k))
    guard m > 0, n > 0, side > perPiece else {
      BLAS.gemm(
        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, b: b, beta: beta, c: c)
      return
    }
    let pieces = (side + perPiece - 1) / perPiece
    let (sa, sb, sc) = (UncheckedSendable(a), UncheckedSendable(b), SendablePointer(c))
    Parallel.forEachChunk(pieces, minimumPerThread: 1) { range in
      for piece in range {
        let start = piece * perPiece
        let size = Swift.min(perPiece, side - start)
        if splitRows {
          // Rows start..<start+size of C come from the same rows of op(A).
          AttentionPlan.gemm(
            transposeA, transposeB, size, n, k, alpha: alpha, sa.value + (transposeA ? start : start * lda), lda,
            sb.value, ldb,
            beta: beta, sc.pointer + start * n, n)
        } else {
          // Columns start..<start+size of C come from the same columns of op(B).
          AttentionPlan.gemm(
            transposeA, transposeB, m, size, k, alpha: alpha, sa.value, lda,
            sb.value + (transposeB ? start * ldb : start), ldb,
            beta: beta, sc.pointer + start, n)
        }
      }
    }
  }
}
