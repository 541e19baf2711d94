import Foundation
import RadImaging
import Testing

@testable import RadSyntheticCXR

/// The synthetic chest data set: the same seed gives the same bytes, and every annotation agrees
/// with the pixels and masks written next to it.
@Suite struct SyntheticChestDatasetTests {
  static func temporaryFolder() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("radlm-synth-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  static func files(in folder: URL) throws -> [String: Data] {
    var result: [String: Data] = [:]
    let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
    while let url = enumerator?.nextObject() as? URL {
      var isDirectory: ObjCBool = false
      _ = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
      if !isDirectory.boolValue {
        result[String(url.path.dropFirst(folder.path.count))] = try Data(contentsOf: url)
      }
    }
    return result
  }

  @Test func sameSeedWritesTheSameBytesAndSmallerSetsArePrefixes() throws {
    let (a, b, c, d) = (Self.temporaryFolder(), Self.temporaryFolder(), Self.temporaryFolder(), Self.temporaryFolder())
    defer { for url in [a, b, c, d] { try? FileManager.default.removeItem(at: url) } }
    try SyntheticChestDataset.write(count: 6, seed: 11, size: 64, to: a)
    try SyntheticChestDataset.write(count: 6, seed: 11, size: 64, to: b)
    try SyntheticChestDataset.write(count: 3, seed: 11, size: 64, to: c)
    try SyntheticChestDataset.write(count: 6, seed: 12, size: 64, to: d)
    let (first, second) = (try Self.files(in: a), try Self.files(in: b))
    #expect(first.count == 2 + 6 * 4)
    #expect(first == second)
    let prefix = try SyntheticChestDataset.annotations(at: c.path)
    #expect(Array(try SyntheticChestDataset.annotations(at: a.path).prefix(3)) == prefix)
    #expect(try SyntheticChestDataset.annotations(at: d.path) != SyntheticChestDataset.annotations(at: a.path))
  }

  @Test func annotationLinesHaveExactlyTheIssueKeys() throws {
    let folder = Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    try SyntheticChestDataset.write(count: 12, seed: 3, size: 64, to: folder)
    let text = try String(contentsOf: folder.appendingPathComponent("annotations.jsonl"), encoding: .utf8)
    var sawLesion = false
    for line in text.split(separator: "\n") {
      let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      #expect(Set(object.keys) == ["image", "report", "qa", "lesions", "effusion"])
      for pair in try #require(object["qa"] as? [[String: Any]]) { #expect(Set(pair.keys) == ["question", "answer"]) }
      for lesion in try #require(object["lesions"] as? [[String: Any]]) {
        sawLesion = true
        #expect(Set(lesion.keys) == ["x", "y", "rx", "ry", "side", "zone", "size_mm"])
      }
      #expect(["none", "left", "right", "both"].contains(try #require(object["effusion"] as? String)))
    }
    #expect(sawLesion)
  }

  @Test(arguments: [64, 128])
  func annotationsAgreeWithPixelsAndMasks(size: Int) throws {
    let folder = Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let count = size == 64 ? 40 : 16
    try SyntheticChestDataset.write(count: count, seed: 5, size: size, to: folder)
    let generator = try ChestSceneGenerator(size: size, seed: 5)
    let annotations = try SyntheticChestDataset.annotations(at: folder.path)
    #expect(annotations.count == count)
    var counts = Set<Int>()
    var effusions = Set<String>()
    for (index, annotation) in annotations.enumerated() {
      let scene = generator.scene(index: index)
      let image = try PNGDecoder.decode(path: folder.appendingPathComponent(annotation.image).path)
      let mask = try PNGDecoder.decode(
        path: folder.appendingPathComponent(annotation.image.replacingOccurrences(of: "images/", with: "masks/")).path)
      #expect(image.rows == size && image.columns == size && mask.rows == size)
      counts.insert(annotation.lesions.count)
      effusions.insert(annotation.effusion)
      // Mask labels are exactly the annotated ellipses.
      for (k, lesion) in annotation.lesions.enumerated() {
        var pixels: [Int] = []
        for row in 0..<size {
          for column in 0..<size {
            let (u, v) = ((Double(column) + 0.5 - lesion.x) / lesion.rx, (Double(row) + 0.5 - lesion.y) / lesion.ry)
            let inside = u * u + v * v <= 1
            #expect((mask[row: row, column: column] == Float(k + 1)) == inside, "case \(index) lesion \(k)")
            if inside { pixels.append(row * size + column) }
          }
        }
        #expect(!pixels.isEmpty)
        // Every mask pixel lies in aerated lung on the annotated side.
        let lung = scene.lung(try #require(BodySide(rawValue: lesion.side)))
        for p in pixels {
          let (px, py) = (Double(p % size) + 0.5, Double(p / size) + 0.5)
          #expect(lung.contains(px, py) && !scene.inEffusion(px, py), "case \(index) lesion \(k)")
        }
        // Side from the image half (the patient's right is on the image's left), zone from the lung's thirds.
        #expect((lesion.x < Double(size) / 2) == (lesion.side == "right"))
        #expect(lung.zone(ofHeight: lesion.y).rawValue == lesion.zone)
        #expect(lesion.sizeMM == Int((2 * max(lesion.rx, lesion.ry) * 320 / Double(size)).rounded()))
        // The pixels show it: brighter than the aerated lung around it.
        let lesionMean = pixels.map { Double(image.pixels[$0]) }.reduce(0, +) / Double(pixels.count)
        var lungValues: [Double] = []
        for row in 0..<size {
          for column in 0..<size where mask[row: row, column: column] == 0 {
            let (px, py) = (Double(column) + 0.5, Double(row) + 0.5)
            if lung.contains(px, py) && !scene.inEffusion(px, py) {
              lungValues.append(Double(image[row: row, column: column]))
            }
          }
        }
        let lungMean = lungValues.reduce(0, +) / Double(lungValues.count)
        #expect(lesionMean - lungMean > 25, "case \(index) lesion \(k): \(lesionMean) vs lung \(lungMean)")
        if !scene.blurred && scene.noise == 0 {
          let brightness = scene.lesions[k].brightness
          for p in pixels {
            let behind = Double(image.pixels[p]) - brightness
            #expect(behind >= ChestScene.aeratedLung - 0.5 && behind <= ChestScene.aeratedLung + 14.5)
          }
        }
      }
      #expect(Set(mask.pixels).count == annotation.lesions.count + 1)
      // Report and answers state the same facts.
      let answers = Dictionary(uniqueKeysWithValues: annotation.qa.map { ($0.question, $0.answer) })
      #expect(answers["How many nodules?"] == String(annotation.lesions.count))
      let largest = annotation.lesions.max { $0.sizeMM < $1.sizeMM }
      #expect(answers["Which side is the largest nodule on?"] == (largest?.side ?? "none"))
      #expect(answers["What size is the largest nodule?"] == (largest.map { "\($0.sizeMM) mm" } ?? "none"))
      #expect(answers["Is there an effusion?"] == (annotation.effusion == "none" ? "no" : "yes"))
      let sizes = annotation.lesions.map(\.sizeMM).sorted(by: >)
      if sizes.count > 1 { #expect(sizes[0] - sizes[1] >= 3) }
      let word = ["No nodules.", "One nodule:", "Two nodules:", "Three nodules:"][annotation.lesions.count]
      #expect(annotation.report.contains(word))
      for lesion in annotation.lesions {
        #expect(annotation.report.contains("\(lesion.side) \(lesion.zone) zone \(lesion.sizeMM) mm"))
      }
      let pleura = [
        "none": "No pleural effusion.", "left": "Left pleural effusion.", "right": "Right pleural effusion.",
        "both": "Bilateral pleural effusions.",
      ]
      #expect(annotation.report.hasSuffix(try #require(pleura[annotation.effusion])))
      // An effusion shows as fluid-dense pixels at the base of each affected lung.
      for side in BodySide.allCases {
        let lung = scene.lung(side)
        let base = (Int(lung.x), Int(lung.y + lung.ry * 0.93))
        let value = image[row: base.1, column: base.0]
        let covered = EffusionSide(rawValue: annotation.effusion)?.covers(side) ?? false
        #expect(covered ? value > 85 : value < 75, "case \(index) \(side) base \(value)")
      }
    }
    #expect(counts == [0, 1, 2, 3] || size == 128)
    #expect(effusions.count >= 3 || size == 128)
  }

  @Test func priorsDescribeTheChangeBetweenStudies() throws {
    let folder = Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    try SyntheticChestDataset.write(count: 30, seed: 9, size: 64, to: folder)
    let annotations = try SyntheticChestDataset.annotations(at: folder.path)
    let priors = try SyntheticChestDataset.priors(at: folder.path)
    #expect(priors.count == annotations.count)
    var kinds = Set<String>()
    for (current, prior) in zip(annotations, priors) {
      #expect(prior.image == current.image)
      #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(prior.prior).path))
      let present = prior.changes.filter { $0.change != "resolved" }
      #expect(present.count == current.lesions.count)
      for (change, lesion) in zip(present, current.lesions) {
        kinds.insert(change.change)
        #expect(change.side == lesion.side && change.zone == lesion.zone && change.currentMM == lesion.sizeMM)
        switch change.change {
        case "new": #expect(change.priorMM == nil)
        case "larger": #expect(try #require(change.priorMM) < lesion.sizeMM)
        case "smaller": #expect(try #require(change.priorMM) > lesion.sizeMM)
        default: #expect(change.priorMM == lesion.sizeMM)
        }
      }
      let resolved = prior.changes.filter { $0.change == "resolved" }
      resolved.forEach { _ in kinds.insert("resolved") }
      #expect(
        prior.lesions.count == current.lesions.count - present.filter { $0.change == "new" }.count + resolved.count)
      #expect(
        prior.comparison == "No interval change."
          ? prior.changes.allSatisfy { $0.change == "unchanged" } : prior.changes.contains { $0.change != "unchanged" })
    }
    #expect(kinds.isSuperset(of: ["unchanged", "new", "larger", "resolved"]))
  }

  @Test func badSizesAndCountsAreRefusedAndBadLinesNamed() throws {
    #expect(throws: SyntheticDataError.self) { try ChestSceneGenerator(size: 100, seed: 1) }
    #expect(throws: SyntheticDataError.self) {
      try SyntheticChestDataset.write(count: 0, seed: 1, size: 64, to: Self.temporaryFolder())
    }
    let folder = Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("annotations.jsonl")
    try Data("{\"image\":\"a.png\"}\n".utf8).write(to: file)
    do {
      _ = try SyntheticChestDataset.annotations(at: folder.path)
      Issue.record("a line without the required keys was accepted")
    } catch SyntheticDataError.malformed(let path, let line, _) {
      #expect(path == file.path && line == 1)
    }

  }
}
