import RadTensor
import RadVision

/// Frozen-encoder features of labelled images: EfficientNet-Lite0's pooled 1280-wide vectors in
/// inference mode (batch-norm running statistics), computed a batch at a time.
public enum ImageFeatures {
  /// One feature row per image of `images`, each image resized to `size`²; `progress` is called
  /// with the number of images done after every batch.
  public static func efficientNet(
    _ model: EfficientNetLite, images: LabelledImages, size: Int, batchSize: Int = 32,
    progress: (Int) -> Void = { _ in }
  ) throws -> [[Double]] {
    var rows: [[Double]] = []
    rows.reserveCapacity(images.count)
    var start = 0
    while start < images.count {
      let end = Swift.min(images.count, start + batchSize)
      let input = try EfficientNetInput.batch(try (start..<end).map { try images.image($0) }, size: size)
      let features = Autograd.inferenceMode { model.encode(input) }
      let width = features.shape[1]
      for b in 0..<(end - start) {
        rows.append(features.data[(b * width)..<((b + 1) * width)].map(Double.init))
      }
      start = end
      progress(end)
    }
    return rows
  }
}
