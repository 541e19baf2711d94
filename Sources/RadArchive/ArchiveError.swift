/// Why a compressed stream or an archive could not be read: the file (when known) and the problem,
/// so that a damaged download or a truncated member is reported, never trapped on.
public struct ArchiveError: Error, CustomStringConvertible, Equatable, Sendable {
  public let file: String?
  public let reason: String

  public init(file: String? = nil, _ reason: String) {
    self.file = file
    self.reason = reason
  }

  /// The same problem, attributed to `file`.
  public func inFile(_ file: String) -> ArchiveError {
    ArchiveError(file: file, reason)
  }

  public var description: String {
    if let file { return "\(file): \(reason)" }
    return reason
  }
}
