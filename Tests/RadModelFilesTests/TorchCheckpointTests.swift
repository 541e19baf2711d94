import Foundation
import RadModelFiles
import RadTensor
import Testing

/// RadLM's `.pth` reader (legacy stream and zip layouts) against what PyTorch reads back from the same files (fixtures from
/// tools/reference/torch_checkpoint_fixtures.py): names in order, shapes, and every value of F32,
/// F16, BF16 and I64 tensors, including transposed, channels-last and offset views.
@Suite("PyTorch checkpoints")
struct TorchCheckpointTests {
  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/torch_checkpoint")

  struct Expected {
    let names: [String]
    let entries: [String: (dtype: String, shape: [Int], data: [Double])]
  }

  static func expected() throws -> Expected {
    let data = try Data(contentsOf: folder.appendingPathComponent("expected.json"))
    // JSONSerialization keeps no key order, so the order is read from the raw text.
    let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let tensors = try #require(root["tensors"] as? [String: [String: Any]])
    var entries: [String: (String, [Int], [Double])] = [:]
    for (name, entry) in tensors {
      entries[name] = (
        try #require(entry["dtype"] as? String), try #require(entry["shape"] as? [Int]),
        try #require(entry["data"] as? [Double])
      )
    }
    let text = String(decoding: data, as: UTF8.self)
    let names = entries.keys.sorted {
      text.range(of: "\"\($0)\": {")!.lowerBound < text.range(of: "\"\($1)\": {")!.lowerBound
    }
    return Expected(names: names, entries: entries)
  }

  func checkContents(_ checkpoint: TorchCheckpoint) throws {
    let expected = try Self.expected()
    #expect(checkpoint.tensorNames == expected.names)
    let storageNames = ["float32": "Float", "float16": "Half", "bfloat16": "BFloat16", "int64": "Long"]
    for name in expected.names {
      let entry = try #require(expected.entries[name])
      let tensor = try checkpoint.tensor(name)
      #expect(tensor.shape == entry.shape, "\(name)")
      #expect(tensor.data == entry.data.map { Float($0) }, "\(name) values")
      #expect(try checkpoint.storedTypeName(of: name) == storageNames[entry.dtype], "\(name) dtype")
    }
  }

  @Test func legacyLayout() throws {
    try checkContents(TorchCheckpoint(url: Self.folder.appendingPathComponent("state_dict_legacy.pth")))
  }

  @Test func zipLayout() throws {
    try checkContents(TorchCheckpoint(url: Self.folder.appendingPathComponent("state_dict_zip.pth")))
  }

  @Test func truncatedZipIsAnError() throws {
    let bytes = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent("state_dict_zip.pth")))
    let cut = FileManager.default.temporaryDirectory.appendingPathComponent("radlm-cut-\(UUID().uuidString).pth")
    defer { try? FileManager.default.removeItem(at: cut) }
    try Data(bytes.prefix(bytes.count - 100)).write(to: cut)
    #expect(throws: ModelFileError.self) { try TorchCheckpoint(url: cut) }
  }

  @Test func largeIntegersKeepTheirValue() throws {
    let checkpoint = try TorchCheckpoint(url: Self.folder.appendingPathComponent("state_dict_legacy.pth"))
    // 123456789012 is not exactly a Float; the reader converts by value like PyTorch's .float().
    #expect(try checkpoint.tensor("steps").item == Float(123_456_789_012 as Int64))
  }

  @Test func truncatedFilesAreErrors() throws {
    let bytes = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent("state_dict_legacy.pth")))
    for cut in [0, 1, 20, 200, bytes.count / 2, bytes.count - 1] {
      #expect(throws: ModelFileError.self, "cut at \(cut)") {
        try TorchCheckpoint(legacyBytes: Array(bytes.prefix(cut)), url: URL(fileURLWithPath: "cut.pth"))
      }
    }
  }

  @Test func otherFilesAreErrors() throws {
    let zip = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent("state_dict_zip.pth")))
    #expect(throws: ModelFileError.self) { try TorchCheckpoint(legacyBytes: zip, url: URL(fileURLWithPath: "zip.pth")) }
    #expect(throws: ModelFileError.self) {
      try TorchCheckpoint(legacyBytes: Array("not a checkpoint".utf8), url: URL(fileURLWithPath: "text.pth"))
    }
    // A pickle with an opcode outside the supported subset (0x69 INST) names it.
    var bytes = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent("state_dict_legacy.pth")))
    let stateDictStart = try #require(Self.find(Array("collections".utf8), in: bytes)) - 3
    bytes[stateDictStart] = 0x69
    do {
      _ = try TorchCheckpoint(legacyBytes: bytes, url: URL(fileURLWithPath: "odd.pth"))
      Issue.record("expected an error")
    } catch let error as ModelFileError {
      #expect(error.description.contains("0x69"), "\(error)")
    }
  }

  static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
    guard haystack.count >= needle.count else { return nil }
    return (0...(haystack.count - needle.count)).first { Array(haystack[$0..<($0 + needle.count)]) == needle }
  }
}
