/// The geometry of a 2-D convolution or pooling window: stride, zero padding on each side,
/// dilation and channel groups. Padding may differ between the two sides of an axis, which is how
/// TensorFlow's "same" padding (more at the bottom/right for even totals) is expressed.
public struct Conv2DGeometry: Sendable, Equatable {
  public var strideH: Int, strideW: Int
  public var padTop: Int, padBottom: Int, padLeft: Int, padRight: Int
  public var dilationH: Int, dilationW: Int
  public var groups: Int

  /// Square stride, symmetric padding and dilation (PyTorch's `Conv2d` integer arguments).
  public init(stride: Int = 1, padding: Int = 0, dilation: Int = 1, groups: Int = 1) {
    self.init(
      strideH: stride, strideW: stride, padTop: padding, padBottom: padding, padLeft: padding, padRight: padding,
      dilationH: dilation, dilationW: dilation, groups: groups)
  }

  /// Every field explicitly.
  public init(
    strideH: Int, strideW: Int, padTop: Int, padBottom: Int, padLeft: Int, padRight: Int,
    dilationH: Int = 1, dilationW: Int = 1, groups: Int = 1
  ) {
    precondition(strideH > 0 && strideW > 0 && dilationH > 0 && dilationW > 0 && groups > 0, "bad conv geometry")
    precondition(padTop >= 0 && padBottom >= 0 && padLeft >= 0 && padRight >= 0, "negative padding")
    self.strideH = strideH
    self.strideW = strideW
    self.padTop = padTop
    self.padBottom = padBottom
    self.padLeft = padLeft
    self.padRight = padRight
    self.dilationH = dilationH
    self.dilationW = dilationW
    self.groups = groups
  }

  /// TensorFlow's "same" padding for a square `kernel` and `stride` on an `height`×`width` input:
  /// the output is ceil(input / stride) and the odd pixel of padding goes to the bottom/right.
  public static func same(kernel: Int, stride: Int, height: Int, width: Int, groups: Int = 1) -> Conv2DGeometry {
    func split(_ size: Int) -> (Int, Int) {
      let out = (size + stride - 1) / stride
      let total = Swift.max((out - 1) * stride + kernel - size, 0)
      return (total / 2, total - total / 2)
    }
    let (top, bottom) = split(height)
    let (left, right) = split(width)
    return Conv2DGeometry(
      strideH: stride, strideW: stride, padTop: top, padBottom: bottom, padLeft: left, padRight: right,
      groups: groups)
  }

  /// Output height and width for an input of `height`×`width` and a `kernelH`×`kernelW` window.
  public func outputSize(height: Int, width: Int, kernelH: Int, kernelW: Int) -> (Int, Int) {
    let spanH = dilationH * (kernelH - 1) + 1
    let spanW = dilationW * (kernelW - 1) + 1
    return (
      (height + padTop + padBottom - spanH) / strideH + 1,
      (width + padLeft + padRight - spanW) / strideW + 1
    )
  }
}

/// 2-D convolution over NCHW images (PyTorch `F.conv2d`, cross-correlation), the layer every CNN
/// encoder is built from. Grouped convolutions with one input channel per group (depthwise) run a
/// direct loop per channel plane; the others lower each sample and group to one matrix product
/// (im2col, skipped for 1×1 stride-1 kernels) on BLAS. Backward is the matching pair of products
/// with the column matrix rebuilt rather than stored, so training memory stays that of the output.
extension Tensor {
  /// Convolves `self` [N, C, H, W] with `weight` [O, C/groups, kH, kW] and adds `bias` [O].
  public func conv2d(weight: Tensor, bias: Tensor? = nil, geometry: Conv2DGeometry = Conv2DGeometry()) -> Tensor {
    precondition(
      rank == 4 && weight.rank == 4, "conv2d needs NCHW input and OIHW weight, got \(shape), \(weight.shape)")
    let plan = ConvPlan(input: shape, weight: weight.shape, geometry: geometry)
    if let bias {
      precondition(bias.count == plan.outChannels, "conv2d bias has \(bias.count) values, needs \(plan.outChannels)")
    }
    let input = data
    let kernel = weight.data
    var values = plan.forward(input: input, weight: kernel)
    if let bias { plan.addBias(&values, bias.data) }
    let inputs = [self, weight] + (bias.map { [$0] } ?? [])
    return Tensor.result(shape: plan.outputShape, data: values, inputs: inputs) { gradient, needed in
      var result: [[Float]?] = Array(repeating: nil, count: needed.count)
      let (dx, dw) = plan.backward(
        gradient: gradient, input: input, weight: kernel, needInput: needed[0], needWeight: needed[1])
      result[0] = dx
      result[1] = dw
      if needed.count > 2, needed[2] { result[2] = plan.biasGradient(gradient) }
      return result
    }
  }

  /// `conv2d` with square stride, symmetric padding and dilation given as integers.
  public func conv2d(
    weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0, dilation: Int = 1, groups: Int = 1
  ) -> Tensor {
    conv2d(
      weight: weight, bias: bias,
      geometry: Conv2DGeometry(stride: stride, padding: padding, dilation: dilation, groups: groups))
  }
}

/// Shapes of one convolution and its forward and backward kernels.
struct ConvPlan: Sendable {
  let batch: Int, inChannels: Int, height: Int, width: Int
  let outChannels: Int, kernelH: Int, kernelW: Int
  let outH: Int, outW: Int
  let g: Conv2DGeometry
  /// Input and output channels per group.
  let groupIn: Int, groupOut: Int

  init(input: [Int], weight: [Int], geometry: Conv2DGeometry) {
    batch = input[0]
    inChannels = input[1]
    height = input[2]
    width = input[3]
    outChannels = weight[0]
    kernelH = weight[2]
    kernelW = weight[3]
    g = geometry
    precondition(
      inChannels % geometry.groups == 0 && outChannels % geometry.groups == 0,
      "conv2d channels \(inChannels)→\(outChannels) not divisible by groups \(geometry.groups)")
    groupIn = inChannels / geometry.groups
    groupOut = outChannels / geometry.groups
    precondition(weight[1] == groupIn, "conv2d weight \(weight) needs \(groupIn) input channels per group")
    (outH, outW) = geometry.outputSize(height: height, width: width, kernelH: kernelH, kernelW: kernelW)
    precondition(outH > 0 && outW > 0, "conv2d window larger than the padded input \(input)")
  }

  var outputShape: [Int] { [batch, outChannels, outH, outW] }
  var planeIn: Int { height * width }
  var planeOut: Int { outH * outW }
  /// Rows of the column matrix: one per (input channel of the group, kernel tap).
  var columnRows: Int { groupIn * kernelH * kernelW }
  var isDepthwise: Bool { groupIn == 1 && g.groups > 1 }
  /// A 1×1, stride-1, unpadded convolution reads the input plane as its column matrix.
  var isPointwise: Bool {
    kernelH == 1 && kernelW == 1 && g.strideH == 1 && g.strideW == 1
      && g.padTop == 0 && g.padBottom == 0 && g.padLeft == 0 && g.padRight == 0
  }

  func forward(input: [Float], weight: [Float]) -> [Float] {
    let count = batch * outChannels * planeOut
    return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
      let out = buffer.baseAddress!
      input.withUnsafeBufferPointer { x in
        weight.withUnsafeBufferPointer { w in
          if isDepthwise {
            depthwiseForward(x.baseAddress!, w.baseAddress!, out)
          } else {
            gemmForward(x.baseAddress!, w.baseAddress!, out)
          }
        }
      }
      initialized = count
    }
  }

  func addBias(_ values: inout [Float], _ bias: [Float]) {
    let plane = planeOut
    values.withUnsafeMutableBufferPointer { buffer in
      let out = SendablePointer(buffer.baseAddress!)
      Parallel.forEachChunk(batch * outChannels, minimumPerThread: Swift.max(1, 32_768 / Swift.max(plane, 1))) {
        range in
        for index in range {
          let b = bias[index % outChannels]
          let row = out.pointer + index * plane
          for p in 0..<plane { row[p] += b }
        }
      }
    }
  }

  func biasGradient(_ gradient: [Float]) -> [Float] {
    var result = [Float](repeating: 0, count: outChannels)
    gradient.withUnsafeBufferPointer { g in
      for n in 0..<batch {
        for o in 0..<outChannels {
          result[o] += Kernels.sum(
            UnsafeBufferPointer(start: g.baseAddress! + (n * outChannels + o) * planeOut, count: planeOut))
        }
      }
    }
    return result
  }

  // MARK: im2col + GEMM

  /// Fills `col` [columnRows, planeOut] from the input channels of one sample and group.
  func im2col(_ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>) {
    for c in 0..<groupIn {
      let plane = x + c * planeIn
      for i in 0..<kernelH {
        for j in 0..<kernelW {
          let row = col + ((c * kernelH + i) * kernelW + j) * planeOut
          let (low, high) = validOutputColumns(tap: j)
          for oh in 0..<outH {
            let ih = oh * g.strideH - g.padTop + i * g.dilationH
            let dst = row + oh * outW
            if ih < 0 || ih >= height {
              dst.update(repeating: 0, count: outW)
              continue
            }
            let src = plane + ih * width - g.padLeft + j * g.dilationW
            if low > 0 { dst.update(repeating: 0, count: low) }
            if g.strideW == 1 {
              (dst + low).update(from: src + low, count: Swift.max(high - low, 0))
            } else {
              for ow in low..<Swift.max(high, low) { dst[ow] = src[ow * g.strideW] }
            }
            if high < outW { (dst + Swift.max(high, 0)).update(repeating: 0, count: outW - Swift.max(high, 0)) }
          }
        }
      }
    }
  }

  /// Adds the column matrix `col` back into the input-gradient planes of one sample and group.
  func col2im(_ col: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>) {
    for c in 0..<groupIn {
      let plane = dx + c * planeIn
      for i in 0..<kernelH {
        for j in 0..<kernelW {
          let row = col + ((c * kernelH + i) * kernelW + j) * planeOut
          let (low, high) = validOutputColumns(tap: j)
          if high <= low { continue }
          for oh in 0..<outH {
            let ih = oh * g.strideH - g.padTop + i * g.dilationH
            if ih < 0 || ih >= height { continue }
            let dst = plane + ih * width - g.padLeft + j * g.dilationW
            let src = row + oh * outW
            for ow in low..<high { dst[ow * g.strideW] += src[ow] }
          }
        }
      }
    }
  }

  /// The output columns `low..<high` whose input column for kernel tap `j` lies inside the image.
  func validOutputColumns(tap j: Int) -> (Int, Int) {
    let offset = j * g.dilationW - g.padLeft  // iw = ow * stride + offset
    let low = offset >= 0 ? 0 : (-offset + g.strideW - 1) / g.strideW
    let limit = width - offset  // need ow * stride < limit
    let high = limit <= 0 ? 0 : Swift.min(outW, (limit + g.strideW - 1) / g.strideW)
    return (Swift.min(low, outW), high)
  }

  func gemmForward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>) {
    let k = columnRows
    var column = isPointwise ? [] : [Float](repeating: 0, count: k * planeOut)
    column.withUnsafeMutableBufferPointer { colBuffer in
      for n in 0..<batch {
        for group in 0..<g.groups {
          let source = x + (n * inChannels + group * groupIn) * planeIn
          let b: UnsafePointer<Float>
          if isPointwise {
            b = source
          } else {
            im2col(source, colBuffer.baseAddress!)
            b = UnsafePointer(colBuffer.baseAddress!)
          }
          BLAS.gemm(
            transposeA: false, transposeB: false, m: groupOut, n: planeOut, k: k,
            a: w + group * groupOut * k, b: b, c: out + (n * outChannels + group * groupOut) * planeOut)
        }
      }
    }
  }

  func backward(
    gradient: [Float], input: [Float], weight: [Float], needInput: Bool, needWeight: Bool
  ) -> ([Float]?, [Float]?) {
    guard needInput || needWeight else { return (nil, nil) }
    if isDepthwise {
      return depthwiseBackward(
        gradient: gradient, input: input, weight: weight, needInput: needInput, needWeight: needWeight)
    }
    var dx = needInput ? [Float](repeating: 0, count: input.count) : []
    var dw = needWeight ? [Float](repeating: 0, count: weight.count) : []
    let k = columnRows
    var column = [Float](repeating: 0, count: isPointwise ? 0 : k * planeOut)
    var columnGradient = [Float](repeating: 0, count: (isPointwise || !needInput) ? 0 : k * planeOut)
    gradient.withUnsafeBufferPointer { gy in
      input.withUnsafeBufferPointer { x in
        weight.withUnsafeBufferPointer { w in
          dx.withUnsafeMutableBufferPointer { dxBuffer in
            dw.withUnsafeMutableBufferPointer { dwBuffer in
              column.withUnsafeMutableBufferPointer { colBuffer in
                columnGradient.withUnsafeMutableBufferPointer { dcolBuffer in
                  for n in 0..<batch {
                    for group in 0..<g.groups {
                      let source = x.baseAddress! + (n * inChannels + group * groupIn) * planeIn
                      let dy = gy.baseAddress! + (n * outChannels + group * groupOut) * planeOut
                      let weights = w.baseAddress! + group * groupOut * k
                      if needWeight {
                        let b: UnsafePointer<Float>
                        if isPointwise {
                          b = source
                        } else {
                          im2col(source, colBuffer.baseAddress!)
                          b = UnsafePointer(colBuffer.baseAddress!)
                        }
                        // dW_g[Og, K] += dY_g[Og, P] · col[K, P]ᵀ
                        BLAS.gemm(
                          transposeA: false, transposeB: true, m: groupOut, n: k, k: planeOut,
                          a: dy, b: b, beta: 1, c: dwBuffer.baseAddress! + group * groupOut * k)
                      }
                      if needInput {
                        let dxGroup = dxBuffer.baseAddress! + (n * inChannels + group * groupIn) * planeIn
                        // dcol[K, P] = W_gᵀ · dY_g, written straight into dx for pointwise kernels.
                        let target = isPointwise ? dxGroup : dcolBuffer.baseAddress!
                        BLAS.gemm(
                          transposeA: true, transposeB: false, m: k, n: planeOut, k: groupOut,
                          a: weights, b: dy, c: target)
                        if !isPointwise { col2im(UnsafePointer(dcolBuffer.baseAddress!), dxGroup) }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    return (needInput ? dx : nil, needWeight ? dw : nil)
  }

  // MARK: depthwise (one input channel per group)

  /// Output channel o reads input channel o / groupOut; planes split across cores.
  func depthwiseForward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>) {
    let xs = UncheckedSendable(x)
    let ws = UncheckedSendable(w)
    let outs = SendablePointer(out)
    let taps = kernelH * kernelW
    Parallel.forEachChunk(batch * outChannels, minimumPerThread: Swift.max(1, 8_192 / Swift.max(planeOut * taps, 1))) {
      range in
      for index in range {
        let n = index / outChannels
        let o = index % outChannels
        let c = o / groupOut
        let plane = xs.value + (n * inChannels + c) * planeIn
        let dst = outs.pointer + index * planeOut
        dst.update(repeating: 0, count: planeOut)
        let filter = ws.value + o * taps
        for i in 0..<kernelH {
          for j in 0..<kernelW {
            let weight = filter[i * kernelW + j]
            let (low, high) = validOutputColumns(tap: j)
            if high <= low { continue }
            for oh in 0..<outH {
              let ih = oh * g.strideH - g.padTop + i * g.dilationH
              if ih < 0 || ih >= height { continue }
              let src = plane + ih * width - g.padLeft + j * g.dilationW
              let row = dst + oh * outW
              if g.strideW == 1 {
                for ow in low..<high { row[ow] += weight * src[ow] }
              } else {
                for ow in low..<high { row[ow] += weight * src[ow * g.strideW] }
              }
            }
          }
        }
      }
    }
  }

  /// Per input channel (so no two workers write the same gradient): dx from every output channel
  /// of its group and every sample, and those output channels' filter gradients.
  func depthwiseBackward(
    gradient: [Float], input: [Float], weight: [Float], needInput: Bool, needWeight: Bool
  ) -> ([Float]?, [Float]?) {
    var dx = [Float](repeating: 0, count: needInput ? input.count : 0)
    var dw = [Float](repeating: 0, count: needWeight ? weight.count : 0)
    let taps = kernelH * kernelW
    gradient.withUnsafeBufferPointer { gyBuffer in
      input.withUnsafeBufferPointer { xBuffer in
        weight.withUnsafeBufferPointer { wBuffer in
          dx.withUnsafeMutableBufferPointer { dxBuffer in
            dw.withUnsafeMutableBufferPointer { dwBuffer in
              let gy = UncheckedSendable(gyBuffer.baseAddress!)
              let x = UncheckedSendable(xBuffer.baseAddress!)
              let w = UncheckedSendable(wBuffer.baseAddress!)
              let dxBase = dxBuffer.baseAddress.map(SendablePointer.init)
              let dwBase = dwBuffer.baseAddress.map(SendablePointer.init)
              Parallel.forEachChunk(inChannels, minimumPerThread: 1) { range in
                for c in range {
                  for o in (c * groupOut)..<((c + 1) * groupOut) {
                    let filter = w.value + o * taps
                    for n in 0..<batch {
                      let plane = x.value + (n * inChannels + c) * planeIn
                      let dPlane = dxBase.map { $0.pointer + (n * inChannels + c) * planeIn }
                      let dy = gy.value + (n * outChannels + o) * planeOut
                      for i in 0..<kernelH {
                        for j in 0..<kernelW {
                          let tap = i * kernelW + j
                          let weight = filter[tap]
                          let (low, high) = validOutputColumns(tap: j)
                          if high <= low { continue }
                          var tapSum: Float = 0
                          for oh in 0..<outH {
                            let ih = oh * g.strideH - g.padTop + i * g.dilationH
                            if ih < 0 || ih >= height { continue }
                            let shift = ih * width - g.padLeft + j * g.dilationW
                            let row = dy + oh * outW
                            let src = plane + shift
                            if needWeight {
                              for ow in low..<high { tapSum += row[ow] * src[ow * g.strideW] }
                            }
                            if let dPlane {
                              let dst = dPlane + shift
                              for ow in low..<high { dst[ow * g.strideW] += weight * row[ow] }
                            }
                          }
                          if let dwBase { dwBase.pointer[o * taps + tap] += tapSum }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    return (needInput ? dx : nil, needWeight ? dw : nil)
  }
}
