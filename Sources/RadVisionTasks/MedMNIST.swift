import Foundation
import RadImaging

/// The MedMNIST v2 binary tasks RadLM evaluates: each has an `.npz` with `train_`, `val_` and
/// `test_` images (28×28 grey, 0–255) and labels, its class names in MedMNIST's label order, and
/// text prompts per class for CLIP zero-shot classification. The score of class 1 is the one
/// AUROC ranks, as MedMNIST's own evaluator does for binary tasks.
public enum MedMNISTTask: String, CaseIterable, Sendable {
  case breastmnist
  case pneumoniamnist

  /// MedMNIST's label names (index = label).
  public var classNames: [String] {
    switch self {
    case .breastmnist: return ["malignant", "normal or benign"]
    case .pneumoniamnist: return ["normal", "pneumonia"]
    }
  }

  /// Prompt ensembles per class (index = label) for zero-shot classification.
  public var prompts: [[String]] {
    switch self {
    case .breastmnist:
      return [
        ["a breast ultrasound image of a malignant tumor", "malignant breast lesion", "breast cancer on ultrasound"],
        ["a breast ultrasound image of normal or benign tissue", "benign breast lesion", "normal breast ultrasound"],
      ]
    case .pneumoniamnist:
      return [
        ["a normal chest x-ray", "no acute cardiopulmonary process", "the lungs are clear"],
        ["a chest x-ray showing pneumonia", "pneumonia", "airspace opacity consistent with pneumonia"],
      ]
    }
  }
}

/// Labelled grey images of one split, stored as one flat 0–255 array (`count` × rows × columns).
public struct LabelledImages: Sendable {
  public let rows: Int
  public let columns: Int
  public let pixels: [Float]
  public let labels: [Int]

  public init(rows: Int, columns: Int, pixels: [Float], labels: [Int]) throws {
    guard rows > 0, columns > 0, pixels.count == labels.count * rows * columns else {
      throw ImageError.invalidArgument(
        "\(labels.count) labels do not match \(pixels.count) pixels of \(rows)×\(columns) images")
    }
    self.rows = rows
    self.columns = columns
    self.pixels = pixels
    self.labels = labels
  }

  public var count: Int { labels.count }

  /// Image `index` as a one-channel `Image` (values 0–255).
  public func image(_ index: Int) throws -> Image {
    let size = rows * columns
    return try Image(
      rows: rows, columns: columns, pixels: Array(pixels[(index * size)..<((index + 1) * size)]),
      metadata: ImageMetadata(format: .npy, maximumSampleValue: 255))
  }

  /// The first `limit` images (all when nil or larger), for quick runs.
  public func prefix(_ limit: Int?) throws -> LabelledImages {
    guard let limit, limit < count else { return self }
    return try LabelledImages(
      rows: rows, columns: columns, pixels: Array(pixels[0..<(limit * rows * columns)]),
      labels: Array(labels[0..<limit]))
  }
}

/// A MedMNIST `.npz` read into its official train, validation and test splits.
public struct MedMNISTData: Sendable {
  public let train: LabelledImages
  public let validation: LabelledImages
  public let test: LabelledImages

  /// Reads `train_images`/`train_labels`, `val_…` and `test_…` from `path`; labels may be
  /// shaped (N) or (N, 1) and must be 0 or 1.
  public init(path: String) throws {
    let archive = try NumPyArchive(path: path)
    func split(_ name: String) throws -> LabelledImages {
      let images = try archive.array("\(name)_images")
      let labels = try archive.array("\(name)_labels")
      guard images.shape.count == 3 else {
        throw ImageError.malformed(file: path, reason: "\(name)_images has shape \(images.shape), expected (N, H, W)")
      }
      guard labels.shape.first == images.shape[0], labels.values.count == images.shape[0] else {
        throw ImageError.malformed(
          file: path, reason: "\(name)_labels has shape \(labels.shape) for \(images.shape[0]) images")
      }
      let classes = labels.values.map { Int($0) }
      if let bad = classes.first(where: { $0 != 0 && $0 != 1 }) {
        throw ImageError.malformed(file: path, reason: "\(name)_labels holds \(bad); a binary task needs 0 or 1")
      }
      return try LabelledImages(
        rows: images.shape[1], columns: images.shape[2], pixels: images.values.map { Float($0) }, labels: classes)
    }
    train = try split("train")
    validation = try split("val")
    test = try split("test")
  }
}
