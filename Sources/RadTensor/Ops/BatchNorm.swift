import Foundation

/// The running mean and variance a batch-norm layer keeps for inference (PyTorch's
/// `running_mean`, `running_var`, `num_batches_tracked`). Training updates them from each batch
/// with an exponential moving average; evaluation normalises with them instead of the batch.
public struct BatchNormStatistics: Sendable, Equatable {
  public var mean: [Float]
  public var variance: [Float]
  public var batchesTracked: Int

  /// Fresh statistics for `channels` channels (mean 0, variance 1), as PyTorch initialises them.
  public init(channels: Int) {
    self.init(mean: [Float](repeating: 0, count: channels), variance: [Float](repeating: 1, count: channels))
  }

  public init(mean: [Float], variance: [Float], batchesTracked: Int = 0) {
    precondition(mean.count == variance.count, "batch-norm mean and variance differ in length")
    self.mean = mean
    self.variance = variance
    self.batchesTracked = batchesTracked
  }

  /// running ← (1 − momentum)·running + momentum·batch, with the batch variance unbiased (n − 1),
  /// as PyTorch does.
  public mutating func update(batchMean: [Float], batchVariance: [Float], count: Int, momentum: Float) {
    let correction = count > 1 ? Float(count) / Float(count - 1) : 1
    for c in mean.indices {
      mean[c] = (1 - momentum) * mean[c] + momentum * batchMean[c]
      variance[c] = (1 - momentum) * variance[c] + momentum * batchVariance[c] * correction
    }
    batchesTracked += 1
  }
}

/// Batch normalisation over axis 1 of an [N, C, …] tensor (PyTorch `BatchNorm1d/2d`): each channel
/// is normalised by its mean and variance over the batch and all positions (training) or by the
/// running statistics (evaluation), then scaled by γ and shifted by β.
extension Tensor {
  /// Evaluation mode: (x − running mean) / sqrt(running variance + eps) · γ + β.
  public func batchNorm(weight: Tensor?, bias: Tensor?, statistics: BatchNormStatistics, eps: Float = 1e-5) -> Tensor {
    let rstd = statistics.variance.map { 1 / ($0 + eps).squareRoot() }
    return normalizeChannels(weight: weight, bias: bias, mean: statistics.mean, rstd: rstd, fromBatch: false)
  }

  /// Training mode: normalises with the batch's own statistics (biased variance) and updates
  /// `statistics` with `momentum` (PyTorch's default 0.1); gradients flow through the batch mean and
  /// variance.
  public func batchNorm(
    weight: Tensor?, bias: Tensor?, training statistics: inout BatchNormStatistics, momentum: Float = 0.1,
    eps: Float = 1e-5
  ) -> Tensor {
    let (channels, perChannel) = channelLayout()
    precondition(perChannel > 0, "batch norm in training needs at least one value per channel")
    var mean = [Float](repeating: 0, count: channels)
    var variance = [Float](repeating: 0, count: channels)
    let inner = shape[2...].reduce(1, *)
    data.withUnsafeBufferPointer { x in
      for c in 0..<channels {
        var total: Double = 0
        for n in 0..<shape[0] {
          let row = x.baseAddress! + (n * channels + c) * inner
          total += Double(Kernels.sum(UnsafeBufferPointer(start: row, count: inner)))
        }
        let mu = total / Double(perChannel)
        var squares: Double = 0
        for n in 0..<shape[0] {
          let row = x.baseAddress! + (n * channels + c) * inner
          for p in 0..<inner {
            let d = Double(row[p]) - mu
            squares += d * d
          }
        }
        mean[c] = Float(mu)
        variance[c] = Float(squares / Double(perChannel))
      }
    }
    statistics.update(batchMean: mean, batchVariance: variance, count: perChannel, momentum: momentum)
    let rstd = variance.map { 1 / ($0 + eps).squareRoot() }
    return normalizeChannels(weight: weight, bias: bias, mean: mean, rstd: rstd, fromBatch: true)
  }

  /// Channels and values per channel (batch × positions) of an [N, C, …] tensor.
  func channelLayout() -> (channels: Int, perChannel: Int) {
    precondition(rank >= 2, "batch norm needs [N, C, …], got \(shape)")
    return (shape[1], shape[0] * shape[2...].reduce(1, *))
  }

  /// y = (x − mean)·rstd·γ + β per channel. When the statistics came from this batch, the backward
  /// includes their dependence on x: dx = rstd/M · (M·ĝ − Σĝ − x̂·Σ ĝx̂) with ĝ = g·γ.
  func normalizeChannels(weight: Tensor?, bias: Tensor?, mean: [Float], rstd: [Float], fromBatch: Bool) -> Tensor {
    let (channels, perChannel) = channelLayout()
    if let weight {
      precondition(weight.count == channels, "batch norm weight has \(weight.count) values, needs \(channels)")
    }
    if let bias { precondition(bias.count == channels, "batch norm bias has \(bias.count) values, needs \(channels)") }
    precondition(mean.count == channels, "batch norm statistics have \(mean.count) channels, input has \(channels)")
    let batch = shape[0]
    let inner = shape[2...].reduce(1, *)
    let gamma = weight?.data
    let beta = bias?.data
    // Per channel: y = x·scale + shift.
    var scale = [Float](repeating: 0, count: channels)
    var shift = [Float](repeating: 0, count: channels)
    for c in 0..<channels {
      scale[c] = rstd[c] * (gamma?[c] ?? 1)
      shift[c] = (beta?[c] ?? 0) - mean[c] * scale[c]
    }
    let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
      data.withUnsafeBufferPointer { x in
        let out = SendablePointer(buffer.baseAddress!)
        let src = UncheckedSendable(x.baseAddress!)
        Parallel.forEachChunk(batch * channels, minimumPerThread: Swift.max(1, 32_768 / Swift.max(inner, 1))) { range in
          for row in range {
            let c = row % channels
            let (a, b) = (scale[c], shift[c])
            let s = src.value + row * inner
            let d = out.pointer + row * inner
            for p in 0..<inner { d[p] = s[p] * a + b }
          }
        }
      }
      initialized = count
    }
    let input = data
    let hasWeight = weight != nil
    let inputs = [self] + (weight.map { [$0] } ?? []) + (bias.map { [$0] } ?? [])
    return Tensor.result(shape: shape, data: values, inputs: inputs) { gradient, needed in
      // Per channel Σg and Σ g·x̂.
      var sumG = [Double](repeating: 0, count: channels)
      var sumGX = [Double](repeating: 0, count: channels)
      for n in 0..<batch {
        for c in 0..<channels {
          let base = (n * channels + c) * inner
          var g0: Double = 0
          var g1: Double = 0
          for p in 0..<inner {
            let g = Double(gradient[base + p])
            g0 += g
            g1 += g * Double((input[base + p] - mean[c]) * rstd[c])
          }
          sumG[c] += g0
          sumGX[c] += g1
        }
      }
      var result: [[Float]?] = Array(repeating: nil, count: needed.count)
      if needed[0] {
        var dx = [Float](repeating: 0, count: input.count)
        let m = Float(perChannel)
        for n in 0..<batch {
          for c in 0..<channels {
            let base = (n * channels + c) * inner
            let gammaC = gamma?[c] ?? 1
            if fromBatch {
              let meanG = Float(sumG[c]) / m
              let meanGX = Float(sumGX[c]) / m
              for p in 0..<inner {
                let xHat = (input[base + p] - mean[c]) * rstd[c]
                dx[base + p] = gammaC * rstd[c] * (gradient[base + p] - meanG - xHat * meanGX)
              }
            } else {
              let factor = gammaC * rstd[c]
              for p in 0..<inner { dx[base + p] = gradient[base + p] * factor }
            }
          }
        }
        result[0] = dx
      }
      if hasWeight, needed[1] { result[1] = sumGX.map { Float($0) } }
      let biasSlot = hasWeight ? 2 : 1
      if needed.count > biasSlot, needed[biasSlot] { result[biasSlot] = sumG.map { Float($0) } }
      return result
    }
  }
}
