import Foundation
import RadModelFiles
import RadTensor

/// EfficientNet-Lite: the mobile EfficientNet without squeeze-and-excitation and with ReLU6, built
/// from a stem convolution, a stack of MBConv blocks (1×1 expansion, depthwise k×k, 1×1 linear
/// projection, residual when shapes allow) and a 1×1 head, then global average pooling and a linear
/// classifier. Parameter names follow the released PyTorch state dict (`_blocks.3._depthwise_conv`).
public final class EfficientNetLite: ImageEncoder, @unchecked Sendable {
  /// One MBConv block's layers.
  struct Block {
    let expand: (conv: Conv2DLayer, norm: BatchNorm2DLayer)?
    let depthwise: Conv2DLayer
    let depthwiseNorm: BatchNorm2DLayer
    let project: Conv2DLayer
    let projectNorm: BatchNorm2DLayer
    let residual: Bool
  }

  public let parameters: ParameterStore
  let stem: Conv2DLayer
  let stemNorm: BatchNorm2DLayer
  let blocks: [Block]
  let head: Conv2DLayer
  let headNorm: BatchNorm2DLayer
  /// The ImageNet classifier ([classes, featureWidth] weight and bias).
  public let classifier: (weight: Parameter, bias: Parameter)

  /// (repeats, stride of the first block) per stage: EfficientNet-B0's table, which Lite0 keeps.
  public static let lite0Stages: [(repeats: Int, stride: Int)] = [
    (1, 1), (2, 2), (2, 2), (3, 2), (3, 1), (4, 2), (1, 1),
  ]
  /// TensorFlow's batch-norm epsilon, with which the weights were trained.
  public static let batchNormEps: Float = 1e-3
  /// Input scaling of EfficientNet-Lite: (pixel − 127) / 128 on 0–255 RGB.
  public static let pixelMean: Float = 127
  public static let pixelStd: Float = 128

  public var featureWidth: Int { head.outChannels }
  public var classCount: Int { classifier.weight.value.shape[0] }

  /// Builds the model from the tensors of a state dict (names as in the released `.pth`); the
  /// parameters go into `store` under those names.
  public init(
    tensors: (String) throws -> Tensor, names: Set<String>, stages: [(repeats: Int, stride: Int)] = lite0Stages,
    store: ParameterStore = ParameterStore()
  ) throws {
    parameters = store
    func norm(_ prefix: String) throws -> BatchNorm2DLayer {
      let statistics = BatchNormStatistics(
        mean: try tensors("\(prefix).running_mean").data, variance: try tensors("\(prefix).running_var").data)
      return BatchNorm2DLayer(
        store.scoped(prefix), weight: try tensors("\(prefix).weight"), bias: try tensors("\(prefix).bias"),
        statistics: statistics, eps: Self.batchNormEps)
    }
    func conv(_ prefix: String, stride: Int = 1, depthwise: Bool = false) throws -> Conv2DLayer {
      let weight = try tensors("\(prefix).weight")
      guard weight.rank == 4 else { throw VisionError.badWeights("\(prefix).weight has shape \(weight.shape)") }
      return Conv2DLayer(
        store.scoped(prefix), weight: weight, stride: stride, padding: .same, groups: depthwise ? weight.shape[0] : 1)
    }
    stem = try conv("_conv_stem", stride: 2)
    stemNorm = try norm("_bn0")
    var strides: [Int] = []
    for stage in stages { strides += [stage.stride] + Array(repeating: 1, count: stage.repeats - 1) }
    var blocks: [Block] = []
    var width = stem.outChannels
    for (index, stride) in strides.enumerated() {
      let prefix = "_blocks.\(index)"
      guard names.contains("\(prefix)._depthwise_conv.weight") else {
        throw VisionError.badWeights("missing \(prefix)._depthwise_conv.weight (expected \(strides.count) blocks)")
      }
      let expand =
        names.contains("\(prefix)._expand_conv.weight")
        ? (try conv("\(prefix)._expand_conv"), try norm("\(prefix)._bn0")) : nil
      let depthwise = try conv("\(prefix)._depthwise_conv", stride: stride, depthwise: true)
      let project = try conv("\(prefix)._project_conv")
      blocks.append(
        Block(
          expand: expand, depthwise: depthwise, depthwiseNorm: try norm("\(prefix)._bn1"), project: project,
          projectNorm: try norm("\(prefix)._bn2"), residual: stride == 1 && project.outChannels == width))
      width = project.outChannels
    }
    self.blocks = blocks
    head = try conv("_conv_head")
    headNorm = try norm("_bn1")
    classifier = (
      store.register("_fc.weight", try tensors("_fc.weight")), store.register("_fc.bias", try tensors("_fc.bias"))
    )
  }

  /// Loads the released PyTorch state dict (`radlm fetch efficientnet`).
  public convenience init(checkpoint url: URL) throws {
    let checkpoint = try TorchCheckpoint(url: url)
    try self.init(tensors: { try checkpoint.tensor($0) }, names: Set(checkpoint.tensorNames))
  }

  /// Pooled features [N, 1280] of preprocessed images [N, 3, H, W].
  public func encode(_ images: Tensor, training: Bool = false) -> Tensor {
    let x = featureMap(images, training: training)
    return x.adaptiveAvgPool2d(outputHeight: 1, outputWidth: 1).reshaped([x.shape[0], x.shape[1]])
  }

  /// The head's feature map [N, 1280, H/32, W/32] before pooling: one 1280-wide vector per
  /// 32×32 region, which early-fusion models use as image tokens.
  public func featureMap(_ images: Tensor, training: Bool = false) -> Tensor {
    precondition(images.rank == 4 && images.shape[1] == 3, "EfficientNet-Lite needs [N, 3, H, W], got \(images.shape)")
    var x = stemNorm(stem(images), training: training).relu6()
    for block in blocks {
      let input = x
      if let (conv, norm) = block.expand { x = norm(conv(x), training: training).relu6() }
      x = block.depthwiseNorm(block.depthwise(x), training: training).relu6()
      x = block.projectNorm(block.project(x), training: training)
      if block.residual { x = x + input }
    }
    return headNorm(head(x), training: training).relu6()
  }

  /// ImageNet logits [N, 1000].
  public func logits(_ images: Tensor, training: Bool = false) -> Tensor {
    encode(images, training: training).linear(weight: classifier.weight.value, bias: classifier.bias.value)
  }

  /// Converts interleaved 8-bit RGB pixels (height × width × 3) to the model's input [1, 3, H, W].
  public static func preprocess(rgb: [UInt8], height: Int, width: Int) throws -> Tensor {
    guard rgb.count == height * width * 3 else {
      throw VisionError.badInput("expected \(height)×\(width)×3 = \(height * width * 3) bytes, got \(rgb.count)")
    }
    var values = [Float](repeating: 0, count: rgb.count)
    let plane = height * width
    for p in 0..<plane {
      for c in 0..<3 { values[c * plane + p] = (Float(rgb[p * 3 + c]) - pixelMean) / pixelStd }
    }
    return Tensor(shape: [1, 3, height, width], data: values)
  }
}
