import Foundation
import RadTensor
import RadVision

/// One image's classification by an ImageNet model: the file and its top classes, each with its
/// index, readable label (when a label list is known) and softmax probability.
public struct ImageClassification: Sendable {
  public struct Prediction: Sendable, Equatable {
    public var index: Int
    public var label: String?
    public var probability: Double
  }

  public var file: String
  public var top: [Prediction]

  /// Classifies the image file at `path` (PNG, DICOM, `.npy`), prepared as `EfficientNetInput.file`
  /// at `size`², returning the `k` most probable of the model's classes.
  public static func classify(
    path: String, model: EfficientNetLite, labels: [String]?, size: Int = 224, k: Int = 5
  ) throws -> ImageClassification {
    let input = try EfficientNetInput.file(path, size: size)
    let probabilities = Autograd.inferenceMode { model.logits(input).softmax() }.data
    let order = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] }
    let top = order.prefix(k).map { index in
      Prediction(
        index: index, label: labels.flatMap { index < $0.count ? $0[index] : nil },
        probability: Double(probabilities[index]))
    }
    return ImageClassification(file: path, top: top)
  }

  /// One JSON line: `{"file": …, "top": [{"index", "label", "probability"}, …]}` (label null when
  /// no label list is known).
  public var json: String {
    let object: [String: Any] = [
      "file": file,
      "top": top.map { prediction -> [String: Any] in
        ["index": prediction.index, "label": prediction.label ?? NSNull(), "probability": prediction.probability]
      },
    ]
    let data =
      (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
      ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self)
  }
}
