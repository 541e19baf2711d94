import Foundation
import Testing

@testable import RadArchive

/// Archives written by Python's zlib/gzip/tarfile/zipfile (tools/reference/archive_fixtures.py).
enum ArchiveFixture {
  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

  static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

  struct Member: Decodable {
    let size: Int
    let crc32: UInt32
    let head: [UInt8]
  }

  struct Streams: Decodable {
    // swift-format-ignore: AlwaysUseLowerCamelCase
    let plain_size: Int
    let head: [UInt8]
    let crc32: UInt32
    let adler32: UInt32
  }

  static func manifest() throws -> (members: [String: Member], streams: Streams) {
    let data = try Data(contentsOf: folder.appendingPathComponent("manifest.json"))
    let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    var members: [String: Member] = [:]
    var streams: Streams?
    for (key, value) in object {
      let encoded = try JSONSerialization.data(withJSONObject: value)
      if key == "streams" {
        streams = try JSONDecoder().decode(Streams.self, from: encoded)
      } else {
        members[key] = try JSONDecoder().decode(Member.self, from: encoded)
      }
    }
    return (members, try #require(streams))
  }
}

@Suite struct TarArchiveTests {
  @Test(arguments: ["members_gnu.tgz", "members_pax.tgz", "members_gnu.tar"])
  func readsEveryMemberAsPythonWroteIt(file: String) throws {
    let expected = try ArchiveFixture.manifest().members
    let archive = try TarArchive(file: ArchiveFixture.path(file))
    #expect(archive.entries.contains { $0.name == "reports" && !$0.isFile })
    let files = archive.files
    #expect(Set(files.map(\.name)) == Set(expected.keys))
    for entry in files {
      let member = try #require(expected[entry.name])
      #expect(entry.bytes.count == member.size)
      #expect(Zlib.crc32(entry.bytes) == member.crc32)
      #expect(Array(entry.bytes.prefix(16)) == member.head)
    }
  }

  @Test func truncatedArchiveIsAnError() throws {
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: ArchiveFixture.path("members_gnu.tar"))))
    for cut in [700, 5_000, 40_000] {
      #expect(throws: ArchiveError.self) { try TarArchive(bytes: Array(bytes.prefix(cut))) }
    }
    var corrupt = bytes
    corrupt[10] ^= 0xFF  // inside the first header: its checksum no longer matches
    #expect(throws: ArchiveError.self) { try TarArchive(bytes: corrupt) }
  }

  @Test func truncatedGzipNamesTheFile() throws {
    let bytes = try Data(contentsOf: URL(fileURLWithPath: ArchiveFixture.path("members_gnu.tgz")))
    let cut = FileManager.default.temporaryDirectory.appendingPathComponent("radarchive-cut-\(getpid()).tgz")
    try bytes.prefix(bytes.count / 2).write(to: cut)
    defer { try? FileManager.default.removeItem(at: cut) }
    do {
      _ = try TarArchive(gzipFile: cut.path)
      Issue.record("a truncated .tgz was read")
    } catch {
      #expect(error.file == cut.path)
      #expect(error.reason.contains("truncated"))
    }
  }
}

@Suite struct ZipArchiveTests {
  @Test(arguments: ["members_stored.zip", "members_deflated.zip", "members_zip64.zip"])
  func readsEveryMemberAsPythonWroteIt(file: String) throws {
    let expected = try ArchiveFixture.manifest().members
    let archive = try ZipArchive(path: ArchiveFixture.path(file))
    #expect(Set(archive.entryNames) == Set(expected.keys))
    for name in archive.entryNames {
      let data = try archive.data(named: name)
      let member = try #require(expected[name])
      #expect(data.count == member.size)
      #expect(Zlib.crc32(data) == member.crc32)
      #expect(Array(data.prefix(16)) == member.head)
    }
  }

  @Test func damagedZipsAreErrors() throws {
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: ArchiveFixture.path("members_deflated.zip"))))
    #expect(throws: ArchiveError.self) { try ZipArchive(bytes: Array(bytes.prefix(bytes.count - 30))) }
    #expect(throws: ArchiveError.self) { try ZipArchive(bytes: Array("not a zip".utf8)) }
    // Flip a byte inside the first member's compressed data: inflate or the CRC check refuses it.
    let archive = try ZipArchive(bytes: bytes)
    var corrupt = bytes
    corrupt[120] ^= 0x5A
    let damaged = try ZipArchive(bytes: corrupt)
    var failures = 0
    for name in archive.entryNames where (try? damaged.data(named: name)) == nil { failures += 1 }
    #expect(failures >= 1)
    #expect(throws: ArchiveError.self) { try archive.data(named: "missing.txt") }
  }
}

@Suite struct ZlibTests {
  @Test func inflatesEachWrappingAsPythonWroteIt() throws {
    let streams = try ArchiveFixture.manifest().streams
    for (file, format) in [("stream.zlib", Zlib.Format.zlib), ("stream.deflate", .raw), ("two_members.gz", .gzip)] {
      let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: ArchiveFixture.path(file))))
      let plain = try Zlib.inflate(bytes, format: format)
      #expect(plain.count == streams.plain_size, "\(file)")
      #expect(Zlib.crc32(plain) == streams.crc32, "\(file)")
      #expect(Zlib.adler32(plain) == streams.adler32, "\(file)")
      #expect(Array(plain.prefix(16)) == streams.head, "\(file)")
    }
  }

  @Test(arguments: [Zlib.Format.zlib, .raw, .gzip])
  func deflateRoundTrips(format: Zlib.Format) throws {
    var generator = SystemRandomNumberGenerator()
    let data = (0..<200_000).map { index in
      index % 7 == 0 ? UInt8.random(in: 0...255, using: &generator) : UInt8(index % 13)
    }
    for level: Int32 in [0, 1, 6, 9] {
      #expect(try Zlib.inflate(Zlib.deflate(data, format: format, level: level), format: format) == data)
    }
    #expect(throws: ArchiveError.self) { try Zlib.deflate(data, level: 12) }
  }

  @Test func brokenStreamsAreErrors() throws {
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: ArchiveFixture.path("stream.zlib"))))
    #expect(throws: ArchiveError.self) { try Zlib.inflate(Array(bytes.prefix(bytes.count / 2))) }
    #expect(throws: ArchiveError.self) { try Zlib.inflate([0x78, 0x9C, 0xFF, 0xFF, 0xFF]) }
    #expect(throws: ArchiveError.self) { try Zlib.inflate([]) }
  }
}
