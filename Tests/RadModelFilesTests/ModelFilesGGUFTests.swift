import Foundation
import RadModelFiles
import RadTensor
import Testing

@Suite("Model files: GGUF")
struct ModelFilesGGUFTests {
  typealias S = ModelFilesSupport

  /// Compares a metadata value with gguf-py's `contents()` rendering and its type list.
  static func matches(_ value: GGUFValue, _ expected: Any, types: ArraySlice<String>) -> Bool {
    guard let first = types.first, "\(value.type)" == first else { return false }
    switch value {
    case .array(let elementType, let values):
      guard let list = expected as? [Any], types.dropFirst().first == "\(elementType)" else { return false }
      if elementType == .array {
        // gguf-py's contents() flattens nested arrays: compare the leaves.
        let leaves = flattened(value)
        guard leaves.count == list.count else { return false }
        return zip(leaves, list).allSatisfy { matches($0, $1, types: ["\($0.type)"]) }
      }
      guard list.count == values.count else { return false }
      return zip(values, list).allSatisfy { matches($0, $1, types: ["\(elementType)"]) }
    case .string(let s): return (expected as? String) == s
    case .bool(let b): return (expected as? NSNumber)?.boolValue == b && (expected as? Bool) != nil
    case .float32(let f): return (expected as? NSNumber).map { Float($0.doubleValue) == f } ?? false
    case .float64(let d):
      return (expected as? NSNumber).map { ModelFilesSupport.close($0.doubleValue, d, tolerance: 1e-12) } ?? false
    case .uint64(let u): return (expected as? NSNumber)?.uint64Value == u
    default:
      return (expected as? NSNumber)?.int64Value == value.intValue.map(Int64.init)
    }
  }

  static func flattened(_ value: GGUFValue) -> [GGUFValue] {
    if case .array(_, let values) = value { return values.flatMap(flattened) }
    return [value]
  }

  @Test("synthetic file: metadata of every value type, nested arrays, custom alignment")
  func syntheticMetadata() throws {
    let file = try GGUFFile(url: S.fixture("synthetic_quant.gguf"))
    let expected = try #require(try S.json("synthetic_quant.json") as? [String: Any])
    #expect(file.version == 3)
    #expect(file.alignment == expected["alignment"] as? Int)
    #expect(file.dataOffset == expected["data_offset"] as? Int)
    let metadata = try #require(expected["metadata"] as? [[String: Any]])
    #expect(file.metadata.map(\.key) == metadata.compactMap { $0["key"] as? String })
    for entry in metadata {
      let key = try #require(entry["key"] as? String)
      let value = try #require(file[key], "missing \(key)")
      let types = try #require(entry["types"] as? [String])
      #expect(
        Self.matches(value, entry["value"] as Any, types: types[...]), "\(key): \(value) vs \(entry["value"] ?? "nil")")
    }
    #expect(file["test.u64"] == .uint64(18_000_000_000_000_000_000))
    #expect(file["test.i64"] == .int64(-9_000_000_000_000_000_000))
    #expect(file["test.nested_array"]?.arrayValue?.map(\.intArray) == [[1, 2], [3]])
    #expect(file["test.string_array"]?.stringArray == ["a", "", "ü"])
  }

  @Test("synthetic file: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q4_K, Q6_K dequantise as gguf-py does")
  func syntheticTensors() throws {
    let file = try GGUFFile(url: S.fixture("synthetic_quant.gguf"))
    let expected = try #require(try S.json("synthetic_quant.json") as? [String: Any])
    let tensors = try #require(expected["tensors"] as? [[String: Any]])
    #expect(file.tensorNames == tensors.compactMap { $0["name"] as? String })
    var typesSeen = Set<String>()
    for entry in tensors {
      let name = try #require(entry["name"] as? String)
      let info = try file.info(name)
      #expect("\(info.type)" == entry["type"] as? String, "\(name)")
      typesSeen.insert("\(info.type)")
      #expect(info.shape == entry["shape"] as? [Int], "\(name)")
      #expect(info.fileOffset % file.alignment == 0)
      let (blockWeights, blockBytes) = info.type.blockGeometry
      #expect(try file.rawBytes(of: name).count == info.elementCount / blockWeights * blockBytes)
      let tensor = try file.tensor(name)
      let values = S.doubles(entry["values"])
      #expect(tensor.data.count == values.count)
      var worst = 0.0
      for (got, want) in zip(tensor.data, values) {
        worst = max(worst, abs(Double(got) - want) / max(1e-6, abs(want)))
      }
      #expect(worst <= 1e-5, "\(name): worst relative error \(worst)")
    }
    #expect(typesSeen == ["F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q4_K", "Q6_K"])
  }

  @Test("large tensors dequantise the same split across cores as in one piece")
  func parallelMatchesSerial() throws {
    // 4096 Q4_1 blocks (131072 weights) crosses the parallel threshold.
    var rng = SystemRandomNumberGenerator()
    var raw = [UInt8]()
    for _ in 0..<4096 {
      raw += S.le(Float16(Float.random(in: 0.01...0.1, using: &rng)).bitPattern)
      raw += S.le(Float16(Float.random(in: -1...0, using: &rng)).bitPattern)
      raw += (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }
    let whole = try #require(raw.withUnsafeBytes { Dequantize.toFloat($0, type: .q4_1, count: 131072) })
    for block in [0, 17, 4095] {
      let piece = try #require(
        raw[(block * 20)..<(block * 20 + 20)].withUnsafeBytes { Dequantize.toFloat($0, type: .q4_1, count: 32) })
      #expect(Array(whole[(block * 32)..<(block * 32 + 32)]) == piece)
    }
  }

  @Test("the real SmolLM2 Q4_1 GGUF loads and matches gguf-py: header, all tensor infos, dequantised values")
  func realSmolLM2() throws {
    let url = try S.realModel("smollm2")
    let file = try GGUFFile(url: url)
    let expected = try #require(try S.json("gguf_smollm2_reference.json") as? [String: Any])
    #expect(file.version == (expected["version"] as? NSNumber)?.uint32Value)
    #expect(file.alignment == expected["alignment"] as? Int)
    #expect(file.dataOffset == expected["data_offset"] as? Int)
    #expect(file.metadata.count == expected["metadata_count"] as? Int)
    let meta = try #require(expected["metadata"] as? [String: Any])
    #expect(file["general.architecture"]?.stringValue == meta["general.architecture"] as? String)
    for key in [
      "llama.block_count", "llama.embedding_length", "llama.attention.head_count",
      "llama.attention.head_count_kv", "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id",
    ] {
      #expect(file[key]?.intValue == meta[key] as? Int, "\(key)")
    }
    for key in ["llama.rope.freq_base", "llama.attention.layer_norm_rms_epsilon"] {
      let want = (meta[key] as? NSNumber)?.doubleValue
      #expect(file[key]?.doubleValue.map { Float($0) } == want.map { Float($0) }, "\(key)")
    }
    let tokens = try #require(file["tokenizer.ggml.tokens"]?.stringArray)
    #expect(tokens.count == expected["token_count"] as? Int)
    #expect(Array(tokens.prefix(8)) == expected["first_tokens"] as? [String])
    let merges = try #require(file["tokenizer.ggml.merges"]?.stringArray)
    #expect(merges.count == expected["merge_count"] as? Int)
    #expect(Array(merges.prefix(4)) == expected["first_merges"] as? [String])

    let infos = try #require(expected["tensors"] as? [[String: Any]])
    #expect(file.tensorNames == infos.compactMap { $0["name"] as? String })
    for entry in infos {
      let name = try #require(entry["name"] as? String)
      let info = try file.info(name)
      #expect("\(info.type)" == entry["type"] as? String, "\(name)")
      #expect(info.shape == entry["shape"] as? [Int], "\(name)")
    }
    // Every tensor dequantises.
    var total = 0
    for name in file.tensorNames {
      let t = try file.tensor(name)
      #expect(t.data.count == t.shape.reduce(1, *))
      // Any NaN or infinity makes the sum non-finite.
      #expect(TensorSummary.sum(t.data).isFinite, "\(name) has non-finite values")
      total += t.data.count
    }
    #expect(total > 130_000_000)

    for detail in try #require(expected["details"] as? [[String: Any]]) {
      let name = try #require(detail["name"] as? String)
      let t = try file.tensor(name)
      #expect(t.shape == detail["shape"] as? [Int], "\(name)")
      let sum = TensorSummary.sum(t.data)
      let absSum = TensorSummary.sum(t.data.map { abs($0) })
      let want = { (key: String) in (detail[key] as? NSNumber)?.doubleValue ?? .nan }
      // Sums can cancel to near zero, so the sum is judged against the sum of magnitudes.
      #expect(abs(sum - want("sum")) <= 1e-5 * want("abs_sum"), "\(name) sum \(sum) vs \(want("sum"))")
      #expect(S.close(absSum, want("abs_sum")), "\(name) abs sum")
      #expect(
        abs(sum / Double(t.data.count) - want("mean")) <= 1e-5 * want("abs_sum") / Double(t.data.count), "\(name) mean")
      let middle = try #require(detail["middle_offset"] as? Int)
      for (label, start) in [("first", 0), ("middle", middle), ("last", t.data.count - 16)] {
        let got = t.data[start..<start + 16].map(Double.init)
        let ref = S.doubles(detail[label])
        #expect(
          zip(got, ref).allSatisfy { S.close($0, $1) } && got.count == ref.count, "\(name) \(label): \(got) vs \(ref)")
      }
    }
  }
}
