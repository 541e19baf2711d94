import Foundation
import RadModelFiles
import RadTensor
import Testing

/// Damaged and hostile model files: each must give a thrown `ModelFileError` that names the file
/// and the problem, never a crash.
@Suite("Model files: bad input")
struct ModelFilesBadInputTests {
  typealias S = ModelFilesSupport

  /// Opens `bytes` as an in-memory file and returns the error opening it throws (nil when it
  /// opens); checks that the error names the file.
  static func openError(
    _ bytes: [UInt8], name: String = "bad.safetensors", open: (MappedFile) throws -> Any
  ) throws -> ModelFileError? {
    let path = "/scratch/\(name)"
    do {
      _ = try open(MappedFile(copying: bytes, path: path))
      return nil
    } catch let error as ModelFileError {
      #expect(error.description.contains(path), "error does not name the file: \(error)")
      return error
    }
  }

  static func safetensorsError(_ bytes: [UInt8]) throws -> ModelFileError? {
    try openError(bytes) { try SafetensorsFile(file: $0) }
  }

  static func ggufError(_ bytes: [UInt8]) throws -> ModelFileError? {
    try openError(bytes, name: "bad.gguf") { try GGUFFile(file: $0) }
  }

  // MARK: safetensors

  @Test("safetensors: file shorter than the 8-byte header length")
  func safetensorsTruncated() throws {
    let error = try Self.safetensorsError([1, 0, 0])
    guard case .truncated = error else { Issue.record("got \(String(describing: error))"); return }
  }

  @Test("safetensors: header length past the end of the file")
  func safetensorsHeaderPastEnd() throws {
    let bytes = S.safetensorsBytes(header: "{}", dataBytes: 0, declaredLength: 1000)
    let error = try Self.safetensorsError(bytes)
    guard case .headerLengthPastEnd(_, 1000, _) = error else {
      Issue.record("got \(String(describing: error))"); return
    }
    // A length near UInt64.max must not overflow either.
    let huge = S.safetensorsBytes(header: "{}", dataBytes: 0, declaredLength: .max)
    guard case .headerLengthPastEnd = try Self.safetensorsError(huge) else { Issue.record("huge length"); return }
  }

  @Test("safetensors: data offsets out of range")
  func safetensorsOffsetsOutOfRange() throws {
    let header = #"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#
    let error = try Self.safetensorsError(S.safetensorsBytes(header: header, dataBytes: 8))
    guard case .offsetsOutOfRange(_, "a", 0, 16, 8) = error else {
      Issue.record("got \(String(describing: error))"); return
    }
    let reversed = #"{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}}"#
    guard case .offsetsOutOfRange = try Self.safetensorsError(S.safetensorsBytes(header: reversed, dataBytes: 8)) else {
      Issue.record("begin after end accepted"); return
    }
  }

  @Test("safetensors: unknown dtype")
  func safetensorsUnknownDType() throws {
    let header = #"{"a":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}}"#
    let error = try Self.safetensorsError(S.safetensorsBytes(header: header, dataBytes: 16))
    guard case .unknownDType(_, "a", "F128") = error else { Issue.record("got \(String(describing: error))"); return }
  }

  @Test("safetensors: overlapping tensors")
  func safetensorsOverlap() throws {
    let header =
      #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
    let error = try Self.safetensorsError(S.safetensorsBytes(header: header, dataBytes: 12))
    guard case .overlappingTensors(_, "a", "b") = error else {
      Issue.record("got \(String(describing: error))"); return
    }
  }

  @Test("safetensors: shape that does not match the byte count")
  func safetensorsShapeMismatch() throws {
    let header = #"{"a":{"dtype":"F16","shape":[2,3],"data_offsets":[0,8]}}"#
    let error = try Self.safetensorsError(S.safetensorsBytes(header: header, dataBytes: 8))
    guard case .shapeMismatch(_, "a", [2, 3], 12, 8) = error else {
      Issue.record("got \(String(describing: error))"); return
    }
  }

  @Test(
    "safetensors: malformed headers",
    arguments: [
      #"{"a":{"dtype":"F32","shape":[1]"#,  // cut JSON
      #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}"#,  // negative dimension
      #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}}"#,  // one offset
      #"{"a":{"dtype":"F32","shape":"1","data_offsets":[0,4]}}"#,  // wrong field type
      #"{"a":{"shape":[1],"data_offsets":[0,4]}}"#,  // no dtype
      #"[1,2,3]"#,  // not an object
    ])
  func safetensorsMalformed(header: String) throws {
    let error = try Self.safetensorsError(S.safetensorsBytes(header: header, dataBytes: 4))
    guard case .malformedHeader = error else { Issue.record("got \(String(describing: error))"); return }
  }

  @Test("safetensors: header that is not UTF-8")
  func safetensorsBadUTF8() throws {
    let bytes = S.le(UInt64(4)) + [0x7B, 0xFF, 0xFE, 0x7D]
    guard case .invalidUTF8 = try Self.safetensorsError(bytes) else { Issue.record("accepted"); return }
  }

  @Test("safetensors: missing file and a tensor that is not there")
  func safetensorsMissing() throws {
    #expect(throws: ModelFileError.self) {
      try SafetensorsFile(url: URL(fileURLWithPath: "/nonexistent/x.safetensors"))
    }
    let file = try SafetensorsFile(url: S.fixture("safetensors_dtypes.safetensors"))
    #expect(throws: ModelFileError.tensorNotFound(file: file.url.path, name: "nope")) { try file.tensor("nope") }
  }

  @Test("safetensors: every truncation of a valid file throws, none crashes")
  func safetensorsEveryTruncation() throws {
    let bytes = [UInt8](try Data(contentsOf: S.fixture("safetensors_dtypes.safetensors")))
    for cut in 0..<bytes.count {
      #expect(try Self.safetensorsError(Array(bytes[0..<cut])) != nil, "accepted a file cut at \(cut)")
    }
  }

  // MARK: GGUF

  /// A minimal GGUF v3 image: header, the given key/values and tensor infos, padding to 32, data.
  static func gguf(
    version: UInt32 = 3, kv: [[UInt8]] = [], tensors: [[UInt8]] = [], dataBytes: Int = 0
  ) -> [UInt8] {
    var out = Array("GGUF".utf8) + S.le(version) + S.le(UInt64(tensors.count)) + S.le(UInt64(kv.count))
    for k in kv { out += k }
    for t in tensors { out += t }
    while out.count % 32 != 0 { out.append(0) }
    return out + [UInt8](repeating: 0, count: dataBytes)
  }

  static func str(_ s: String) -> [UInt8] { S.le(UInt64(s.utf8.count)) + Array(s.utf8) }

  static func tensorInfo(_ name: String, dims: [UInt64], type: UInt32, offset: UInt64) -> [UInt8] {
    str(name) + S.le(UInt32(dims.count)) + dims.flatMap { S.le($0) } + S.le(type) + S.le(offset)
  }

  @Test("GGUF: a minimal valid file opens (the builders below make well-formed files)")
  func ggufMinimalValid() throws {
    let bytes = Self.gguf(
      kv: [Self.str("k") + S.le(UInt32(4)) + S.le(UInt32(7))],
      tensors: [Self.tensorInfo("t", dims: [32, 2], type: 8, offset: 0)], dataBytes: 68)
    #expect(try Self.ggufError(bytes) == nil)
  }

  @Test("GGUF: bad magic")
  func ggufBadMagic() throws {
    var bytes = Self.gguf()
    bytes[0] = UInt8(ascii: "X")
    guard case .badMagic = try Self.ggufError(bytes) else { Issue.record("accepted"); return }
  }

  @Test("GGUF: unsupported versions", arguments: [UInt32(1), 4, 0xFFFF_FFFF])
  func ggufVersion(version: UInt32) throws {
    let error = try Self.ggufError(Self.gguf(version: version))
    guard case .unsupportedVersion(_, version) = error else { Issue.record("got \(String(describing: error))"); return }
  }

  @Test("GGUF: counts far larger than the file")
  func ggufHugeCounts() throws {
    var bytes = Array("GGUF".utf8) + S.le(UInt32(3)) + S.le(UInt64.max) + S.le(UInt64(0))
    guard case .truncated = try Self.ggufError(bytes) else { Issue.record("tensor count"); return }
    bytes = Array("GGUF".utf8) + S.le(UInt32(3)) + S.le(UInt64(0)) + S.le(UInt64(1) << 60)
    guard case .truncated = try Self.ggufError(bytes) else { Issue.record("kv count"); return }
    let hugeArray = Self.str("arr") + S.le(UInt32(9)) + S.le(UInt32(0)) + S.le(UInt64.max)
    guard case .truncated = try Self.ggufError(Self.gguf(kv: [hugeArray])) else { Issue.record("array"); return }
    let hugeString = Self.str("s") + S.le(UInt32(8)) + S.le(UInt64.max - 3)
    guard case .truncated = try Self.ggufError(Self.gguf(kv: [hugeString])) else { Issue.record("string"); return }
  }

  @Test("GGUF: invalid UTF-8 in a key")
  func ggufBadUTF8() throws {
    let key = S.le(UInt64(2)) + [0xC3, 0x28] + S.le(UInt32(0)) + [1]
    guard case .invalidUTF8 = try Self.ggufError(Self.gguf(kv: [key])) else { Issue.record("accepted"); return }
  }

  @Test("GGUF: unknown metadata value type and bad bool")
  func ggufBadValueType() throws {
    let kv = Self.str("k") + S.le(UInt32(13)) + [0, 0, 0, 0]
    guard case .invalidMetadata(_, "k", _) = try Self.ggufError(Self.gguf(kv: [kv])) else {
      Issue.record("type"); return
    }
    let b = Self.str("b") + S.le(UInt32(7)) + [2]
    guard case .invalidMetadata(_, "b", _) = try Self.ggufError(Self.gguf(kv: [b])) else {
      Issue.record("bool"); return
    }
    let alignment = Self.str("general.alignment") + S.le(UInt32(4)) + S.le(UInt32(3))
    guard case .invalidMetadata = try Self.ggufError(Self.gguf(kv: [alignment])) else {
      Issue.record("alignment"); return
    }
  }

  @Test("GGUF: unknown tensor type")
  func ggufUnknownType() throws {
    let bytes = Self.gguf(tensors: [Self.tensorInfo("t", dims: [4], type: 99, offset: 0)], dataBytes: 16)
    guard case .unknownDType(_, "t", _) = try Self.ggufError(bytes) else { Issue.record("accepted"); return }
  }

  @Test("GGUF: tensor data out of range")
  func ggufOutOfRange() throws {
    let bytes = Self.gguf(tensors: [Self.tensorInfo("t", dims: [32, 4], type: 0, offset: 0)], dataBytes: 256)
    guard case .offsetsOutOfRange(_, "t", 0, 512, 256) = try Self.ggufError(bytes) else {
      Issue.record("accepted"); return
    }
    let far = Self.gguf(tensors: [Self.tensorInfo("t", dims: [1], type: 0, offset: UInt64.max - 31)], dataBytes: 32)
    guard case .offsetsOutOfRange = try Self.ggufError(far) else { Issue.record("overflowing offset accepted"); return }
  }

  @Test("GGUF: overlapping tensors")
  func ggufOverlap() throws {
    let bytes = Self.gguf(
      tensors: [
        Self.tensorInfo("a", dims: [16], type: 0, offset: 0),
        Self.tensorInfo("b", dims: [16], type: 0, offset: 32),
      ], dataBytes: 128)
    guard case .overlappingTensors(_, "a", "b") = try Self.ggufError(bytes) else { Issue.record("accepted"); return }
  }

  @Test("GGUF: misaligned tensor offset")
  func ggufMisaligned() throws {
    let bytes = Self.gguf(tensors: [Self.tensorInfo("a", dims: [4], type: 0, offset: 4)], dataBytes: 64)
    guard case .misalignedTensor(_, "a", 4, 32) = try Self.ggufError(bytes) else { Issue.record("accepted"); return }
  }

  @Test("GGUF: row length that is not a whole number of blocks")
  func ggufShapeMismatch() throws {
    let bytes = Self.gguf(tensors: [Self.tensorInfo("q", dims: [33], type: 8, offset: 0)], dataBytes: 128)
    let error = try Self.ggufError(bytes)
    guard case .malformedHeader(_, let reason) = error, reason.contains("blocks of 32") else {
      Issue.record("got \(String(describing: error))"); return
    }
  }

  @Test("GGUF: a type that opens but cannot be dequantised throws on read")
  func ggufUnsupportedRead() throws {
    let folder = try S.scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("q5k.gguf")
    try Data(Self.gguf(tensors: [Self.tensorInfo("q", dims: [256], type: 13, offset: 0)], dataBytes: 176)).write(
      to: url)
    let file = try GGUFFile(url: url)
    #expect(throws: ModelFileError.unsupportedDType(file: url.path, tensor: "q", dtype: "Q5_K")) {
      try file.tensor("q")
    }
    #expect(try file.rawBytes(of: "q").count == 176)
  }

  @Test("GGUF: every truncation of a valid file throws, none crashes")
  func ggufEveryTruncation() throws {
    let url = S.fixture("synthetic_quant.gguf")
    let bytes = [UInt8](try Data(contentsOf: url))
    // The writer pads the last tensor to the alignment; cutting only that padding is harmless.
    let dataEnd = try GGUFFile(url: url).tensorInfos.map { $0.fileOffset + $0.byteCount }.max() ?? 0
    #expect(dataEnd > bytes.count - 64)
    for cut in 0..<bytes.count {
      let error = try Self.ggufError(Array(bytes[0..<cut]))
      if cut < dataEnd {
        #expect(error != nil, "accepted a file cut at \(cut)")
      } else {
        #expect(error == nil, "rejected a file cut at \(cut) after the data: \(String(describing: error))")
      }
    }
  }

  @Test("GGUF: random corruption of the header gives a clean open or a typed error, never a crash")
  func ggufCorruption() throws {
    let original = [UInt8](try Data(contentsOf: S.fixture("synthetic_quant.gguf")))
    var rng = SeededBytes(state: 0x5EED)
    var rejected = 0
    for _ in 0..<300 {
      var bytes = original
      for _ in 0..<3 {
        bytes[Int(rng.next() % 1088)] = UInt8(truncatingIfNeeded: rng.next())
      }
      do {
        let file = try GGUFFile(file: MappedFile(copying: bytes, path: "corrupt.gguf"))
        for name in file.tensorNames { _ = try? file.tensor(name) }
      } catch is ModelFileError {
        rejected += 1
      } catch {
        Issue.record("untyped error \(error)")
      }
    }
    // Most random changes to the header break something the reader checks.
    #expect(rejected > 100)
  }
}

/// A tiny deterministic generator so corruption cases reproduce.
struct SeededBytes {
  var state: UInt64
  mutating func next() -> UInt64 {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return state >> 33
  }
}
