import RadImaging
import RadTensor
import RadVision

/// Turns images into EfficientNet-Lite0's input [N, 3, S, S]: display values 0–255 resized with
/// antialiased bilinear interpolation (torchvision's `resize(antialias=True)`), grey repeated
/// into three channels, then the model's (pixel − 127) / 128.
public enum EfficientNetInput {
  /// A batch of same-sized grey or RGB images with values 0–255, each resized to `size`².
  public static func batch(_ images: [Image], size: Int) throws -> Tensor {
    var values: [Float] = []
    values.reserveCapacity(images.count * 3 * size * size)
    for image in images {
      let resized =
        image.rows == size && image.columns == size
        ? image : try image.resized(rows: size, columns: size, method: .bilinear, antialias: true)
      let planes = try resized.threeChannels().channelsFirst()
      values += planes.map { ($0 - EfficientNetLite.pixelMean) / EfficientNetLite.pixelStd }
    }
    return Tensor(shape: [images.count, 3, size, size], data: values)
  }

  /// The image file at `path` (PNG, DICOM through its window, `.npy`) as the model sees it:
  /// display values, the shorter side resized to `size`, then the centre `size`² crop.
  public static func file(_ path: String, size: Int) throws -> Tensor {
    let display = try DisplayImage.render(path: path)
    let resized = try display.resized(shorterSide: size, method: .bilinear, antialias: true)
    return try batch([try resized.centerCropped(rows: size, columns: size)], size: size)
  }
}
