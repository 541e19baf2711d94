import Foundation
import Testing

/// `radlm vision bench`: bad options are refused with exit 64 and a message naming the option; a
/// small run prints one JSON object with the throughput.
@Suite("radlm vision")
struct VisionCommandTests {
  @Test(arguments: [
    (["--batch", "0"], "--batch"), (["--size", "8"], "--size"), (["--threads", "0"], "--threads"),
    (["--repetitions", "0"], "--repetitions"), (["--seconds", "0"], "--seconds"),
  ])
  func badOptionsExit64(_ arguments: [String], _ option: String) throws {
    let output = try CommandRunner.run(["vision", "bench"] + arguments)
    #expect(output.status == 64)
    #expect(output.stderr.contains(option), "\(output.stderr)")
  }

  @Test func benchPrintsThroughput() throws {
    let output = try CommandRunner.run(
      ["vision", "bench", "--batch", "1", "--size", "64", "--threads", "1", "--repetitions", "1", "--seconds", "0.01"])
    #expect(output.status == 0, "\(output.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
    #expect(object["model"] as? String == "efficientnet-lite0")
    #expect((object["images_per_second"] as? Double ?? 0) > 0)
  }
}
