import Foundation

/// The persisted form of an HNSW graph: a versioned little-endian binary image (magic
/// `RADHNSW1`, format version, parameters, levels and links, then an FNV-1a digest of everything
/// before it). Vectors are not in it: the store holds them and hands them back on load.
extension HNSWIndex {
  public static let formatVersion: UInt32 = 1
  static let magic = Array("RADHNSW1".utf8)

  /// The graph as bytes.
  public func serialized() -> [UInt8] {
    var out = ByteWriter()
    out.bytes += Self.magic
    out.u32(Self.formatVersion)
    out.u32(UInt32(VectorMetric.allCases.firstIndex(of: parameters.metric)!))
    out.u32(UInt32(parameters.m))
    out.u32(UInt32(parameters.efConstruction))
    out.u32(UInt32(parameters.efSearch))
    out.u64(parameters.seed)
    out.u32(UInt32(dimension))
    out.u32(UInt32(count))
    out.i32(Int32(maxLevel))
    out.i32(entryPoint)
    out.bytes += levels
    for node in 0..<count {
      let n = Int(level0Counts[node])
      out.i32(Int32(n))
      for i in 0..<n { out.i32(level0[node * maxLinks0 + i]) }
      for layer in upper[node] {
        out.i32(Int32(layer.count))
        for id in layer { out.i32(id) }
      }
    }
    var hash = ContentHash()
    hash.update(out.bytes)
    out.bytes += Array(hash.hex.utf8)
    return out.bytes
  }

  /// Restores a graph from `bytes` over `vectors` (row-major, as stored; prepared here for the
  /// metric). `source` names the file or table in errors.
  public static func deserialize(_ bytes: [UInt8], vectors: [Float], dimension: Int, source: String) throws -> HNSWIndex {
    func bad(_ reason: String) -> RetrievalError { .indexFile(path: source, reason: "HNSW index \(reason)") }
    guard bytes.count > magic.count + 16, Array(bytes.prefix(magic.count)) == magic else {
      throw bad("is not a RadLM HNSW image (wrong magic)")
    }
    var check = ContentHash()
    check.update(bytes[..<(bytes.count - 16)])
    guard Array(check.hex.utf8) == Array(bytes.suffix(16)) else { throw bad("is corrupt or truncated (digest mismatch)") }
    var reader = ByteReader(bytes: bytes[..<(bytes.count - 16)], position: magic.count)
    do {
      let version = try reader.u32()
      guard version == formatVersion else { throw bad("has format version \(version); this RadLM reads \(formatVersion)") }
      let metricIndex = Int(try reader.u32())
      guard metricIndex < VectorMetric.allCases.count else { throw bad("names an unknown metric") }
      let parameters = HNSWParameters(
        m: Int(try reader.u32()), efConstruction: Int(try reader.u32()), efSearch: Int(try reader.u32()),
        metric: VectorMetric.allCases[metricIndex], seed: try reader.u64())
      let storedDimension = Int(try reader.u32())
      let count = Int(try reader.u32())
      guard storedDimension == dimension, vectors.count == count * dimension else {
        throw bad("covers \(count) vectors of \(storedDimension) dimensions, the store holds \(vectors.count / max(dimension, 1)) of \(dimension)")
      }
      let index = HNSWIndex(dimension: dimension, parameters: parameters)
      index.maxLevel = Int(try reader.i32())
      index.entryPoint = try reader.i32()
      index.levels = try reader.take(count)
      index.vectors = parameters.metric.prepared(vectors, dimension: dimension)
      index.count = count
      index.level0 = [Int32](repeating: -1, count: count * index.maxLinks0)
      index.level0Counts = [Int32](repeating: 0, count: count)
      index.upper = []
      index.upper.reserveCapacity(count)
      func readLinks(limit: Int) throws -> [Int32] {
        let n = Int(try reader.i32())
        guard n >= 0, n <= limit else { throw bad("has a link list of \(n) entries (limit \(limit))") }
        var links: [Int32] = []
        links.reserveCapacity(n)
        for _ in 0..<n {
          let id = try reader.i32()
          guard id >= 0, Int(id) < count else { throw bad("links to node \(id) of \(count)") }
          links.append(id)
        }
        return links
      }
      for node in 0..<count {
        let bottom = try readLinks(limit: index.maxLinks0)
        for (i, id) in bottom.enumerated() { index.level0[node * index.maxLinks0 + i] = id }
        index.level0Counts[node] = Int32(bottom.count)
        var layers: [[Int32]] = []
        for _ in 0..<Int(index.levels[node]) { layers.append(try readLinks(limit: parameters.m)) }
        index.upper.append(layers)
      }
      guard reader.atEnd else { throw bad("has \(reader.remaining) unexpected trailing bytes") }
      guard count == 0 || (index.entryPoint >= 0 && Int(index.entryPoint) < count) else {
        throw bad("has entry point \(index.entryPoint) outside its \(count) nodes")
      }
      return index
    } catch let error as ByteReader.EndOfData {
      _ = error
      throw bad("ends early (truncated)")
    }
  }
}

/// Appends little-endian integers to a byte array.
struct ByteWriter {
  var bytes: [UInt8] = []
  mutating func u32(_ v: UInt32) { Swift.withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
  mutating func i32(_ v: Int32) { Swift.withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
  mutating func u64(_ v: UInt64) { Swift.withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
}

/// Reads little-endian integers from a byte slice, throwing at its end instead of trapping.
struct ByteReader {
  struct EndOfData: Error {}
  let bytes: ArraySlice<UInt8>
  var position: Int

  init(bytes: ArraySlice<UInt8>, position: Int) {
    self.bytes = bytes
    self.position = bytes.startIndex + position
  }

  var atEnd: Bool { position == bytes.endIndex }
  var remaining: Int { bytes.endIndex - position }

  mutating func take(_ n: Int) throws -> [UInt8] {
    guard n >= 0, remaining >= n else { throw EndOfData() }
    defer { position += n }
    return Array(bytes[position..<(position + n)])
  }
  mutating func u32() throws -> UInt32 {
    let b = try take(4)
    return UInt32(b[0]) | UInt32(b[1]) << 8 | UInt32(b[2]) << 16 | UInt32(b[3]) << 24
  }
  mutating func i32() throws -> Int32 { Int32(bitPattern: try u32()) }
  mutating func u64() throws -> UInt64 { UInt64(try u32()) | UInt64(try u32()) << 32 }
}
