import Foundation

/// The `.xml` members of a gzip-compressed tar archive (the fetched `NLMCXR_reports.tgz`).
enum IUReportArchive {
  static func xmlFiles(inArchive path: String) throws -> [(name: String, bytes: Data)] {
    // Reading the archive needs RadArchive (tar + zlib), which lands separately.
    throw IUReportError.unreadable(
      path: path, reason: "reading .tgz archives is not available yet; extract it and pass the folder")
  }
}
