import Foundation
import Testing

/// `radlm` runs with glibc's huge-page heap tunable (it restarts itself once to get it), unless
/// `RADLM_HUGE_PAGES=0`; read from the running process's environment while `radlm chat` waits
/// for input (Linux: /proc).
@Suite("radlm heap on huge pages")
struct HugePageHeapTests {
  /// GLIBC_TUNABLES of a `radlm chat` process once it has read its model, or nil if unset.
  static func tunables(optOut: Bool) throws -> String? {
    let folder = try TinyModels.llamaFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let process = Process()
    process.executableURL = try CommandRunner.executable
    process.arguments = ["chat", "--model", folder.path, "--chat-template", "plain", "--max-tokens", "2"]
    var environment = ProcessInfo.processInfo.environment
    environment.removeValue(forKey: "GLIBC_TUNABLES")
    environment["RADLM_HUGE_PAGES"] = optOut ? "0" : nil
    process.environment = environment
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = Pipe()
    try process.run()
    defer {
      try? input.fileHandleForWriting.close()
      process.waitUntilExit()
    }
    // The chat's first prompt ("> ") comes after the model is open, long after a restart (which
    // happens before anything else).
    let first = output.fileHandleForReading.availableData
    #expect(!first.isEmpty, "radlm chat printed nothing")
    let raw = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(process.processIdentifier)/environ"))
    let variables = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    return variables.first { $0.hasPrefix("GLIBC_TUNABLES=") }.map { String($0.dropFirst("GLIBC_TUNABLES=".count)) }
  }

  @Test func radlmRunsWithTheHugePageTunable() throws {
    // Where transparent huge pages are off the restart is skipped, by design.
    let mode = try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8)
    let available = mode.map { $0.contains("[") && !$0.contains("[never]") } ?? false
    #expect(try Self.tunables(optOut: false) == (available ? "glibc.malloc.hugetlb=1" : nil))
  }

  @Test func optOutKeepsTheEnvironment() throws {
    #expect(try Self.tunables(optOut: true) == nil)
  }
}
