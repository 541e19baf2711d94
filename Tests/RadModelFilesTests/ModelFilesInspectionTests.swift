import Foundation
import RadModelFiles
import RadTensor
import Testing

/// The numbers and JSON shapes behind `radlm inspect tensors` and `radlm inspect metadata`.
@Suite("Model files: inspection reports")
struct ModelFilesInspectionTests {
  typealias S = ModelFilesSupport

  @Test("tensor summaries of the synthetic GGUF match gguf-py's values; JSON has the documented shape")
  func tensorSummaries() throws {
    let archive = try TensorArchives.open(S.fixture("synthetic_quant.gguf"))
    #expect(archive is GGUFFile)
    let expected = try #require(try S.json("synthetic_quant.json") as? [String: Any])
    let tensors = try #require(expected["tensors"] as? [[String: Any]])
    let summaries = try archive.tensorNames.map { try TensorSummary(archive, name: $0) }
    let parsed = try #require(
      try JSONSerialization.jsonObject(with: Data(TensorSummary.json(summaries).utf8)) as? [String: Any])
    #expect(Array(parsed.keys) == ["tensors"])
    let rows = try #require(parsed["tensors"] as? [[String: Any]])
    #expect(rows.count == tensors.count)
    for (row, entry) in zip(rows, tensors) {
      #expect(Set(row.keys) == ["name", "dtype", "shape", "sum", "mean", "first"])
      #expect(row["name"] as? String == entry["name"] as? String)
      #expect(row["dtype"] as? String == entry["type"] as? String)
      #expect(row["shape"] as? [Int] == entry["shape"] as? [Int])
      let values = S.doubles(entry["values"])
      let sum = values.reduce(0, +)
      let absSum = values.reduce(0) { $0 + abs($1) }
      let gotSum = (row["sum"] as? NSNumber)?.doubleValue ?? .nan
      #expect(abs(gotSum - sum) <= 1e-6 * max(1, absSum), "\(entry["name"] ?? "")")
      let gotMean = (row["mean"] as? NSNumber)?.doubleValue ?? .nan
      #expect(abs(gotMean - sum / Double(values.count)) <= 1e-6 * max(1, absSum) / Double(values.count))
      let first = S.doubles(row["first"])
      #expect(first.count == 8)
      #expect(zip(first, values.prefix(8)).allSatisfy { S.close($0, $1) })
    }
  }

  @Test("an empty tensor reports a null mean, not invalid JSON")
  func emptyTensor() throws {
    let archive = try TensorArchives.open(S.fixture("safetensors_dtypes.safetensors"))
    #expect(archive is SafetensorsFile)
    let summary = try TensorSummary(archive, name: "empty")
    #expect(summary.shape == [0, 4] && summary.sum == 0 && summary.mean.isNaN && summary.first.isEmpty)
    let row = try #require(try JSONSerialization.jsonObject(with: Data(summary.json.utf8)) as? [String: Any])
    #expect(row["mean"] is NSNull)
  }

  @Test("metadata JSON lists every key in order with its type; arrays are cut but keep their count")
  func metadataJSON() throws {
    let file = try GGUFFile(url: S.fixture("synthetic_quant.gguf"))
    let parsed = try #require(
      try JSONSerialization.jsonObject(with: Data(file.metadataJSON(arrayLimit: 2).utf8)) as? [String: Any])
    #expect(parsed["version"] as? Int == 3)
    #expect(parsed["tensor_count"] as? Int == file.tensorInfos.count)
    #expect(parsed["alignment"] as? Int == 64)
    let items = try #require(parsed["metadata"] as? [[String: Any]])
    #expect(items.compactMap { $0["key"] as? String } == file.metadata.map(\.key))
    #expect(items.compactMap { $0["type"] as? String } == file.metadata.map { "\($0.value.type)" })
    let ints = try #require(items.first { $0["key"] as? String == "test.int_array" })
    #expect(ints["element_type"] as? String == "int32")
    #expect(ints["count"] as? Int == 3)
    #expect(ints["value"] as? [Int] == [1, -2])
    let text = try #require(items.first { $0["key"] as? String == "test.string" })
    #expect(text["value"] as? String == "héllo ✓ \"quoted\"\n")
    let lines = file.metadataText(arrayLimit: 2).split(separator: "\n")
    #expect(lines.count == file.metadata.count + 1)
    #expect(lines.contains("test.int_array: array = [int32 × 3] [1, -2, …]"))
  }

  @Test("GGUF version 2 files (same layout as v3) open")
  func version2() throws {
    var bytes = [UInt8](try Data(contentsOf: S.fixture("synthetic_quant.gguf")))
    bytes[4] = 2
    let v2 = try GGUFFile(file: MappedFile(copying: bytes, path: "v2.gguf"))
    let v3 = try GGUFFile(url: S.fixture("synthetic_quant.gguf"))
    #expect(v2.version == 2)
    #expect(v2.tensorInfos == v3.tensorInfos)
    #expect(try v2.tensor("q6_k").data == v3.tensor("q6_k").data)
  }
}
