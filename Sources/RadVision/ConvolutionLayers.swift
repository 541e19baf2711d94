import RadTensor

/// How a convolution layer pads its input: fixed amounts (PyTorch's `padding=`), or TensorFlow's
/// "same" rule, computed from each input's size (models trained in TensorFlow, EfficientNet-Lite).
public enum ConvPadding: Sendable, Equatable {
  case fixed(Int)
  case same
}

/// A 2-D convolution layer: an OIHW weight (and optional bias) registered as parameters under the
/// layer's dotted name, with its stride, padding rule, dilation and groups.
public struct Conv2DLayer: Sendable {
  public let weight: Parameter
  public let bias: Parameter?
  public let stride: Int
  public let padding: ConvPadding
  public let dilation: Int
  public let groups: Int

  public init(
    _ scope: ParameterScope, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: ConvPadding,
    dilation: Int = 1, groups: Int = 1
  ) {
    self.weight = scope.register("weight", weight)
    self.bias = bias.map { scope.register("bias", $0) }
    self.stride = stride
    self.padding = padding
    self.dilation = dilation
    self.groups = groups
  }

  public var kernelSize: Int { weight.value.shape[3] }
  public var outChannels: Int { weight.value.shape[0] }

  public func callAsFunction(_ x: Tensor) -> Tensor {
    let geometry: Conv2DGeometry
    switch padding {
    case .fixed(let amount):
      geometry = Conv2DGeometry(stride: stride, padding: amount, dilation: dilation, groups: groups)
    case .same:
      geometry = Conv2DGeometry.same(
        kernel: kernelSize, stride: stride, height: x.shape[2], width: x.shape[3], groups: groups)
    }
    return x.conv2d(weight: weight.value, bias: bias?.value, geometry: geometry)
  }
}

/// A batch-norm layer over channels: γ and β as parameters, the running statistics as state that
/// training updates (a class, because every training step changes them in place).
public final class BatchNorm2DLayer: @unchecked Sendable {
  public let weight: Parameter
  public let bias: Parameter
  public var statistics: BatchNormStatistics
  public let eps: Float
  public let momentum: Float

  public init(
    _ scope: ParameterScope, weight: Tensor, bias: Tensor, statistics: BatchNormStatistics, eps: Float,
    momentum: Float = 0.1
  ) {
    self.weight = scope.register("weight", weight)
    self.bias = scope.register("bias", bias)
    self.statistics = statistics
    self.eps = eps
    self.momentum = momentum
  }

  /// Batch statistics (updating the running ones) when `training`, running statistics otherwise.
  public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
    if training {
      return x.batchNorm(
        weight: weight.value, bias: bias.value, training: &statistics, momentum: momentum, eps: eps)
    }
    return x.batchNorm(weight: weight.value, bias: bias.value, statistics: statistics, eps: eps)
  }
}
