import Foundation
import Testing

/// `radlm convert --to gguf` through the real executable: the GGUF it writes gives the folder's
/// logits (exactly in f32), and converts back to a Hugging Face folder.
@Suite("radlm convert --to gguf", .serialized)
struct ConvertCommandTests {
  static func logits(_ model: String) throws -> [String: Any] {
    let out = try CommandRunner.run(["logits", "--model", model, "--prompt", "the heart is normal", "--top", "5"])
    #expect(out.status == 0, "\(out.stderr)")
    return try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
  }

  @Test func folderToGGUFAndBack() throws {
    let folder = try TinyModels.llamaFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let reference = try Self.logits(folder.path)
    for dtype in ["f32", "q8_0"] {
      let gguf = folder.appendingPathComponent("tiny-\(dtype).gguf")
      let out = try CommandRunner.run(["convert", folder.path, "--to", "gguf", "--dtype", dtype, "--output", gguf.path])
      #expect(out.status == 0, "\(out.stderr)")
      let converted = try Self.logits(gguf.path)
      #expect(converted["input_ids"] as? [Int] == reference["input_ids"] as? [Int])
      #expect(converted["top_ids"] as? [Int] == reference["top_ids"] as? [Int])
      if dtype == "f32" {
        #expect(converted["top_logits"] as? [Double] == reference["top_logits"] as? [Double])
      }
    }
    let back = folder.appendingPathComponent("back")
    let out = try CommandRunner.run([
      "convert", "--model", folder.appendingPathComponent("tiny-f32.gguf").path, "--output", back.path,
    ])
    #expect(out.status == 0, "\(out.stderr)")
    #expect(try Self.logits(back.path)["top_logits"] as? [Double] == reference["top_logits"] as? [Double])
  }

  /// Scaled RoPE (fixtures of tools/reference/rope_gguf_fixtures.py): the GGUF gives the
  /// folder's top tokens; a llama3 GGUF (rope_freqs divisors only) has no config.json form.
  @Test(arguments: ["llama3", "linear", "yarn"])
  func scaledRopeFolderToGGUF(_ name: String) throws {
    let folder = CommandRunner.repositoryRoot.appendingPathComponent(
      "Tests/RadInferenceTests/Fixtures/rope_gguf/\(name)")
    let scratch = CommandRunner.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let gguf = scratch.appendingPathComponent("\(name).gguf")
    let out = try CommandRunner.run(["convert", folder.path, "--to", "gguf", "--output", gguf.path])
    #expect(out.status == 0, "\(out.stderr)")
    let reference = try Self.logits(folder.path)
    let converted = try Self.logits(gguf.path)
    #expect(converted["top_ids"] as? [Int] == reference["top_ids"] as? [Int])
    let a = try #require(reference["top_logits"] as? [Double]), b = try #require(converted["top_logits"] as? [Double])
    #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1e-5 }, "\(a) vs \(b)")
    let back = try CommandRunner.run(["convert", gguf.path, "--output", scratch.appendingPathComponent("hf").path])
    if name == "llama3" {
      #expect(back.status != 0)
      #expect(back.stderr.contains("rope_freqs.weight"), "\(back.stderr)")
    } else {
      #expect(back.status == 0, "\(back.stderr)")
      #expect(try Self.logits(scratch.appendingPathComponent("hf").path)["top_logits"] as? [Double] == b)
    }
  }

  @Test func encoderDecoderModelsAreRefusedByName() throws {
    let out = try CommandRunner.run(["convert", TinyModels.bart.path, "--to", "gguf", "--output", "/tmp/never.gguf"])
    #expect(out.status != 0)
    #expect(out.stderr.contains("bart"))
    #expect(!FileManager.default.fileExists(atPath: "/tmp/never.gguf"))
  }
}
