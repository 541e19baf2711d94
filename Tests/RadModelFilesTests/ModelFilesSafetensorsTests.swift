import Foundation
import RadModelFiles
import RadTensor
import Testing

@Suite("Model files: safetensors")
struct ModelFilesSafetensorsTests {
  typealias S = ModelFilesSupport

  @Test("reads F32, F16, BF16 and I64 written by the Python safetensors package")
  func readsPythonFixture() throws {
    let file = try SafetensorsFile(url: S.fixture("safetensors_dtypes.safetensors"))
    let expected = try #require(try S.json("safetensors_dtypes.json") as? [String: Any])
    #expect(file.metadata == (expected["metadata"] as? [String: String]))
    let tensors = try #require(expected["tensors"] as? [[String: Any]])
    #expect(Set(file.tensorNames) == Set(tensors.compactMap { $0["name"] as? String }))
    let dtypeNames = ["float32": "F32", "float16": "F16", "bfloat16": "BF16", "int64": "I64"]
    for entry in tensors {
      let name = try #require(entry["name"] as? String)
      let info = try file.info(name)
      #expect(info.dtype.rawValue == dtypeNames[entry["dtype"] as? String ?? ""], "\(name)")
      #expect(info.shape == (entry["shape"] as? [Int]), "\(name)")
      let tensor = try file.tensor(name)
      #expect(tensor.shape == info.shape)
      let values = S.doubles(entry["values"])
      #expect(tensor.data.count == values.count, "\(name)")
      for (got, want) in zip(tensor.data, values) {
        #expect(S.close(Double(got), want), "\(name): \(got) vs \(want)")
      }
      if let ints = entry["ints"] as? [NSNumber] {
        #expect(try file.int64Values(name) == ints.map(\.int64Value), "\(name)")
      }
    }
  }

  @Test(
    "write then read round-trips values, shapes and metadata",
    arguments: [
      SafetensorsWriter.StoredType.f32, .f16, .bf16,
    ])
  func roundTrip(dtype: SafetensorsWriter.StoredType) throws {
    let folder = try S.scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("model.safetensors")
    let a = Tensor(shape: [2, 3], data: [1, -2.5, 0.125, 3, 1024, -0.0625])
    let b = Tensor(shape: [4], data: [0.5, 0.25, -8, 2])
    let c = Tensor(shape: [], data: [7])
    try SafetensorsWriter.write(
      ["b.weight": b, "a": a, "scalar": c], metadata: ["format": "pt", "quote": "say \"hi\""],
      dtype: dtype, to: url)
    let file = try SafetensorsFile(url: url)
    #expect(file.tensorNames == ["a", "b.weight", "scalar"])
    #expect(file.metadata == ["format": "pt", "quote": "say \"hi\""])
    #expect(try file.info("a").dtype.rawValue == dtype.rawValue)
    // Values chosen to be exact in F16 and BF16.
    #expect(try file.tensor("a").data == a.data)
    #expect(try file.tensor("a").shape == [2, 3])
    #expect(try file.tensor("b.weight").data == b.data)
    #expect(try file.tensor("scalar").shape == [])
    // The data section starts 8-byte aligned.
    let bytes = try Data(contentsOf: url)
    let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
    #expect(headerLength % 8 == 0)
    // Atomic write leaves no temporary file behind.
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["model.safetensors"])
  }

  @Test("BF16 writing rounds to nearest even")
  func bf16Rounding() throws {
    let folder = try S.scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("r.safetensors")
    // 1 + 2^-8 is halfway between two bfloat16 values and rounds to even (1); 1 + 3*2^-8 rounds up.
    let t = Tensor(shape: [3], data: [1 + 1.0 / 256, 1 + 3.0 / 256, -3.0])
    try SafetensorsWriter.write(["t": t], dtype: .bf16, to: url)
    #expect(try SafetensorsFile(url: url).tensor("t").data == [1, 1 + 4.0 / 256, -3])
  }

  @Test("sharded index opens every shard and finds each tensor")
  func sharded() throws {
    let folder = try S.scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    try SafetensorsWriter.write(
      ["x": Tensor(shape: [2], data: [1, 2])], to: folder.appendingPathComponent("model-00001-of-00002.safetensors"))
    try SafetensorsWriter.write(
      ["y": Tensor(shape: [1, 2], data: [3, 4]), "z": Tensor(shape: [1], data: [5])],
      to: folder.appendingPathComponent("model-00002-of-00002.safetensors"))
    let index = folder.appendingPathComponent("model.safetensors.index.json")
    try Data(
      """
      {"metadata": {"total_size": 20}, "weight_map": {"x": "model-00001-of-00002.safetensors",
       "y": "model-00002-of-00002.safetensors", "z": "model-00002-of-00002.safetensors"}}
      """.utf8
    ).write(to: index)
    let sharded = try ShardedSafetensors(indexURL: index)
    #expect(sharded.tensorNames == ["x", "y", "z"])
    #expect(try sharded.tensor("y").data == [3, 4])
    #expect(try sharded.tensor("y").shape == [1, 2])
    let archive = try TensorArchives.open(index)
    #expect(try archive.tensor("z").data == [5])
    #expect(throws: ModelFileError.tensorNotFound(file: index.path, name: "w")) { try sharded.tensor("w") }

    // An index naming a tensor its shard lacks is rejected on open.
    let bad = folder.appendingPathComponent("bad.index.json")
    try Data(#"{"weight_map": {"q": "model-00001-of-00002.safetensors"}}"#.utf8).write(to: bad)
    #expect(throws: ModelFileError.self) { try ShardedSafetensors(indexURL: bad) }
  }

  @Test("the real all-MiniLM-L6-v2 safetensors loads: every tensor, names, dtypes and shapes")
  func realMiniLM() throws {
    let folder = try S.realModel("minilm")
    let file = try SafetensorsFile(url: folder.appendingPathComponent("model.safetensors"))
    let expected = try #require(try S.json("minilm_reference.json") as? [String: Any])
    let tensors = try #require(expected["tensors"] as? [[String: Any]])
    #expect(file.tensorNames.sorted() == tensors.compactMap { $0["name"] as? String }.sorted())
    for entry in tensors {
      let name = try #require(entry["name"] as? String)
      #expect(try file.info(name).dtype.rawValue == entry["dtype"] as? String, "\(name)")
      let tensor = try file.tensor(name)
      #expect(tensor.shape == entry["shape"] as? [Int], "\(name)")
    }
    for detail in try #require(expected["details"] as? [[String: Any]]) {
      let name = try #require(detail["name"] as? String)
      let tensor = try file.tensor(name)
      let sum = tensor.data.reduce(0.0) { $0 + Double($1) }
      #expect(S.close(sum, (detail["sum"] as? NSNumber)?.doubleValue ?? .nan), "\(name) sum")
      let first = S.doubles(detail["first"])
      #expect(first.count == 16)
      #expect(zip(tensor.data.prefix(16), first).allSatisfy { S.close(Double($0), $1) }, "\(name)")
    }
    #expect(try file.int64Values("embeddings.position_ids") == (0..<512).map(Int64.init))
  }
}
