import Foundation
import RadImaging
import RadModelFiles
import RadVision
import RadVisionTasks
import Testing

/// MedMNIST archives read into their splits (a numpy-written fixture), and, when
/// ../shared/data holds the real BreastMNIST, a small linear probe and a short fine-tuning run on
/// the official test split through the same code the CLI runs.
@Suite("MedMNIST tasks")
struct MedMNISTTests {
  static let fixtures = LinearProbeTests.fixtures
  static let breast = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
      "shared/data/images/medmnist/breastmnist.npz"
    ).path
  static let sharedPresent = FileManager.default.fileExists(atPath: breast)

  @Test func readsSplitsAsNumPyWroteThem() throws {
    let data = try MedMNISTData(path: Self.fixtures.appendingPathComponent("tiny_medmnist.npz").path)
    let expected = try LinearProbeTests.json("tiny_medmnist.json")
    for (name, split) in [("train", data.train), ("val", data.validation), ("test", data.test)] {
      let e = try #require(expected[name] as? [String: Any])
      #expect(split.count == e["count"] as? Int)
      #expect(split.labels == e["labels"] as? [Int])
      #expect(Int(split.pixels.reduce(0, +)) == e["pixel_sum"] as? Int)
      #expect(try split.image(0).pixels.prefix(5).map { Int($0) } == e["first_pixels"] as? [Int])
    }
    #expect(try data.train.prefix(3).count == 3)
  }

  @Test func labelOutsideZeroOneIsNamed() {
    #expect {
      try MedMNISTData(path: Self.fixtures.appendingPathComponent("bad_labels.npz").path)
    } throws: { error in
      "\(error)".contains("val_labels") && "\(error)".contains("2")
    }
  }

  @Test(.enabled(if: sharedPresent, "../shared/data/images/medmnist/breastmnist.npz is absent (not part of a clone)"))
  func smallProbeAndFineTuneOnBreastMNIST() throws {
    let data = try MedMNISTData(path: Self.breast)
    #expect(data.test.count == 156)
    let weights = try ModelCache().path(of: "efficientnet")
    var settings = ImageTaskSettings(task: .breastmnist, method: .probe)
    settings.size = 32
    settings.trainLimit = 48
    settings.bootstrapSamples = 50
    let probe = try MedMNISTExperiment.run(
      data: data, settings: settings, model: try EfficientNetLite(checkpoint: weights))
    #expect(probe.testImages == 156 && probe.trainImages == 48)
    #expect(probe.test.low <= probe.test.auroc && probe.test.auroc <= probe.test.high)
    #expect(probe.test.auroc > 0.5, "probe test AUROC \(probe.test.auroc)")
    settings.method = .finetune
    settings.steps = 2
    settings.batchSize = 4
    let tuned = try MedMNISTExperiment.run(
      data: data, settings: settings, model: try EfficientNetLite(checkpoint: weights))
    #expect(tuned.details["steps"] == 2)
    #expect(tuned.details["final_train_loss"].map(\.isFinite) == true)
  }
}
