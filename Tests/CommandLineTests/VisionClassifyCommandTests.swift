import Foundation
import RadImaging
import Testing

/// `radlm vision classify`: the public-domain Grace Hopper photograph (the EfficientNet-Lite0
/// fixture) written as a PNG gets PyTorch's top-5 classes with their softmax probabilities and
/// open_clip's ImageNet names; `radlm clip train|zero-shot|retrieve` run end to end on a few
/// project-made images.
@Suite("radlm vision classify and clip")
struct VisionClassifyCommandTests {
  static let visionFixtures = CommandRunner.repositoryRoot.appendingPathComponent("Tests/RadVisionTests/Fixtures")

  static func json(_ url: URL) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
  }

  @Test func classifyPrintsPyTorchsTopClasses() throws {
    let folder = CommandRunner.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let rgb = [UInt8](try Data(contentsOf: Self.visionFixtures.appendingPathComponent("images/grace_hopper_224.rgb")))
    let png = folder.appendingPathComponent("hopper.png")
    try Data(PNGEncoder.encode(width: 224, height: 224, rgb: rgb)).write(to: png)
    let output = try CommandRunner.run(["vision", "classify", "--top", "5", png.path])
    #expect(output.status == 0, "\(output.stderr)")
    let line = try #require(
      try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
    let top = try #require(line["top"] as? [[String: Any]])
    let reference = try Self.json(Self.visionFixtures.appendingPathComponent("efficientnet_lite0_logits.json"))
    let names = try #require(
      try Self.json(Self.visionFixtures.appendingPathComponent("imagenet_class_names.json"))["names"] as? [String])
    let logits = try #require((reference["logits"] as? [[Double]])?.first)
    let expectedTop = try #require((reference["top5"] as? [[Int]])?.first)
    let largest = logits.max() ?? 0
    let total = logits.reduce(0) { $0 + Foundation.exp($1 - largest) }
    #expect(top.map { $0["index"] as? Int } == expectedTop)
    for entry in top {
      let index = try #require(entry["index"] as? Int)
      #expect(entry["label"] as? String == names[index])
      let probability = try #require(entry["probability"] as? Double)
      #expect(abs(probability - Foundation.exp(logits[index] - largest) / total) < 1e-4)
    }
  }

  @Test func clipTrainZeroShotAndRetrieve() throws {
    let folder = CommandRunner.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let texts = ["bright square in the centre", "dark image", "vertical stripes", "horizontal stripes"]
    var lines: [String] = []
    for (k, text) in texts.enumerated() {
      var pixels = [Float](repeating: 0, count: 48 * 48)
      for r in 0..<48 {
        for c in 0..<48 {
          let value: Float
          switch k {
          case 0: value = (16..<32).contains(r) && (16..<32).contains(c) ? 250 : 20
          case 1: value = 10
          case 2: value = c / 6 % 2 == 0 ? 230 : 30
          default: value = r / 6 % 2 == 0 ? 230 : 30
          }
          pixels[r * 48 + c] = value
        }
      }
      let image = try Image(rows: 48, columns: 48, pixels: pixels)
      try PNGEncoder.write(image, to: folder.appendingPathComponent("image\(k).png").path)
      lines.append(#"{"image":"image\#(k).png","text":"\#(text)"}"#)
    }
    let pairs = folder.appendingPathComponent("pairs.jsonl")
    try Data(lines.joined(separator: "\n").utf8).write(to: pairs)
    let model = folder.appendingPathComponent("clip")
    let train = try CommandRunner.run([
      "clip", "train", "--pairs", pairs.path, "--validation", pairs.path, "--out", model.path, "--size", "32",
      "--projection", "8", "--steps", "30", "--batch-size", "4", "--learning-rate", "0.01", "--json",
    ])
    #expect(train.status == 0, "\(train.stderr)")
    let losses = train.stdout.split(separator: "\n").compactMap {
      (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["loss"] as? Double
    }
    #expect(losses.count == 30)
    #expect((losses.last ?? .infinity) < (losses.first ?? 0), "losses \(losses)")
    #expect(FileManager.default.fileExists(atPath: model.appendingPathComponent("projections.safetensors").path))

    let zeroShot = try CommandRunner.run([
      "clip", "zero-shot", "--model", model.path, "--labels", "dark image,vertical stripes",
      folder.appendingPathComponent("image1.png").path, folder.appendingPathComponent("image2.png").path,
    ])
    #expect(zeroShot.status == 0, "\(zeroShot.stderr)")
    let rows = zeroShot.stdout.split(separator: "\n").compactMap {
      (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["probabilities"] as? [String: Double]
    }
    #expect(rows.count == 2)
    for row in rows { #expect(abs(row.values.reduce(0, +) - 1) < 1e-5 && row.count == 2) }

    let retrieve = try CommandRunner.run(["clip", "retrieve", "--model", model.path, "--pairs", pairs.path])
    #expect(retrieve.status == 0, "\(retrieve.stderr)")
    let recall = try #require(
      try JSONSerialization.jsonObject(with: Data(retrieve.stdout.utf8)) as? [String: Any])
    #expect(recall["pairs"] as? Int == 4)
    let imageToText = try #require(recall["image_to_text"] as? [String: Double])
    #expect(Set(imageToText.keys) == ["r1", "r5", "r10"])
    #expect(imageToText.values.allSatisfy { (0...1).contains($0) })
  }
}
