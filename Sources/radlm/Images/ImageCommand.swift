import ArgumentParser
import Foundation
import RadImaging

/// `radlm image`: look at and convert medical image files (DICOM, PNG, NumPy).
struct ImageCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "image",
    abstract: "Inspect and convert images: DICOM Part 10, PNG, NumPy .npy.",
    subcommands: [ImageInfoCommand.self, ImageConvertCommand.self]
  )
}

/// `radlm image info FILE [--json]`: format, DICOM attributes and pixel statistics after the
/// modality rescale over all frames.
struct ImageInfoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "info",
    abstract: "Print an image's format, size, DICOM attributes and pixel statistics (after rescale, all frames)."
  )

  @Argument(help: "A DICOM, PNG or .npy file.")
  var file: String

  @Flag(
    help: """
      Print JSON: {"format","modality","rows","columns","frames","transfer_syntax","photometric","bits_stored",\
      "rescale_slope","rescale_intercept","pixel_min","pixel_max","pixel_mean"}.
      """)
  var json = false

  func validate() throws {
    guard FileManager.default.fileExists(atPath: file) else { throw ValidationError("FILE '\(file)' does not exist") }
  }

  func run() throws {
    let info = try ImageInfo.of(path: file)
    if json {
      print(info.json)
      return
    }
    func text(_ value: (any CustomStringConvertible)?) -> String { value.map { $0.description } ?? "-" }
    print("format             \(info.format)")
    print("modality           \(text(info.modality))")
    print("size               \(info.rows) rows × \(info.columns) columns × \(info.frames) frames")
    print("transfer syntax    \(text(info.transferSyntax))")
    print("photometric        \(text(info.photometric))")
    print("bits stored        \(text(info.bitsStored))")
    print("rescale            slope \(text(info.rescaleSlope)), intercept \(text(info.rescaleIntercept))")
    print("pixels             min \(info.pixelMin), max \(info.pixelMax), mean \(info.pixelMean)")
  }
}

/// `radlm image convert FILE OUT.png [--window C,W] [--frame N]`: one frame as an 8-bit PNG.
struct ImageConvertCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "convert",
    abstract: "Write one frame of an image as an 8-bit PNG (DICOM grey through a window, MONOCHROME1 inverted).",
    discussion: """
      Without --window a DICOM grey image uses its VOI LUT or first Window Center/Width, else the \
      frame's value range. PALETTE COLOR images go through their colour tables.
      """
  )

  @Argument(help: "A DICOM, PNG or .npy file.")
  var file: String

  @Argument(help: "The PNG to write.")
  var output: String

  @Option(help: "Window centre and width in modality units (e.g. 40,400 for a CT soft-tissue window).")
  var window: String?

  @Option(help: "Frame to write (0-based).")
  var frame = 0

  var parsedWindow: Window? {
    guard let window else { return nil }
    let parts = window.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
    guard parts.count == 2, let center = parts[0], let width = parts[1] else { return nil }
    return Window(center: center, width: width)
  }

  func validate() throws {
    guard FileManager.default.fileExists(atPath: file) else { throw ValidationError("FILE '\(file)' does not exist") }
    guard output.lowercased().hasSuffix(".png") else { throw ValidationError("OUT '\(output)' must end in .png") }
    if let window {
      guard let parsed = parsedWindow else { throw ValidationError("--window must be CENTER,WIDTH, got '\(window)'") }
      guard parsed.width >= 1 else { throw ValidationError("--window width must be at least 1, got \(parsed.width)") }
    }
    try OptionCheck.count(frame, "--frame", minimum: 0)
  }

  func run() throws {
    let image = try DisplayImage.render(path: file, window: parsedWindow, frame: frame)
    try PNGEncoder.write(image, to: output)
    print(output)
  }
}
