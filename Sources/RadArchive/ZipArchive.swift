/// A zip file (PKWARE APPNOTE: central directory, stored and deflated members, zip64 sizes and
/// offsets) as PyTorch `.pth` checkpoints and NumPy `.npz` arrays use it. The central directory is
/// read once; members are inflated and CRC-checked when asked for.
public struct ZipArchive: Sendable {
  /// One member as the central directory describes it.
  public struct Member: Sendable {
    public let name: String
    public let method: UInt16
    public let crc32: UInt32
    public let compressedSize: Int
    public let uncompressedSize: Int
    let localHeaderOffset: Int
  }

  public let path: String
  public let members: [Member]
  private let bytes: [UInt8]
  private let index: [String: Int]

  public init(path: String) throws(ArchiveError) {
    let bytes = try FileBytes.read(path)
    try self.init(bytes: bytes, path: path)
  }

  /// Reads a zip held in memory; `path` only names it in errors.
  public init(bytes: [UInt8], path: String = "<memory>") throws(ArchiveError) {
    self.path = path
    self.bytes = bytes
    do {
      members = try Self.centralDirectory(bytes)
    } catch {
      throw error.inFile(path)
    }
    var index: [String: Int] = [:]
    for (position, member) in members.enumerated() where index[member.name] == nil {
      index[member.name] = position
    }
    self.index = index
  }

  public var entryNames: [String] { members.map(\.name) }

  /// The member's bytes, inflated when needed and checked against its CRC-32.
  public func data(named name: String) throws(ArchiveError) -> [UInt8] {
    guard let position = index[name] else { throw ArchiveError(file: path, "no member named '\(name)'") }
    let member = members[position]
    let start = try dataOffset(member)
    let stored = Array(bytes[start..<start + member.compressedSize])
    let data: [UInt8]
    switch member.method {
    case 0:
      data = stored
    case 8:
      do {
        data = try Zlib.inflate(stored, format: .raw)
      } catch {
        throw ArchiveError(file: path, "member '\(name)': \(error.reason)")
      }
    default:
      throw ArchiveError(
        file: path, "member '\(name)' uses compression method \(member.method); only stored and deflate are read")
    }
    guard data.count == member.uncompressedSize else {
      throw ArchiveError(
        file: path, "member '\(name)' has \(data.count) bytes, the directory says \(member.uncompressedSize)")
    }
    guard Zlib.crc32(data) == member.crc32 else {
      throw ArchiveError(file: path, "member '\(name)' fails its CRC-32 check")
    }
    return data
  }

  /// Where a member's stored bytes begin, after its local header.
  private func dataOffset(_ member: Member) throws(ArchiveError) -> Int {
    let local = member.localHeaderOffset
    guard local + 30 <= bytes.count, bytes.littleEndian(at: local, width: 4) == 0x0403_4B50 else {
      throw ArchiveError(file: path, "member '\(member.name)' has no local header at byte \(local)")
    }
    let nameLength = Int(bytes.littleEndian(at: local + 26, width: 2))
    let extraLength = Int(bytes.littleEndian(at: local + 28, width: 2))
    let start = local + 30 + nameLength + extraLength
    guard start + member.compressedSize <= bytes.count else {
      throw ArchiveError(file: path, "member '\(member.name)' runs past the end of the file (truncated?)")
    }
    return start
  }

  private static func centralDirectory(_ bytes: [UInt8]) throws(ArchiveError) -> [Member] {
    guard bytes.count >= 22 else { throw ArchiveError("too short to be a zip file") }
    // The end-of-central-directory record sits in the last 22 + 65535 (comment) bytes.
    var eocd = -1
    let lowest = max(0, bytes.count - 22 - 65_535)
    var position = bytes.count - 22
    while position >= lowest {
      if bytes.littleEndian(at: position, width: 4) == 0x0605_4B50 {
        eocd = position
        break
      }
      position -= 1
    }
    guard eocd >= 0 else { throw ArchiveError("no end-of-central-directory record: not a zip file, or truncated") }
    var count = Int(bytes.littleEndian(at: eocd + 10, width: 2))
    var directorySize = Int(bytes.littleEndian(at: eocd + 12, width: 4))
    var directoryOffset = Int(bytes.littleEndian(at: eocd + 16, width: 4))
    // zip64: a locator just before the record points at the zip64 end record.
    let locator = eocd - 20
    if locator >= 0, bytes.littleEndian(at: locator, width: 4) == 0x0706_4B50 {
      let record = Int(clamping: bytes.littleEndian(at: locator + 8, width: 8))
      guard record >= 0, record + 56 <= bytes.count, bytes.littleEndian(at: record, width: 4) == 0x0606_4B50 else {
        throw ArchiveError("zip64 end record is missing or damaged")
      }
      count = Int(clamping: bytes.littleEndian(at: record + 32, width: 8))
      directorySize = Int(clamping: bytes.littleEndian(at: record + 40, width: 8))
      directoryOffset = Int(clamping: bytes.littleEndian(at: record + 48, width: 8))
    }
    guard directoryOffset >= 0, directorySize >= 0, directoryOffset + directorySize <= bytes.count else {
      throw ArchiveError("central directory lies outside the file (truncated?)")
    }
    var members: [Member] = []
    var cursor = directoryOffset
    for number in 0..<count {
      guard cursor + 46 <= bytes.count, bytes.littleEndian(at: cursor, width: 4) == 0x0201_4B50 else {
        throw ArchiveError("central directory entry \(number) is damaged")
      }
      let method = UInt16(bytes.littleEndian(at: cursor + 10, width: 2))
      let crc = UInt32(bytes.littleEndian(at: cursor + 16, width: 4))
      var compressed = Int(bytes.littleEndian(at: cursor + 20, width: 4))
      var uncompressed = Int(bytes.littleEndian(at: cursor + 24, width: 4))
      let nameLength = Int(bytes.littleEndian(at: cursor + 28, width: 2))
      let extraLength = Int(bytes.littleEndian(at: cursor + 30, width: 2))
      let commentLength = Int(bytes.littleEndian(at: cursor + 32, width: 2))
      var localOffset = Int(bytes.littleEndian(at: cursor + 42, width: 4))
      let nameStart = cursor + 46
      let extraStart = nameStart + nameLength
      let next = extraStart + extraLength + commentLength
      guard next <= bytes.count else { throw ArchiveError("central directory entry \(number) runs past the end") }
      let name = String(decoding: bytes[nameStart..<extraStart], as: UTF8.self)
      // zip64 extended information (id 1) holds the fields saturated at 0xFFFFFFFF, in order.
      var extra = extraStart
      while extra + 4 <= extraStart + extraLength {
        let id = bytes.littleEndian(at: extra, width: 2)
        let size = Int(bytes.littleEndian(at: extra + 2, width: 2))
        if id == 1 {
          var field = extra + 4
          let end = field + size
          if uncompressed == 0xFFFF_FFFF, field + 8 <= end {
            uncompressed = Int(clamping: bytes.littleEndian(at: field, width: 8))
            field += 8
          }
          if compressed == 0xFFFF_FFFF, field + 8 <= end {
            compressed = Int(clamping: bytes.littleEndian(at: field, width: 8))
            field += 8
          }
          if localOffset == 0xFFFF_FFFF, field + 8 <= end {
            localOffset = Int(clamping: bytes.littleEndian(at: field, width: 8))
          }
        }
        extra += 4 + size
      }
      guard compressed >= 0, uncompressed >= 0, localOffset >= 0, localOffset < bytes.count else {
        throw ArchiveError("central directory entry '\(name)' has sizes or an offset outside the file")
      }
      members.append(
        Member(
          name: name, method: method, crc32: crc, compressedSize: compressed, uncompressedSize: uncompressed,
          localHeaderOffset: localOffset))
      cursor = next
    }
    return members
  }
}
