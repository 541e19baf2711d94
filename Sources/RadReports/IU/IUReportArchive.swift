import Foundation
import RadArchive

/// The `.xml` members of a tar archive, gzip-compressed or not (the fetched `NLMCXR_reports.tgz`),
/// read in place with RadArchive; member names are reported as `ARCHIVE:MEMBER`.
enum IUReportArchive {
  static func xmlFiles(inArchive path: String) throws -> [(name: String, bytes: Data)] {
    let archive: TarArchive
    do {
      archive = try TarArchive(file: path)
    } catch {
      throw IUReportError.unreadable(path: path, reason: "not a readable tar/tgz archive: \(error.reason)")
    }
    return archive.files.filter { $0.name.lowercased().hasSuffix(".xml") }
      .sorted { $0.name < $1.name }
      .map { ("\(path):\($0.name)", Data($0.bytes)) }
  }
}
