import Foundation

/// Errors of the retrieval store and its searches, each naming the file, field or value at fault
/// so that a command line can print one clear line.
public enum RetrievalError: Error, CustomStringConvertible, Equatable {
  case notAStore(path: String, reason: String)
  case modelMismatch(path: String, stored: String, requested: String)
  case schemaTooNew(path: String, found: Int, supported: Int)
  case badInput(file: String, line: Int?, reason: String)
  case badQuery(String)
  case indexFile(path: String, reason: String)
  case storage(path: String, reason: String)
  case incompatibleSettings(path: String, reason: String)

  public var description: String {
    switch self {
    case .notAStore(let path, let reason): return "\(path): not a RadLM retrieval store (\(reason))"
    case .modelMismatch(let path, let stored, let requested):
      return "\(path): built with embedding model \(stored), but opened with \(requested)"
    case .schemaTooNew(let path, let found, let supported):
      return "\(path): schema version \(found) is newer than this RadLM supports (\(supported))"
    case .badInput(let file, let line, let reason):
      return line.map { "\(file):\($0): \(reason)" } ?? "\(file): \(reason)"
    case .badQuery(let reason): return "bad query: \(reason)"
    case .indexFile(let path, let reason): return "\(path): \(reason)"
    case .storage(let path, let reason): return "\(path): \(reason)"
    case .incompatibleSettings(let path, let reason): return "\(path): \(reason)"
    }
  }
}
