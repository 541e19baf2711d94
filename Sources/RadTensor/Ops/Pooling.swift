/// Pooling summarises each window of an NCHW feature map by its maximum or average (PyTorch
/// `max_pool2d`, `avg_pool2d`, `adaptive_avg_pool2d`). Max pooling remembers which input won each
/// window so its backward routes the gradient there; average pooling spreads it evenly.
extension Tensor {
  /// Max over `kernel`×`kernel` windows; padding counts as −∞ (PyTorch's semantics).
  public func maxPool2d(kernel: Int, stride: Int? = nil, padding: Int = 0) -> Tensor {
    let window = PoolWindow(shape: shape, kernel: kernel, stride: stride ?? kernel, padding: padding)
    var winners = [Int](repeating: -1, count: window.outputCount)
    var values = [Float](repeating: 0, count: window.outputCount)
    data.withUnsafeBufferPointer { x in
      for plane in 0..<window.planes {
        let source = x.baseAddress! + plane * window.planeIn
        for oh in 0..<window.outH {
          for ow in 0..<window.outW {
            var best = -Float.infinity
            var winner = -1
            for ih in window.rows(oh) {
              for iw in window.columns(ow) {
                let value = source[ih * window.width + iw]
                if value > best || value.isNaN || winner < 0 {
                  best = value
                  winner = ih * window.width + iw
                }
                if value.isNaN { break }
              }
            }
            let out = plane * window.planeOut + oh * window.outW + ow
            values[out] = best
            winners[out] = winner
          }
        }
      }
    }
    let inputCount = count
    return Tensor.result(shape: window.outputShape, data: values, inputs: [self]) { gradient, _ in
      var dx = [Float](repeating: 0, count: inputCount)
      for plane in 0..<window.planes {
        for position in 0..<window.planeOut {
          let out = plane * window.planeOut + position
          if winners[out] >= 0 { dx[plane * window.planeIn + winners[out]] += gradient[out] }
        }
      }
      return [dx]
    }
  }

  /// Mean over `kernel`×`kernel` windows; with `countIncludePad` (PyTorch's default) zero padding
  /// counts in the divisor.
  public func avgPool2d(kernel: Int, stride: Int? = nil, padding: Int = 0, countIncludePad: Bool = true) -> Tensor {
    let window = PoolWindow(shape: shape, kernel: kernel, stride: stride ?? kernel, padding: padding)
    return averagePool(window) { oh, ow in
      let rows = window.rows(oh)
      let columns = window.columns(ow)
      if countIncludePad {
        let top = oh * window.stride - window.padding
        let left = ow * window.stride - window.padding
        let bottom = Swift.min(top + window.kernelH, window.height + window.padding)
        let right = Swift.min(left + window.kernelW, window.width + window.padding)
        return (rows, columns, Float((bottom - top) * (right - left)))
      }
      return (rows, columns, Float(rows.count * columns.count))
    }
  }

  /// Averages into a fixed `outputHeight`×`outputWidth` grid; cell i covers input rows
  /// floor(i·H/out)..<ceil((i+1)·H/out). (1, 1) is global average pooling.
  public func adaptiveAvgPool2d(outputHeight: Int, outputWidth: Int) -> Tensor {
    precondition(rank == 4, "adaptiveAvgPool2d needs NCHW, got \(shape)")
    let (height, width) = (shape[2], shape[3])
    let window = PoolWindow(shape: shape, outH: outputHeight, outW: outputWidth)
    return averagePool(window) { oh, ow in
      let rows = (oh * height / outputHeight)..<(((oh + 1) * height + outputHeight - 1) / outputHeight)
      let columns = (ow * width / outputWidth)..<(((ow + 1) * width + outputWidth - 1) / outputWidth)
      return (rows, columns, Float(rows.count * columns.count))
    }
  }

  /// Shared forward/backward of average pooling; `cell` gives each output's input rows, columns
  /// and divisor.
  func averagePool(_ window: PoolWindow, cell: (Int, Int) -> (Range<Int>, Range<Int>, Float)) -> Tensor {
    var cells: [(Range<Int>, Range<Int>, Float)] = []
    cells.reserveCapacity(window.planeOut)
    for oh in 0..<window.outH {
      for ow in 0..<window.outW { cells.append(cell(oh, ow)) }
    }
    var values = [Float](repeating: 0, count: window.outputCount)
    data.withUnsafeBufferPointer { x in
      for plane in 0..<window.planes {
        let source = x.baseAddress! + plane * window.planeIn
        for (position, (rows, columns, divisor)) in cells.enumerated() {
          var total: Float = 0
          for ih in rows {
            for iw in columns { total += source[ih * window.width + iw] }
          }
          values[plane * window.planeOut + position] = total / divisor
        }
      }
    }
    let inputCount = count
    return Tensor.result(shape: window.outputShape, data: values, inputs: [self]) { gradient, _ in
      var dx = [Float](repeating: 0, count: inputCount)
      for plane in 0..<window.planes {
        for (position, (rows, columns, divisor)) in cells.enumerated() {
          let share = gradient[plane * window.planeOut + position] / divisor
          for ih in rows {
            for iw in columns { dx[plane * window.planeIn + ih * window.width + iw] += share }
          }
        }
      }
      return [dx]
    }
  }
}

/// The windows of one pooling: input and output sizes, and the in-image rows and columns of each
/// output cell.
struct PoolWindow {
  let planes: Int, height: Int, width: Int
  let kernelH: Int, kernelW: Int, stride: Int, padding: Int
  let outH: Int, outW: Int
  let leading: [Int]

  init(shape: [Int], kernel: Int, stride: Int, padding: Int) {
    precondition(shape.count == 4, "pooling needs NCHW, got \(shape)")
    precondition(kernel > 0 && stride > 0 && padding >= 0, "bad pooling window")
    precondition(padding * 2 <= kernel, "pooling padding \(padding) must be at most half the kernel \(kernel)")
    leading = Array(shape.prefix(2))
    planes = shape[0] * shape[1]
    height = shape[2]
    width = shape[3]
    kernelH = kernel
    kernelW = kernel
    self.stride = stride
    self.padding = padding
    outH = (height + 2 * padding - kernel) / stride + 1
    outW = (width + 2 * padding - kernel) / stride + 1
    precondition(outH > 0 && outW > 0, "pooling window larger than the padded input \(shape)")
  }

  init(shape: [Int], outH: Int, outW: Int) {
    precondition(outH > 0 && outW > 0, "adaptive pooling needs a positive output size")
    leading = Array(shape.prefix(2))
    planes = shape[0] * shape[1]
    height = shape[2]
    width = shape[3]
    kernelH = 0
    kernelW = 0
    stride = 1
    padding = 0
    self.outH = outH
    self.outW = outW
  }

  var planeIn: Int { height * width }
  var planeOut: Int { outH * outW }
  var outputCount: Int { planes * planeOut }
  var outputShape: [Int] { leading + [outH, outW] }

  func rows(_ oh: Int) -> Range<Int> {
    let start = oh * stride - padding
    return Swift.max(start, 0)..<Swift.min(start + kernelH, height)
  }

  func columns(_ ow: Int) -> Range<Int> {
    let start = ow * stride - padding
    return Swift.max(start, 0)..<Swift.min(start + kernelW, width)
  }
}
