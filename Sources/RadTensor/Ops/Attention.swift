import CBLAS
import CKernels
import Foundation

/// Fused multi-head attention for training, prompts and full-sequence passes:
/// softmax(scale·QKᵀ + mask)·V for every head, read straight from the projection outputs
/// ([batch, tokens, heads·headDim], token-major, or one packed q|k|v tensor as GPT-2's `c_attn`
/// produces) through row strides, so heads are never split, permuted or sliced into copies. The
/// forward pass runs CKernels' attention kernel on blocks of query rows (both cores, a block's
/// scores staying in cache from the score product through softmax to the value product; BLAS
/// products for head sizes the kernel does not take); the backward pass runs BLAS products per
/// head. A causal mask is not added as a tensor: each block of query rows only multiplies the keys
/// it may see, which skips nearly half the arithmetic. Grouped-query attention (fewer key/value
/// heads) maps query head h to key/value head h / (heads / kvHeads).
extension Tensor {
  /// Attention of queries q [B, T, heads·D] over keys k and values v [B, S, kvHeads·D]; returns
  /// [B, T, heads·D]. `causal` hides keys after each query (query t sees keys ≤ t + S − T);
  /// `mask` is an additive bias [B or 1, 1, T, S] (0 = visible, a huge negative value = hidden).
  public static func attention(
    queries q: Tensor, keys k: Tensor, values v: Tensor, heads: Int, kvHeads: Int, scale: Float,
    causal: Bool, mask: Tensor?
  ) -> Tensor {
    precondition(q.rank == 3 && k.rank == 3 && v.rank == 3, "attention expects [B, T, heads·D] inputs")
    precondition(
      k.shape == v.shape && q.shape[0] == k.shape[0],
      "attention: keys \(k.shape), values \(v.shape), queries \(q.shape)")
    let headDim = q.shape[2] / heads
    precondition(
      headDim * heads == q.shape[2] && headDim * kvHeads == k.shape[2], "attention: head sizes do not divide")
    let plan = AttentionPlan(
      batch: q.shape[0], queries: q.shape[1], keys: k.shape[1], heads: heads, kvHeads: kvHeads, headDim: headDim,
      scale: scale, causal: causal, mask: mask,
      query: .init(offset: 0, stride: heads * headDim), key: .init(offset: 0, stride: kvHeads * headDim),
      value: .init(offset: 0, stride: kvHeads * headDim))
    let keep = recordsGraph(q, k, v)
    let (output, probabilities) = q.data.withUnsafeBufferPointer { qp in
      k.data.withUnsafeBufferPointer { kp in
        v.data.withUnsafeBufferPointer { vp in
          plan.forward(q: qp.baseAddress!, k: kp.baseAddress!, v: vp.baseAddress!, keepProbabilities: keep)
        }
      }
    }
    let (queryValues, keyValues, valueValues) = (q.data, k.data, v.data)
    return result(shape: q.shape, data: output, inputs: [q, k, v]) { gradient, needed in
      var dq = [Float](repeating: 0, count: queryValues.count)
      var dk = [Float](repeating: 0, count: keyValues.count)
      var dv = [Float](repeating: 0, count: valueValues.count)
      gradient.withUnsafeBufferPointer { g in
        queryValues.withUnsafeBufferPointer { qp in
          keyValues.withUnsafeBufferPointer { kp in
            valueValues.withUnsafeBufferPointer { vp in
              probabilities.withUnsafeBufferPointer { p in
                dq.withUnsafeMutableBufferPointer { dqp in
                  dk.withUnsafeMutableBufferPointer { dkp in
                    dv.withUnsafeMutableBufferPointer { dvp in
                      plan.backward(
                        gradient: g.baseAddress!, q: qp.baseAddress!, k: kp.baseAddress!, v: vp.baseAddress!,
                        probabilities: p.baseAddress!, dq: dqp.baseAddress!, dk: dkp.baseAddress!, dv: dvp.baseAddress!)
                    }
                  }
                }
              }
            }
          }
        }
      }
      return [needed[0] ? dq : nil, needed[1] ? dk : nil, needed[2] ? dv : nil]
    }
  }

  /// Self-attention over a packed [B, T, (heads + 2·kvHeads)·D] tensor holding q | k | v side by
  /// side in each row (GPT-2's fused `c_attn` output); returns [B, T, heads·D] and passes back one
  /// gradient in the same packed layout.
  public static func attention(
    packed qkv: Tensor, heads: Int, kvHeads: Int, scale: Float, causal: Bool, mask: Tensor?
  ) -> Tensor {
    precondition(qkv.rank == 3, "packed attention expects [B, T, (heads + 2·kvHeads)·D], got \(qkv.shape)")
    let width = qkv.shape[2]
    let headDim = width / (heads + 2 * kvHeads)
    precondition(headDim * (heads + 2 * kvHeads) == width, "packed attention: \(width) columns do not split into heads")
    let plan = AttentionPlan(
      batch: qkv.shape[0], queries: qkv.shape[1], keys: qkv.shape[1], heads: heads, kvHeads: kvHeads, headDim: headDim,
      scale: scale, causal: causal, mask: mask,
      query: .init(offset: 0, stride: width), key: .init(offset: heads * headDim, stride: width),
      value: .init(offset: (heads + kvHeads) * headDim, stride: width))
    let keep = recordsGraph(qkv)
    let (output, probabilities) = qkv.data.withUnsafeBufferPointer { p in
      plan.forward(q: p.baseAddress!, k: p.baseAddress!, v: p.baseAddress!, keepProbabilities: keep)
    }
    let packedValues = qkv.data
    return result(shape: [qkv.shape[0], qkv.shape[1], heads * headDim], data: output, inputs: [qkv]) { gradient, _ in
      // Every element is written: query columns by the dQ GEMMs, key/value columns zeroed first.
      var packedGradient = [Float](repeating: 0, count: packedValues.count)
      gradient.withUnsafeBufferPointer { g in
        packedValues.withUnsafeBufferPointer { x in
          probabilities.withUnsafeBufferPointer { p in
            packedGradient.withUnsafeMutableBufferPointer { d in
              plan.backward(
                gradient: g.baseAddress!, q: x.baseAddress!, k: x.baseAddress!, v: x.baseAddress!,
                probabilities: p.baseAddress!, dq: d.baseAddress!, dk: d.baseAddress!, dv: d.baseAddress!)
            }
          }
        }
      }
      return [packedGradient]
    }
  }
}

extension Tensor {
  /// Whether an op over `inputs` records a graph node (as `result` decides), i.e. whether its
  /// backward pass can run and the forward pass must keep what the backward reads.
  static func recordsGraph(_ inputs: Tensor...) -> Bool {
    inputs.contains { $0.node != nil } && Autograd.isRecording
  }
}

/// The shapes of one attention call and where each operand's heads sit in memory.
struct AttentionPlan: Sendable {
  /// Head h of batch row b, token t starts at base + (b·tokens + t)·stride + offset + h·headDim.
  struct Layout: Sendable {
    let offset: Int
    let stride: Int
  }

  let batch: Int, queries: Int, keys: Int, heads: Int, kvHeads: Int, headDim: Int
  let scale: Float
  /// Keys a query may see beyond its own index (S − T) when causal; nil when not causal.
  let causalOffset: Int?
  let mask: [Float]?
  let maskPerBatch: Bool
  let query: Layout, key: Layout, value: Layout
  /// Query rows per block: a causal block multiplies only the keys its last row may see.
  let blockRows: Int
  /// Whether heads run side by side on the cores (see `forEachHead`).
  let parallelHeads: Bool
  /// Whether the forward pass runs through CKernels' attention kernel (`radlm_attention_rows`,
  /// for head sizes that are a multiple of 4) rather than BLAS products.
  let usesKernel: Bool
  /// Query rows per block in the kernel's forward pass: 32 rows' scores for 2048 keys are 256 KB,
  /// which stays in L2 between the scores, the softmax and the value product.
  static let kernelBlockRows = 32

  init(
    batch: Int, queries: Int, keys: Int, heads: Int, kvHeads: Int, headDim: Int, scale: Float, causal: Bool,
    mask: Tensor?,
    query: Layout, key: Layout, value: Layout
  ) {
    precondition(heads % kvHeads == 0, "\(heads) query heads do not divide into \(kvHeads) key/value heads")
    precondition(!causal || keys >= queries, "causal attention needs at least as many keys as queries")
    if let mask {
      precondition(
        mask.shape == [1, 1, queries, keys] || mask.shape == [batch, 1, queries, keys],
        "attention mask \(mask.shape) does not fit [\(batch), 1, \(queries), \(keys)]")
    }
    self.batch = batch
    self.queries = queries
    self.keys = keys
    self.heads = heads
    self.kvHeads = kvHeads
    self.headDim = headDim
    self.scale = scale
    causalOffset = causal ? keys - queries : nil
    self.mask = mask?.data
    maskPerBatch = (mask?.shape[0] ?? 1) > 1
    self.query = query
    self.key = key
    self.value = value
    // OpenBLAS runs a product of m·n·k ≤ 4·65536 on the calling thread; blocks that small let
    // the two cores take whole heads without touching the global BLAS thread count (changing it
    // would alter other threads' results in their last bits and break bit-exact resumes).
    let singleThreadedRows = AttentionPlan.singleThreadedProduct / Swift.max(keys * headDim, 1)
    parallelHeads = singleThreadedRows >= AttentionPlan.minimumParallelBlock
    blockRows = Swift.max(1, Swift.min(64, queries, parallelHeads ? singleThreadedRows : 64))
    usesKernel = radlm_attention_supported(headDim) != 0
  }

  static let singleThreadedProduct = 4 * 65_536
  /// Below this many rows per block, heads run one after another with BLAS's own threads.
  static let minimumParallelBlock = 8

  var outputStride: Int { heads * headDim }
  var groups: Int { heads / kvHeads }

  /// Where head h of batch row b starts in each operand (elements from the base pointer); keys
  /// and values are those of h's key/value head.
  @inline(__always) func queryStart(_ b: Int, _ h: Int) -> Int {
    b * queries * query.stride + query.offset + h * headDim
  }
  @inline(__always) func keyStart(_ b: Int, _ h: Int) -> Int {
    b * keys * key.stride + key.offset + (h / groups) * headDim
  }
  @inline(__always) func valueStart(_ b: Int, _ h: Int) -> Int {
    b * keys * value.stride + value.offset + (h / groups) * headDim
  }
  @inline(__always) func probabilitiesStart(_ b: Int, _ h: Int) -> Int { (b * heads + h) * queries * keys }
  @inline(__always) func outputStart(_ b: Int, _ h: Int) -> Int { b * queries * outputStride + h * headDim }

  /// Keys visible to query row t.
  @inline(__always) func visibleKeys(_ t: Int) -> Int {
    guard let causalOffset else { return keys }
    return Swift.min(keys, t + causalOffset + 1)
  }

  /// Keys any row of the block ending before `rowEnd` may see.
  @inline(__always) func blockKeys(_ rowEnd: Int) -> Int { visibleKeys(rowEnd - 1) }

  /// Runs `body(b, h)` for every (batch row, query head): whole heads per core when the blocks'
  /// products are small enough for single-threaded BLAS, otherwise one head after another.
  func forEachHead(_ body: (Int, Int) -> Void) {
    let tasks = batch * heads
    guard parallelHeads else {
      for task in 0..<tasks { body(task / heads, task % heads) }
      return
    }
    Parallel.forEachChunk(tasks, minimumPerThread: 1) { range in
      for task in range { body(task / heads, task % heads) }
    }
  }

  /// Runs `body(b, h, firstRow, endRow)` for every block of query rows of every head (the forward
  /// pass, where blocks are independent). On several cores the tasks are pairs of blocks, the i-th
  /// and the i-th from the end: under a causal mask a block's cost grows with its index, so pairs
  /// cost the same and the cores get equal shares even for an odd number of heads (SmolLM2's 9
  /// heads as whole-head tasks left one core idle for a ninth of the time).
  func forEachQueryBlock(rows blockRows: Int, parallel: Bool, _ body: (Int, Int, Int, Int) -> Void) {
    let blocks = (queries + blockRows - 1) / blockRows
    func run(_ head: Int, _ block: Int) {
      let start = block * blockRows
      body(head / heads, head % heads, start, Swift.min(queries, start + blockRows))
    }
    guard parallel else {
      for head in 0..<(batch * heads) {
        for block in 0..<blocks { run(head, block) }
      }
      return
    }
    let pairs = (blocks + 1) / 2
    Parallel.forEachChunk(batch * heads * pairs, minimumPerThread: 1) { range in
      for task in range {
        let (head, pair) = (task / pairs, task % pairs)
        run(head, pair)
        if blocks - 1 - pair != pair { run(head, blocks - 1 - pair) }
      }
    }
  }

  /// Returns the context [B, T, heads·D] and the attention probabilities [B, heads, T, S] that the
  /// backward pass reuses (empty unless `keepProbabilities`).
  func forward(
    q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, keepProbabilities: Bool
  ) -> ([Float], [Float]) {
    if usesKernel { return kernelForward(q: q, k: k, v: v, keepProbabilities: keepProbabilities) }
    let outputCount = batch * queries * outputStride
    let probabilityCount = batch * heads * queries * keys
    // Every element is written below (GEMM outputs with beta = 0, hidden keys zeroed by hand).
    var output = Tensor.uninitializedValues(outputCount)
    var probabilities = Tensor.uninitializedValues(probabilityCount)
    let maskValues = mask ?? []
    output.withUnsafeMutableBufferPointer { outBuffer in
      probabilities.withUnsafeMutableBufferPointer { pBuffer in
        maskValues.withUnsafeBufferPointer { maskBuffer in
          let maskBase = UncheckedSendable(mask == nil ? nil : maskBuffer.baseAddress)
          let out = SendablePointer(outBuffer.baseAddress!)
          let probs = SendablePointer(pBuffer.baseAddress!)
          let (qs, ks, vs) = (UncheckedSendable(q), UncheckedSendable(k), UncheckedSendable(v))
          forEachQueryBlock(rows: blockRows, parallel: parallelHeads) { b, h, r0, r1 in
            let qh = qs.value + queryStart(b, h)
            let kh = ks.value + keyStart(b, h)
            let vh = vs.value + valueStart(b, h)
            let p = probs.pointer + probabilitiesStart(b, h)
            let o = out.pointer + outputStart(b, h)
            let n = blockKeys(r1)
            // Scores of this block of query rows against the keys they may see.
            AttentionPlan.gemm(
              false, true, r1 - r0, n, headDim, alpha: scale, qh + r0 * query.stride, query.stride, kh, key.stride,
              beta: 0, p + r0 * keys, keys)
            for t in r0..<r1 {
              let row = p + t * keys
              let visible = visibleKeys(t)
              if let maskPointer = maskBase.value {
                let maskRow = maskPointer + ((maskPerBatch ? b * queries : 0) + t) * keys
                for s in 0..<visible { row[s] += maskRow[s] }
              }
              let maximum = RowKernels.maximum(row, visible)
              let total = RowKernels.expShifted(row, row, visible, shift: maximum)
              RowKernels.scale(row, visible, by: 1 / total)
              if visible < keys { (row + visible).update(repeating: 0, count: keys - visible) }
            }
            AttentionPlan.gemm(
              false, false, r1 - r0, headDim, n, alpha: 1, p + r0 * keys, keys, vh, value.stride,
              beta: 0, o + r0 * outputStride, outputStride)
          }
        }
      }
    }
    return (output, probabilities)
  }

  /// The forward pass through `radlm_attention_rows`: each key/value head's keys are packed once
  /// into 32-key panels, then blocks of query rows (pairs from both ends under a causal mask) run
  /// on the cores, each block's scores, softmax and value product staying in that core's cache.
  /// Without a graph the probabilities are never stored: a block's go to a scratch buffer.
  func kernelForward(
    q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, keepProbabilities: Bool
  ) -> ([Float], [Float]) {
    let panelFloats =
      (keys + Int(RADLM_ATTENTION_PANEL) - 1) / Int(RADLM_ATTENTION_PANEL) * Int(RADLM_ATTENTION_PANEL) * headDim
    var packedKeys = Tensor.uninitializedValues(batch * kvHeads * panelFloats)
    var output = Tensor.uninitializedValues(batch * queries * outputStride)
    // Every element is written by the kernel (probabilities past a row's visible keys are zeroed).
    var probabilities = Tensor.uninitializedValues(keepProbabilities ? batch * heads * queries * keys : 0)
    let maskValues = mask ?? []
    packedKeys.withUnsafeMutableBufferPointer { packedBuffer in
      output.withUnsafeMutableBufferPointer { outBuffer in
        probabilities.withUnsafeMutableBufferPointer { pBuffer in
          maskValues.withUnsafeBufferPointer { maskBuffer in
            let packed = SendablePointer(packedBuffer.baseAddress!)
            let out = SendablePointer(outBuffer.baseAddress!)
            // (An empty array's buffer may still have a base address.)
            let probs = UncheckedSendable(keepProbabilities ? pBuffer.baseAddress : nil)
            let maskBase = UncheckedSendable(mask == nil ? nil : maskBuffer.baseAddress)
            let (qs, ks, vs) = (UncheckedSendable(q), UncheckedSendable(k), UncheckedSendable(v))
            Parallel.forEachChunk(batch * kvHeads, minimumPerThread: 1) { range in
              for task in range {
                let (b, kv) = (task / kvHeads, task % kvHeads)
                radlm_attention_pack_keys(
                  ks.value + b * keys * key.stride + key.offset + kv * headDim, key.stride, keys, headDim,
                  packed.pointer + task * panelFloats)
              }
            }
            forEachQueryBlock(rows: Swift.min(AttentionPlan.kernelBlockRows, queries), parallel: true) { b, h, r0, r1 in
              let firstVisible = causalOffset.map { r0 + $0 + 1 } ?? keys
              let maskRows = maskBase.value.map { $0 + ((maskPerBatch ? b * queries : 0) + r0) * keys }
              let run = { (p: UnsafeMutablePointer<Float>) in
                radlm_attention_rows(
                  qs.value + queryStart(b, h) + r0 * query.stride, query.stride,
                  packed.pointer + (b * kvHeads + h / groups) * panelFloats, vs.value + valueStart(b, h), value.stride,
                  r1 - r0, keys, headDim, firstVisible, causalOffset == nil ? 0 : 1, scale, maskRows, keys, p, keys,
                  out.pointer + outputStart(b, h) + r0 * outputStride, outputStride)
              }
              if let p = probs.value {
                run(p + probabilitiesStart(b, h) + r0 * keys)
              } else {
                // On the heap: the worker pool's helper threads have small stacks.
                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: (r1 - r0) * keys)
                defer { scratch.deallocate() }
                run(scratch)
              }
            }
          }
        }
      }
    }
    return (output, probabilities)
  }

  /// Writes dQ, dK and dV in their operands' layouts (they may be one packed buffer).
  func backward(
    gradient g: UnsafePointer<Float>, q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
    probabilities: UnsafePointer<Float>, dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>,
    dv: UnsafeMutablePointer<Float>
  ) {
    // With several query heads per key/value head, each head's dK/dV goes to its own scratch
    // (heads run on different cores) and the group is summed afterwards.
    let shared = groups > 1
    var scratch = [Float](repeating: 0, count: shared ? 2 * batch * heads * keys * headDim : 0)
    scratch.withUnsafeMutableBufferPointer { scratchBuffer in
      let spare = SendablePointer(scratchBuffer.baseAddress ?? dq)
      let (gs, qs, ks, vs, ps) = (
        UncheckedSendable(g), UncheckedSendable(q), UncheckedSendable(k), UncheckedSendable(v),
        UncheckedSendable(probabilities)
      )
      let (dqs, dks, dvs) = (SendablePointer(dq), SendablePointer(dk), SendablePointer(dv))
      forEachHead { b, h in
        let qh = qs.value + queryStart(b, h)
        let kh = ks.value + keyStart(b, h)
        let vh = vs.value + valueStart(b, h)
        let p = ps.value + probabilitiesStart(b, h)
        let gh = gs.value + outputStart(b, h)
        let dqh = dqs.pointer + queryStart(b, h)
        let dkh: UnsafeMutablePointer<Float>
        let dvh: UnsafeMutablePointer<Float>
        let dkStride: Int
        let dvStride: Int
        if shared {
          dkh = spare.pointer + (b * heads + h) * keys * headDim
          dvh = spare.pointer + (batch * heads + b * heads + h) * keys * headDim
          (dkStride, dvStride) = (headDim, headDim)
        } else {
          dkh = dks.pointer + keyStart(b, h)
          dvh = dvs.pointer + valueStart(b, h)
          (dkStride, dvStride) = (key.stride, value.stride)
          for s in 0..<keys {
            (dkh + s * dkStride).update(repeating: 0, count: headDim)
            (dvh + s * dvStride).update(repeating: 0, count: headDim)
          }
        }
        var dScores = [Float](unsafeUninitializedCapacity: blockRows * keys) { _, initialized in
          initialized = blockRows * keys
        }
        dScores.withUnsafeMutableBufferPointer { dsBuffer in
          let ds = dsBuffer.baseAddress!
          var r0 = 0
          while r0 < queries {
            let r1 = Swift.min(queries, r0 + blockRows)
            let n = blockKeys(r1)
            let rows = r1 - r0
            // dP = dO · Vᵀ, then the softmax backward dS = P ⊙ (dP − Σ dP⊙P), times the score scale.
            AttentionPlan.gemm(
              false, true, rows, n, headDim, alpha: 1, gh + r0 * outputStride, outputStride, vh, value.stride, beta: 0,
              ds, keys)
            for t in r0..<r1 {
              let row = ds + (t - r0) * keys
              let pRow = p + t * keys
              let visible = visibleKeys(t)
              let dot = Kernels.dot(row, pRow, visible)
              let factor = scale
              RowKernels.combine(row, pRow, row, visible) { d, y in y * (d - dot) * factor }
              if visible < n { (row + visible).update(repeating: 0, count: n - visible) }
            }
            // dQ = dS · K; dK += dSᵀ · Q; dV += Pᵀ · dO.
            AttentionPlan.gemm(
              false, false, rows, headDim, n, alpha: 1, ds, keys, kh, key.stride, beta: 0, dqh + r0 * query.stride,
              query.stride)
            AttentionPlan.gemm(
              true, false, n, headDim, rows, alpha: 1, ds, keys, qh + r0 * query.stride, query.stride, beta: 1, dkh,
              dkStride)
            AttentionPlan.gemm(
              true, false, n, headDim, rows, alpha: 1, p + r0 * keys, keys, gh + r0 * outputStride, outputStride,
              beta: 1, dvh, dvStride)
            r0 = r1
          }
        }
      }
      guard shared, let base = scratchBuffer.baseAddress else { return }
      // Sum each group's per-head dK/dV into the shared key/value head.
      for b in 0..<batch {
        for kv in 0..<kvHeads {
          for s in 0..<keys {
            let dkRow = dk + (b * keys + s) * key.stride + key.offset + kv * headDim
            let dvRow = dv + (b * keys + s) * value.stride + value.offset + kv * headDim
            for column in 0..<headDim {
              dkRow[column] = 0
              dvRow[column] = 0
            }
            for member in 0..<groups {
              let h = kv * groups + member
              let kSource = base + ((b * heads + h) * keys + s) * headDim
              let vSource = base + ((batch * heads + b * heads + h) * keys + s) * headDim
              for column in 0..<headDim {
                dkRow[column] += kSource[column]
                dvRow[column] += vSource[column]
              }
            }
          }
        }
      }
    }
  }

  /// C[m×n] = alpha · op(A) · op(B) + beta · C with explicit row strides (leading dimensions).
  @inline(__always)
  static func gemm(
    _ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int, alpha: Float,
    _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
    beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
  ) {
    guard m > 0, n > 0 else { return }
    if k == 0 {
      for row in 0..<m {
        for column in 0..<n { c[row * ldc + column] = beta == 0 ? 0 : beta * c[row * ldc + column] }
      }
      return
    }
    cblas_sgemm(
      CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }
}
