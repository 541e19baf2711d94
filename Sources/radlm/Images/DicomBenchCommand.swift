import ArgumentParser
import Foundation
import RadImaging

/// `radlm bench dicom FILE… [--json]`: decode throughput of DICOM files held in memory (parse,
/// decode pixels, apply the modality rescale), in MB/s of decoded pixel data; benchmarks/
/// dicom_bench.py runs pydicom on the same files beside it.
struct DicomBenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dicom",
    abstract: "Measure DICOM decode + rescale throughput (MB/s of pixel data) on files held in memory."
  )

  @Argument(help: "DICOM files with native or RLE pixel data.")
  var files: [String] = []

  @Option(help: "Timed repetitions per file; the median is reported.")
  var repetitions = 7

  @Option(name: .customLong("min-time"), help: "Minimum seconds per repetition (calls are batched to reach it).")
  var minimumSeconds = 0.2

  @Flag(help: "Print one JSON object: {\"files\":[{\"file\",\"pixel_bytes\",\"seconds\",\"mb_per_s\"}]}.")
  var json = false

  func validate() throws {
    if files.isEmpty { throw ValidationError("name at least one DICOM FILE") }
    if let missing = files.first(where: { !FileManager.default.fileExists(atPath: $0) }) {
      throw ValidationError("FILE '\(missing)' does not exist")
    }
    try OptionCheck.count(repetitions, "--repetitions")
    if minimumSeconds <= 0 { throw ValidationError("--min-time must be positive") }
  }

  func run() throws {
    let timer = BenchTimer(warmups: 1, repetitions: repetitions, minimumSeconds: minimumSeconds)
    var rows: [String] = []
    for path in files {
      guard let data = FileManager.default.contents(atPath: path) else {
        throw ValidationError("FILE '\(path)' cannot be read")
      }
      let bytes = [UInt8](data)
      let pixels = try DicomFile(bytes: bytes, file: path).modalityPixels()
      let bits = try DicomPixelLayout(try DicomFile(bytes: bytes, file: path).dataSet).bitsAllocated
      let pixelBytes = Double(pixels.values.count * bits) / 8
      let seconds = timer.secondsPerCall {
        let decoded = try? DicomFile(bytes: bytes, file: path).modalityPixels()
        return Float(decoded?.values.first ?? 0)
      }
      let rate = pixelBytes / seconds / 1e6
      let name = (path as NSString).lastPathComponent
      if json {
        rows.append(
          "{\"file\":\"\(name)\",\"pixel_bytes\":\(Int(pixelBytes)),\"seconds\":\(seconds),\"mb_per_s\":\(rate)}")
      } else {
        print(
          "\(name)\t\(Int(pixelBytes)) bytes\t\(String(format: "%.3f", seconds * 1e3)) ms\t\(String(format: "%.1f", rate)) MB/s"
        )
      }
    }
    if json { print("{\"files\":[\(rows.joined(separator: ","))]}") }
  }
}
