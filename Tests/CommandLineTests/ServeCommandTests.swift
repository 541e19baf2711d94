import Foundation
import Testing

/// `radlm serve` refuses bad options before loading anything: exit 64 with a one-line message
/// naming the option.
@Suite("radlm serve options")
struct ServeCommandTests {
  static let cases: [([String], String)] = [
    (["--port", "70000"], "--port"),
    (["--max-queue", "0"], "--max-queue"),
    (["--max-batch", "0"], "--max-batch"),
    (["--max-context", "1"], "--max-context"),
    (["--timeout", "0"], "--timeout"),
    (["--max-body-bytes", "10"], "--max-body-bytes"),
    (["--api-key-file", "/nonexistent/key.txt"], "--api-key-file"),
    (["--rag-db", "/nonexistent/store.sqlite"], "--rag-db"),
    (["--embedding-model", "/nonexistent/minilm"], "--embedding-model"),
    (["--cors-origin", ""], "--cors-origin"),
  ]

  @Test(arguments: cases)
  func badOptionsExit64NamingTheOption(_ arguments: [String], _ option: String) throws {
    // --model names an existing folder so that only the option under test is wrong.
    let result = try CommandRunner.run(["serve", "--model", NSTemporaryDirectory()] + arguments)
    #expect(result.status == 64, "\(arguments): \(result.stderr)")
    #expect(result.stderr.contains(option), "\(arguments): \(result.stderr)")
  }

  @Test func aMissingModelNamesTheModelOption() throws {
    let result = try CommandRunner.run(["serve", "--model", "/nonexistent/model.gguf"])
    #expect(result.status == 64)
    #expect(result.stderr.contains("--model"))
  }
}
