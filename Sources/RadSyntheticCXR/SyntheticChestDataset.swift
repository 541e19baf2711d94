import Foundation
import RadImaging

/// One line of `annotations.jsonl`: the image (relative to the data set folder), its report,
/// question–answer pairs, lesions (pixel coordinates; the centre of pixel (r, c) is
/// (c + 0.5, r + 0.5)) and effusion, with the key names the issue fixes.
public struct ChestAnnotation: Codable, Sendable, Equatable {
  public struct QuestionAnswer: Codable, Sendable, Equatable {
    public var question: String
    public var answer: String
  }

  public struct Lesion: Codable, Sendable, Equatable {
    public var x: Double
    public var y: Double
    public var rx: Double
    public var ry: Double
    public var side: String
    public var zone: String
    public var sizeMM: Int

    enum CodingKeys: String, CodingKey {
      case x, y, rx, ry, side, zone
      case sizeMM = "size_mm"
    }
  }

  public var image: String
  public var report: String
  public var qa: [QuestionAnswer]
  public var lesions: [Lesion]
  public var effusion: String

  /// The case number in the image's file name (`images/00042.png` → 42); splits use it.
  public var caseNumber: Int? {
    Int((image as NSString).lastPathComponent.prefix { $0.isNumber })
  }

  /// The annotation of `scene` whose PNG is `image`.
  public init(scene: ChestScene, image: String) {
    self.image = image
    report = ChestReport.report(for: scene)
    qa = ChestReport.questionsAndAnswers(for: scene).map { QuestionAnswer(question: $0.question, answer: $0.answer) }
    lesions = scene.lesions.map {
      Lesion(
        x: $0.x, y: $0.y, rx: $0.rx, ry: $0.ry, side: $0.side.rawValue, zone: $0.zone.rawValue,
        sizeMM: $0.sizeMillimetres(spacing: scene.spacing))
    }
    effusion = scene.effusion.rawValue
  }

  /// One JSON line with the keys in the issue's order.
  public var jsonLine: String {
    let pairs = qa.map { "{\"question\":\(JSONText.quoted($0.question)),\"answer\":\(JSONText.quoted($0.answer))}" }
    let lesionObjects = lesions.map { lesion in
      "{\"x\":\(lesion.x),\"y\":\(lesion.y),\"rx\":\(lesion.rx),\"ry\":\(lesion.ry),"
        + "\"side\":\(JSONText.quoted(lesion.side)),\"zone\":\(JSONText.quoted(lesion.zone)),\"size_mm\":\(lesion.sizeMM)}"
    }
    return "{\"image\":\(JSONText.quoted(image)),\"report\":\(JSONText.quoted(report)),"
      + "\"qa\":[\(pairs.joined(separator: ","))],\"lesions\":[\(lesionObjects.joined(separator: ","))],"
      + "\"effusion\":\(JSONText.quoted(effusion))}"
  }
}

/// One line of `priors.jsonl`: the prior study of a current image, its lesions and effusion in
/// the annotation's form, how each lesion changed, and the templated comparison.
public struct PriorAnnotation: Codable, Sendable, Equatable {
  public struct Change: Codable, Sendable, Equatable {
    public var change: String
    public var side: String
    public var zone: String
    public var currentMM: Int?
    public var priorMM: Int?

    enum CodingKeys: String, CodingKey {
      case change, side, zone
      case currentMM = "current_mm"
      case priorMM = "prior_mm"
    }
  }

  public var image: String
  public var prior: String
  public var lesions: [ChestAnnotation.Lesion]
  public var effusion: String
  public var changes: [Change]
  public var comparison: String
}

/// A synthetic radiology-like data set with exact ground truth: `radlm data synth-cxr` writes
/// `images/NNNNN.png` (current) and `images/NNNNN_prior.png` (prior), lesion label masks
/// `masks/…png` (0 background, k on lesion k), `annotations.jsonl` and `priors.jsonl`.
/// Case number mod 10 = 0 is the test split, 1 validation, the rest training.
public enum SyntheticChestDataset {
  /// What was written.
  public struct Summary: Sendable, Equatable {
    public var images: Int
    public var lesions: Int
    public var effusions: Int
    public var directory: String
  }

  /// Writes `count` cases of `size` pixels drawn from `seed` into `directory`.
  @discardableResult
  public static func write(
    count: Int, seed: UInt64, size: Int, to directory: URL, progress: (Int) -> Void = { _ in }
  ) throws -> Summary {
    guard count >= 1 else { throw SyntheticDataError.invalidArgument("count must be at least 1 (got \(count))") }
    let generator = try ChestSceneGenerator(size: size, seed: seed)
    let manager = FileManager.default
    do {
      for folder in ["images", "masks"] {
        try manager.createDirectory(
          at: directory.appendingPathComponent(folder), withIntermediateDirectories: true)
      }
    } catch {
      throw SyntheticDataError.io(
        path: directory.path, reason: "cannot create the folder: \(error.localizedDescription)")
    }
    var annotations: [String] = []
    var priors: [String] = []
    var summary = Summary(images: 0, lesions: 0, effusions: 0, directory: directory.path)
    for index in 0..<count {
      let name = String(format: "%05d", index)
      let scene = generator.scene(index: index)
      let prior = generator.prior(index: index)
      try writeImages(scene, name: name, in: directory)
      try writeImages(prior.scene, name: name + "_prior", in: directory)
      let annotation = ChestAnnotation(scene: scene, image: "images/\(name).png")
      annotations.append(annotation.jsonLine)
      let priorRecord = ChestAnnotation(scene: prior.scene, image: "images/\(name)_prior.png")
      let record = PriorAnnotation(
        image: annotation.image, prior: priorRecord.image, lesions: priorRecord.lesions, effusion: priorRecord.effusion,
        changes: prior.changes.map {
          .init(
            change: $0.change.rawValue, side: $0.side.rawValue, zone: $0.zone.rawValue,
            currentMM: $0.currentMillimetres, priorMM: $0.priorMillimetres)
        }, comparison: ChestReport.comparison(prior.changes))
      priors.append(try encodedLine(record))
      summary.images += 1
      summary.lesions += scene.lesions.count
      summary.effusions += scene.effusion == .none ? 0 : 1
      progress(index + 1)
    }
    try writeText(annotations, to: directory.appendingPathComponent("annotations.jsonl"))
    try writeText(priors, to: directory.appendingPathComponent("priors.jsonl"))
    return summary
  }

  static func writeImages(_ scene: ChestScene, name: String, in directory: URL) throws {
    try PNGEncoder.write(try scene.render(), to: directory.appendingPathComponent("images/\(name).png").path)
    let mask = try Image(rows: scene.size, columns: scene.size, pixels: scene.lesionMask().map { Float($0) })
    try PNGEncoder.write(mask, to: directory.appendingPathComponent("masks/\(name).png").path)
  }

  static func encodedLine<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
  }

  static func writeText(_ lines: [String], to url: URL) throws {
    do {
      try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url, options: .atomic)
    } catch {
      throw SyntheticDataError.io(path: url.path, reason: "cannot write: \(error.localizedDescription)")
    }
  }

  /// Reads `annotations.jsonl` (or another file of the same lines) from `path`, a file or a
  /// data set folder.
  public static func annotations(at path: String) throws -> [ChestAnnotation] {
    try lines(of: resolve(path, file: "annotations.jsonl"), as: ChestAnnotation.self)
  }

  /// Reads `priors.jsonl` of a data set folder (or the file itself).
  public static func priors(at path: String) throws -> [PriorAnnotation] {
    try lines(of: resolve(path, file: "priors.jsonl"), as: PriorAnnotation.self)
  }

  static func resolve(_ path: String, file: String) -> String {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
      return URL(fileURLWithPath: path).appendingPathComponent(file).path
    }
    return path
  }

  static func lines<T: Decodable>(of path: String, as type: T.Type) throws -> [T] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw SyntheticDataError.io(path: path, reason: "cannot read the file")
    }
    var records: [T] = []
    let decoder = JSONDecoder()
    for (number, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
      .enumerated()
    where !line.trimmingCharacters(in: .whitespaces).isEmpty {
      do { records.append(try decoder.decode(T.self, from: Data(line.utf8))) } catch {
        throw SyntheticDataError.malformed(file: path, line: number + 1, reason: "not a valid record (\(error))")
      }
    }
    return records
  }
}

/// JSON string literals for hand-ordered objects.
enum JSONText {
  static func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      default:
        if scalar.value < 0x20 {
          out += String(format: "\\u%04x", scalar.value)
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }
}
