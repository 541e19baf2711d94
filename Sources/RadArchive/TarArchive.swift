/// A tar archive (POSIX ustar, with GNU long names and pax `path`/`size` records) read into
/// memory: the members in the order they are stored. `.tgz` files are a gzip stream around one,
/// which `init(gzipFile:)` unwraps, so data sets can be read in place without unpacking them.
public struct TarArchive: Sendable {
  /// One member of the archive.
  public struct Entry: Sendable {
    public let name: String
    public let bytes: [UInt8]
    /// True for regular files; folders, links and devices carry no bytes.
    public let isFile: Bool
  }

  public let entries: [Entry]

  /// Reads an uncompressed tar stream.
  public init(bytes: [UInt8]) throws(ArchiveError) {
    entries = try Self.parse(bytes)
  }

  /// Reads a gzip-compressed tar file (`.tgz`, `.tar.gz`).
  public init(gzipFile path: String) throws(ArchiveError) {
    let compressed = try FileBytes.read(path)
    do {
      entries = try Self.parse(try Zlib.inflate(compressed, format: .gzip))
    } catch {
      throw error.inFile(path)
    }
  }

  /// Reads a tar file, compressed with gzip or not (told apart by the gzip magic bytes).
  public init(file path: String) throws(ArchiveError) {
    let raw = try FileBytes.read(path)
    do {
      let bytes = raw.count >= 2 && raw[0] == 0x1F && raw[1] == 0x8B ? try Zlib.inflate(raw, format: .gzip) : raw
      entries = try Self.parse(bytes)
    } catch {
      throw error.inFile(path)
    }
  }

  /// The regular files, by name.
  public var files: [Entry] { entries.filter(\.isFile) }

  private static func parse(_ bytes: [UInt8]) throws(ArchiveError) -> [Entry] {
    var entries: [Entry] = []
    var offset = 0
    var longName: String?
    var paxPath: String?
    var paxSize: Int?
    var ended = false
    while offset + 512 <= bytes.count {
      let header = bytes[offset..<offset + 512]
      if header.allSatisfy({ $0 == 0 }) {  // end-of-archive marker
        ended = true
        break
      }
      guard checksumMatches(header) else { throw ArchiveError("tar header at byte \(offset) has a bad checksum") }
      let type = header[header.startIndex + 156]
      var size = try number(header, at: 124, width: 12, offset: offset)
      if let override = paxSize { size = override }
      let dataStart = offset + 512
      guard size >= 0, dataStart + size <= bytes.count else {
        throw ArchiveError("tar member at byte \(offset) claims \(size) bytes but the archive ends first")
      }
      let data = Array(bytes[dataStart..<dataStart + size])
      offset = dataStart + (size + 511) / 512 * 512
      switch type {
      case UInt8(ascii: "L"):  // GNU long name for the next member
        longName = string(data[...])
        continue
      case UInt8(ascii: "x"):  // pax extended header for the next member
        (paxPath, paxSize) = try paxRecords(data)
        continue
      case UInt8(ascii: "g"):  // pax global header: nothing RadLM needs
        continue
      default:
        break
      }
      var name = string(header[header.startIndex..<header.startIndex + 100])
      let magic = string(header[header.startIndex + 257..<header.startIndex + 262])
      if magic == "ustar" {
        let prefix = string(header[header.startIndex + 345..<header.startIndex + 500])
        if !prefix.isEmpty { name = prefix + "/" + name }
      }
      if let path = paxPath ?? longName { name = path }
      longName = nil
      paxPath = nil
      paxSize = nil
      let isFile = type == UInt8(ascii: "0") || type == 0 || type == UInt8(ascii: "7")
      while name.count > 1 && name.hasSuffix("/") { name.removeLast() }  // folders are stored as "name/"
      entries.append(Entry(name: name, bytes: isFile ? data : [], isFile: isFile))
    }
    // Writers end the archive with zero blocks; running out of bytes first means it was cut short.
    guard ended else {
      throw ArchiveError("tar archive ends at byte \(bytes.count) without its end marker (truncated?)")
    }
    return entries
  }

  private static func checksumMatches(_ header: ArraySlice<UInt8>) -> Bool {
    var sum = 0
    for (index, byte) in header.enumerated() {
      sum += (148..<156).contains(index) ? 32 : Int(byte)
    }
    let field = string(header[header.startIndex + 148..<header.startIndex + 156])
      .trimmingCharacters(in: " ")
    return Int(field, radix: 8) == sum
  }

  /// An octal field, or a base-256 one (high bit set) as GNU tar writes large sizes.
  private static func number(_ header: ArraySlice<UInt8>, at field: Int, width: Int, offset: Int)
    throws(ArchiveError) -> Int
  {
    let start = header.startIndex + field
    let raw = header[start..<start + width]
    if let first = raw.first, first & 0x80 != 0 {
      var value = Int(first & 0x7F)
      for byte in raw.dropFirst() {
        guard value < Int.max >> 8 else { throw ArchiveError("tar size at byte \(offset) is too large") }
        value = value << 8 | Int(byte)
      }
      return value
    }
    let text = string(raw).trimmingCharacters(in: " ")
    if text.isEmpty { return 0 }
    guard let value = Int(text, radix: 8) else {
      throw ArchiveError("tar header at byte \(offset) has a malformed number field '\(text)'")
    }
    return value
  }

  /// pax records are "LENGTH key=value\n"; only `path` and `size` matter here.
  private static func paxRecords(_ data: [UInt8]) throws(ArchiveError) -> (String?, Int?) {
    var path: String?
    var size: Int?
    var index = 0
    while index < data.count {
      guard let space = data[index...].firstIndex(of: UInt8(ascii: " ")),
        let length = Int(string(data[index..<space])), length > 0, index + length <= data.count
      else { throw ArchiveError("malformed pax extended header") }
      let record = String(decoding: data[(space + 1)..<(index + length - 1)], as: UTF8.self)
      if let equals = record.firstIndex(of: "=") {
        let key = record[..<equals]
        let value = String(record[record.index(after: equals)...])
        if key == "path" { path = value }
        if key == "size" { size = Int(value) }
      }
      index += length
    }
    return (path, size)
  }

  private static func string(_ bytes: ArraySlice<UInt8>) -> String {
    let end = bytes.firstIndex(of: 0) ?? bytes.endIndex
    return String(decoding: bytes[bytes.startIndex..<end], as: UTF8.self)
  }
}

extension String {
  fileprivate func trimmingCharacters(in character: Character) -> String {
    var text = Substring(self)
    while text.first == character { text = text.dropFirst() }
    while text.last == character { text = text.dropLast() }
    return String(text)
  }
}
