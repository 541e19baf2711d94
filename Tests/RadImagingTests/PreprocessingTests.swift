import Foundation
import Testing

@testable import RadImaging

/// Resizing and centre cropping against PyTorch (tools/reference/resize_fixtures.py), and the
/// other preprocessing steps and seeded augmentations by their definitions.
@Suite struct PreprocessingTests {
  struct Fixture: Decodable {
    let images: [Source]
    let resize: [Resize]
    let centerCrop: [Crop]

    enum CodingKeys: String, CodingKey {
      case images, resize
      case centerCrop = "center_crop"
    }
  }
  struct Source: Decodable {
    let channels: Int
    let rows: Int
    let columns: Int
    let values: [Float]
  }
  struct Resize: Decodable {
    let image: Int
    let method: String
    let antialias: Bool
    let outRows: Int
    let outColumns: Int
    let output: [Float]

    enum CodingKeys: String, CodingKey {
      case image, method, antialias, output
      case outRows = "out_rows"
      case outColumns = "out_columns"
    }
  }
  struct Crop: Decodable {
    let channels: Int
    let rows: Int
    let columns: Int
    let input: [Float]
    let outRows: Int
    let outColumns: Int
    let output: [Float]

    enum CodingKeys: String, CodingKey {
      case channels, rows, columns, input, output
      case outRows = "out_rows"
      case outColumns = "out_columns"
    }
  }

  static func fixture() throws -> Fixture { try Fixtures.json("resize.json", as: Fixture.self) }

  @Test func resizeEqualsPyTorchInterpolate() throws {
    let fixture = try Self.fixture()
    #expect(fixture.resize.count == 75)
    for item in fixture.resize {
      let source = fixture.images[item.image]
      let image = try Image.fromChannelsFirst(
        source.values, channels: source.channels, rows: source.rows, columns: source.columns)
      let method = try #require(ResizeMethod(rawValue: item.method))
      let out = try image.resized(
        rows: item.outRows, columns: item.outColumns, method: method, antialias: item.antialias)
      let planar = out.channelsFirst()
      let label =
        "\(source.rows)×\(source.columns)×\(source.channels) → \(item.outRows)×\(item.outColumns) \(item.method) aa=\(item.antialias)"
      #expect(planar.count == item.output.count, "\(label)")
      let worst = zip(planar, item.output).map { abs($0 - $1) }.max() ?? .infinity
      // Float32 arithmetic in a different summation order; fixture values have 7 decimals.
      #expect(worst <= 2e-6, "\(label): max difference \(worst)")
    }
  }

  @Test func centerCropEqualsTorchvision() throws {
    for item in try Self.fixture().centerCrop {
      let image = try Image.fromChannelsFirst(
        item.input, channels: item.channels, rows: item.rows, columns: item.columns)
      let out = try image.centerCropped(rows: item.outRows, columns: item.outColumns)
      #expect(out.channelsFirst() == item.output, "\(item.rows)×\(item.columns) → \(item.outRows)×\(item.outColumns)")
    }
  }

  @Test func padToSquareCentresTheImage() throws {
    let image = try Image(rows: 2, columns: 5, pixels: (1...10).map { Float($0) })
    let square = try image.paddedToSquare(value: -1)
    #expect(square.rows == 5 && square.columns == 5)
    // Rows 0 and 3, 4 are padding (difference 3: one before, two after).
    #expect(square.pixels[0..<5].allSatisfy { $0 == -1 })
    #expect(Array(square.pixels[5..<15]) == image.pixels)
    #expect(square.pixels[15...].allSatisfy { $0 == -1 })
  }

  @Test func normaliseScaleAndThreeChannels() throws {
    var grey = try Image(rows: 1, columns: 2, pixels: [0, 255])
    grey.metadata.maximumSampleValue = 255
    let unit = try grey.scaledToUnit()
    #expect(unit.pixels == [0, 1])
    let rgb = try unit.threeChannels()
    #expect(rgb.channels == 3 && rgb.pixels == [0, 0, 0, 1, 1, 1])
    let normal = try rgb.normalized(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
    #expect(normal.pixels[0] == (0 - 0.485) / 0.229 && normal.pixels[5] == (1 - 0.406) / 0.225)
    #expect(throws: ImageError.self) { try rgb.normalized(mean: [0, 0], std: [1, 1]) }
    let rgba = try Image(rows: 1, columns: 1, channels: 4, pixels: [1, 2, 3, 4])
    #expect(try rgba.threeChannels().pixels == [1, 2, 3])
  }

  @Test func flipAndRotationByTheirDefinitions() throws {
    let image = try Image(rows: 3, columns: 3, pixels: (0..<9).map { Float($0) })
    #expect(image.flippedHorizontally().pixels == [2, 1, 0, 5, 4, 3, 8, 7, 6])
    #expect(image.rotated(degrees: 0).pixels == image.pixels)
    // 90° counter-clockwise: the right column becomes the top row.
    let quarter = image.rotated(degrees: 90)
    let expected: [Float] = [2, 5, 8, 1, 4, 7, 0, 3, 6]
    #expect(zip(quarter.pixels, expected).allSatisfy { abs($0 - $1) < 1e-5 })
  }

  @Test func augmentationsRepeatForASeedAndStayInBounds() throws {
    let image = try Image(rows: 32, columns: 40, pixels: (0..<1280).map { Float($0 % 97) })
    let augmentation = ImageAugmentation(
      cropSize: (24, 24), horizontalFlipProbability: 0.5, maximumRotation: 10, brightness: 0.1, contrast: 0.1)
    var a = SeededGenerator(seed: 7)
    var b = SeededGenerator(seed: 7)
    var c = SeededGenerator(seed: 8)
    let first = try augmentation.apply(to: image, using: &a)
    #expect(first == (try augmentation.apply(to: image, using: &b)))
    #expect(first != (try augmentation.apply(to: image, using: &c)))
    #expect(first.rows == 24 && first.columns == 24)
    var generator = SeededGenerator(seed: 1)
    for _ in 0..<200 {
      let box = augmentation.cropBox(rows: 32, columns: 40, using: &generator)
      #expect(box.top >= 0 && box.left >= 0 && box.top + box.rows <= 32 && box.left + box.columns <= 40)
      let fraction = Double(box.rows * box.columns) / 1280
      #expect(fraction > 0.05 && fraction <= 1)
    }
    // No flip unless asked: a chest X-ray keeps its laterality.
    var never = SeededGenerator(seed: 3)
    #expect(try ImageAugmentation().apply(to: image, using: &never) == image)
  }
}
