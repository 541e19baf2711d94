import Foundation
import Testing

/// Runs the `radlm` executable built beside the test bundle.
enum CommandRunner {
  static var executable: URL {
    get throws {
      var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
      for _ in 0..<4 {
        let candidate = folder.appendingPathComponent("radlm")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        folder = folder.deletingLastPathComponent()
      }
      throw RunnerError.notBuilt(CommandLine.arguments[0])
    }
  }

  enum RunnerError: Error, CustomStringConvertible {
    case notBuilt(String)
    var description: String {
      switch self {
      case .notBuilt(let testBundle): "radlm executable not found near \(testBundle) — build with `swift build` first"
      }
    }
  }

  struct Output {
    let status: Int32
    let stdout: String
    let stderr: String
  }

  static func launch(_ arguments: [String]) throws -> (Process, Pipe, Pipe) {
    let process = Process()
    process.executableURL = try executable
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    return (process, out, err)
  }

  static func run(_ arguments: [String]) throws -> Output {
    let (process, out, err) = try launch(arguments)
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Output(
      status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
      stderr: String(decoding: stderr, as: UTF8.self))
  }

  static var repositoryRoot: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  }

  static func temporaryFolder() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("radlm-cli-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}
