import Foundation
import RadTensor

#if canImport(Glibc)
  import Glibc
#endif

/// Writes a file by way of a temporary sibling and a rename, so readers see either the old file
/// or the complete new one.
public enum AtomicFile {
  public static func write(_ bytes: [UInt8], to url: URL) throws {
    let folder = url.deletingLastPathComponent()
    let temp = folder.appendingPathComponent(
      ".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    do {
      try Data(bytes).write(to: temp)
    } catch {
      throw ModelFileError.io(file: url.path, reason: "cannot write: \(error.localizedDescription)")
    }
    guard rename(temp.path, url.path) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temp.path)
      throw ModelFileError.io(file: url.path, reason: "cannot rename into place: \(reason)")
    }
  }
}
