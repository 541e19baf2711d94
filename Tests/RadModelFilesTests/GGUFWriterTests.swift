import Foundation
import RadModelFiles
import RadTensor
import Testing

/// The GGUF writer against gguf-py: the same metadata and tensors must give the very bytes of
/// gguf-py's GGUFWriter with `quants.quantize` (tools/reference/gguf_writer_fixtures.py).
@Suite("GGUF writer")
struct GGUFWriterTests {
  static let folder = ModelFilesSupport.fixture("gguf_writer")

  struct Input {
    let metadata: [(String, GGUFValue)]
    let tensors: [(name: String, shape: [Int], type: GGMLType, values: [Float])]
  }

  static func input() throws -> Input {
    let json = try #require(try ModelFilesSupport.json("gguf_writer/inputs.json") as? [String: Any])
    var metadata: [(String, GGUFValue)] = []
    for entry in try #require(json["metadata"] as? [[String: Any]]) {
      let key = entry["key"] as! String
      let text = "\(entry["value"]!)"
      let value: GGUFValue
      switch entry["type"] as! String {
      case "uint8": value = .uint8(UInt8(text)!)
      case "int8": value = .int8(Int8(text)!)
      case "uint16": value = .uint16(UInt16(text)!)
      case "int16": value = .int16(Int16(text)!)
      case "uint32": value = .uint32(UInt32(text)!)
      case "int32": value = .int32(Int32(text)!)
      case "uint64": value = .uint64(UInt64(text)!)
      case "int64": value = .int64(Int64(text)!)
      case "float32": value = .float32(Float((entry["value"] as! NSNumber).doubleValue))
      case "float64": value = .float64((entry["value"] as! NSNumber).doubleValue)
      case "bool": value = .bool(entry["value"] as! Bool)
      case "string": value = .string(entry["value"] as! String)
      case "array[string]":
        value = .array(elementType: .string, values: (entry["value"] as! [String]).map { .string($0) })
      case "array[float32]":
        value = .array(
          elementType: .float32, values: (entry["value"] as! [NSNumber]).map { .float32(Float($0.doubleValue)) })
      case "array[int32]":
        value = .array(elementType: .int32, values: (entry["value"] as! [Int]).map { .int32(Int32($0)) })
      case "array[array]":
        value = .array(
          elementType: .array,
          values: (entry["value"] as! [[Int]]).map { .array(elementType: .int32, values: $0.map { .int32(Int32($0)) }) }
        )
      default: throw ModelFileError.invalidMetadata(file: "inputs.json", key: key, reason: "unknown type")
      }
      metadata.append((key, value))
    }
    let types: [String: GGMLType] = ["F32": .f32, "F16": .f16, "Q8_0": .q8_0, "Q4_1": .q4_1]
    let tensors = try #require(json["tensors"] as? [[String: Any]]).map { t in
      (
        name: t["name"] as! String, shape: t["shape"] as! [Int], type: types[t["type"] as! String]!,
        values: (t["values"] as! [NSNumber]).map { Float($0.doubleValue) }
      )
    }
    return Input(metadata: metadata, tensors: tensors)
  }

  static func write(_ input: Input, alignment: Int? = nil) throws -> GGUFWriter {
    var writer = GGUFWriter()
    writer.set("general.architecture", .string("llama"))
    if let alignment { try writer.setAlignment(alignment) }
    for (key, value) in input.metadata { writer.set(key, value) }
    for t in input.tensors { try writer.addTensor(t.name, Tensor(shape: t.shape, data: t.values), as: t.type) }
    return writer
  }

  @Test(arguments: [("reference.gguf", nil), ("aligned64.gguf", 64)] as [(String, Int?)])
  func bytesEqualGGUFPy(_ file: String, alignment: Int?) throws {
    let expected = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent(file)))
    let ours = try Self.write(try Self.input(), alignment: alignment).serialized()
    #expect(ours.count == expected.count)
    if let first = zip(ours, expected).enumerated().first(where: { $0.element.0 != $0.element.1 }) {
      Issue.record("\(file): first differing byte at offset \(first.offset)")
    }
  }

  @Test func quantisedBlocksEqualGGUFPyAndReadBack() throws {
    // Per tensor: our stored bytes equal the reference file's, and GGUFFile reads our file back.
    let input = try Self.input()
    let reference = try GGUFFile(url: Self.folder.appendingPathComponent("reference.gguf"))
    let folder = try ModelFilesSupport.scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("ours.gguf")
    try Self.write(input).write(to: url)
    let ours = try GGUFFile(url: url)
    #expect(ours.version == 3)
    #expect(ours.metadata.map(\.key) == reference.metadata.map(\.key))
    for (key, value) in reference.metadata { #expect(ours[key] == value, "\(key)") }
    for t in input.tensors {
      #expect(try ours.rawBytes(of: t.name) == reference.rawBytes(of: t.name), "\(t.name) as \(t.type)")
      #expect(try ours.info(t.name).shape == t.shape)
      #expect(try ours.info(t.name).type == t.type)
      #expect(try ours.tensor(t.name).data.count == t.values.count)
    }
  }

  @Test func badTensorsAreTypedErrors() throws {
    var writer = GGUFWriter(destination: "x.gguf")
    try writer.addTensor("a", Tensor(shape: [2, 32], data: [Float](repeating: 1, count: 64)), as: .q8_0)
    #expect(throws: ModelFileError.self) {
      try writer.addTensor("a", Tensor(shape: [32], data: [Float](repeating: 1, count: 32)), as: .f32)
    }
    #expect(throws: ModelFileError.self) {
      try writer.addTensor("b", Tensor(shape: [2, 30], data: [Float](repeating: 1, count: 60)), as: .q4_1)
    }
    #expect(throws: ModelFileError.self) {
      try writer.addTensor("c", Tensor(shape: [32], data: [Float](repeating: 1, count: 32)), as: .q4_K)
    }
    #expect(throws: ModelFileError.self) {
      try writer.addTensor("d", shape: [2, 32], type: .q8_0, bytes: [UInt8](repeating: 0, count: 60))
    }
    #expect(throws: ModelFileError.self) { try writer.setAlignment(48) }
  }
}
