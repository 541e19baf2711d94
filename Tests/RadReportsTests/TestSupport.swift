import Foundation

@testable import RadReports

/// Paths and helpers the RadReports tests share.
enum TestSupport {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures", isDirectory: true)
  static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  /// The fetched IU archive where `radlm fetch iu-reports` puts it (the same rule as ModelCache:
  /// RADLM_HOME, else XDG_CACHE_HOME/radlm, else ~/.cache/radlm).
  static var iuArchive: URL {
    let environment = ProcessInfo.processInfo.environment
    let root: URL
    if let home = environment["RADLM_HOME"], !home.isEmpty {
      root = URL(fileURLWithPath: home)
    } else if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
      root = URL(fileURLWithPath: xdg).appendingPathComponent("radlm")
    } else {
      root = URL(fileURLWithPath: NSHomeDirectory()).appendingPathComponent(".cache/radlm")
    }
    return root.appendingPathComponent("iu-reports/torchxrayvision/data/NLMCXR_reports.tgz")
  }

  struct MissingFetch: Error, CustomStringConvertible {
    let path: String
    var description: String { "\(path) is missing: run `radlm fetch iu-reports` (scripts/test.sh does)" }
  }

  /// The fetched archive, or an error saying to fetch it (these tests require the fetch).
  static func requireIUArchive() throws -> String {
    let path = iuArchive.path
    guard FileManager.default.fileExists(atPath: path) else { throw MissingFetch(path: path) }
    return path
  }

  /// The fetched collection, read once per test process (from a folder the archive is extracted
  /// to, until the archive reader lands).
  static func realCollection() throws -> IUReportCollection {
    try RealCollectionCache.shared.collection()
  }

  struct CommandFailed: Error, CustomStringConvertible {
    let description: String
  }

  /// Runs `python3 tools/reference/SCRIPT ARGS…` (with `input` on stdin) and returns its stdout.
  static func runReference(_ script: String, _ arguments: [String], input: Data? = nil) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments =
      ["python3", repositoryRoot.appendingPathComponent("tools/reference/\(script)").path]
      + arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let stdin = Pipe()
    if input != nil { process.standardInput = stdin }
    try process.run()
    if let input {
      stdin.fileHandleForWriting.write(input)
      try stdin.fileHandleForWriting.close()
    }
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw CommandFailed(description: "\(script) failed: \(String(decoding: stderr, as: UTF8.self))")
    }
    return stdout
  }
}

/// Reads the fetched collection once for all tests that need it.
/// `@unchecked Sendable`: the cached value is guarded by the lock.
final class RealCollectionCache: @unchecked Sendable {
  static let shared = RealCollectionCache()
  private let lock = NSLock()
  private var cached: IUReportCollection?

  func collection() throws -> IUReportCollection {
    lock.lock()
    defer { lock.unlock() }
    if let cached { return cached }
    let loaded = try IUReportCollection.load(from: try TestSupport.requireIUArchive())
    cached = loaded
    return loaded
  }
}
