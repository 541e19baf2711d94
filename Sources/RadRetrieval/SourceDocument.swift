import Foundation

/// A document as read from a file, before chunking: a stable id, its text, metadata (a JSON
/// object's text) and where it came from (a path, with the line for JSON Lines).
public struct SourceDocument: Sendable, Equatable {
  public var id: String
  public var text: String
  public var metadataJSON: String
  public var source: String

  public init(id: String, text: String, metadataJSON: String = "{}", source: String) {
    self.id = id
    self.text = text
    self.metadataJSON = metadataJSON
    self.source = source
  }

  /// Compact JSON text of a metadata dictionary, keys sorted.
  public static func json(_ metadata: [String: Any]) -> String {
    guard JSONSerialization.isValidJSONObject(metadata),
      let data = try? JSONSerialization.data(withJSONObject: metadata, options: [.sortedKeys, .withoutEscapingSlashes])
    else { return "{}" }
    return String(decoding: data, as: UTF8.self)
  }
}

/// Reads the documents of the paths given to `radlm rag index`: `.txt` and `.md` files (one
/// document each, id = the path), JSON Lines (`{"id","text",…}`, the other fields as metadata)
/// and folders of them (walked in name order). Other file kinds are refused by name.
public enum DocumentReader {
  /// Extensions read as plain documents.
  public static let textExtensions: Set<String> = ["txt", "md", "markdown"]

  /// Calls `body` with each document under `paths`, in a stable order.
  public static func read(paths: [String], extraReaders: [any DocumentFileReader] = [], body: (SourceDocument) throws -> Void)
    throws
  {
    let fm = FileManager.default
    for path in paths {
      var isDirectory: ObjCBool = false
      guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw RetrievalError.badInput(file: path, line: nil, reason: "no such file or folder")
      }
      if let reader = extraReaders.first(where: { $0.accepts(path: path, isDirectory: isDirectory.boolValue) }) {
        try reader.read(path: path, body: body)
        continue
      }
      if isDirectory.boolValue {
        guard let names = try? fm.subpathsOfDirectory(atPath: path) else {
          throw RetrievalError.badInput(file: path, line: nil, reason: "cannot list the folder")
        }
        for name in names.sorted() {
          let file = (path as NSString).appendingPathComponent(name)
          var sub: ObjCBool = false
          guard fm.fileExists(atPath: file, isDirectory: &sub), !sub.boolValue else { continue }
          let ext = (name as NSString).pathExtension.lowercased()
          if textExtensions.contains(ext) || ext == "jsonl" { try readFile(file, body: body) }
        }
      } else {
        try readFile(path, body: body)
      }
    }
  }

  static func readFile(_ path: String, body: (SourceDocument) throws -> Void) throws {
    let ext = (path as NSString).pathExtension.lowercased()
    if ext == "jsonl" { return try JSONLinesReader.read(path: path, body: body) }
    guard textExtensions.contains(ext) else {
      throw RetrievalError.badInput(
        file: path, line: nil, reason: "unsupported file kind .\(ext) (expected .txt, .md, .jsonl, or IU reports)")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw RetrievalError.badInput(file: path, line: nil, reason: "cannot be read")
    }
    guard let text = String(validatingUTF8Data: data) else {
      throw RetrievalError.badInput(file: path, line: nil, reason: "is not valid UTF-8")
    }
    guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
      throw RetrievalError.badInput(file: path, line: nil, reason: "is empty")
    }
    var metadata: [String: Any] = ["format": ext == "txt" ? "txt" : "md", "path": path]
    if ext != "txt", let heading = text.split(separator: "\n").first(where: { $0.hasPrefix("# ") }) {
      metadata["title"] = heading.dropFirst(2).trimmingCharacters(in: .whitespaces)
    }
    try body(SourceDocument(id: path, text: text, metadataJSON: SourceDocument.json(metadata), source: path))
  }
}

/// A reader for one more kind of input (Indiana University reports), chosen by path.
public protocol DocumentFileReader: Sendable {
  func accepts(path: String, isDirectory: Bool) -> Bool
  func read(path: String, body: (SourceDocument) throws -> Void) throws
}

extension String {
  /// The text of UTF-8 bytes, or nil when they are not valid UTF-8 (no replacement characters).
  init?(validatingUTF8Data data: Data) {
    guard let text = String(validating: data, as: UTF8.self) else { return nil }
    self = text
  }
}

/// JSON Lines documents: one object per line with a string or number `id` and a string `text`;
/// every other field becomes metadata. Blank lines are skipped; anything else that is not such an
/// object is refused with its line number.
public enum JSONLinesReader {
  public static func read(path: String, body: (SourceDocument) throws -> Void) throws {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw RetrievalError.badInput(file: path, line: nil, reason: "cannot be read")
    }
    var lineNumber = 0
    var start = data.startIndex
    while start < data.endIndex {
      let end = data[start...].firstIndex(of: 0x0a) ?? data.endIndex
      lineNumber += 1
      let line = data[start..<end]
      start = end < data.endIndex ? end + 1 : end
      guard String(validatingUTF8Data: Data(line)) != nil else {
        throw RetrievalError.badInput(file: path, line: lineNumber, reason: "is not valid UTF-8")
      }
      if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0d }) { continue }
      guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
        throw RetrievalError.badInput(file: path, line: lineNumber, reason: "is not a JSON object")
      }
      let id: String
      if let text = object["id"] as? String, !text.isEmpty {
        id = text
      } else if let number = object["id"] as? NSNumber, !(object["id"] is Bool) {
        id = number.stringValue
      } else {
        throw RetrievalError.badInput(file: path, line: lineNumber, reason: "needs an \"id\" (a non-empty string or a number)")
      }
      guard let text = object["text"] as? String else {
        throw RetrievalError.badInput(file: path, line: lineNumber, reason: "needs a \"text\" string")
      }
      guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
        throw RetrievalError.badInput(file: path, line: lineNumber, reason: "has an empty \"text\"")
      }
      var metadata = object
      metadata["id"] = nil
      metadata["text"] = nil
      try body(SourceDocument(id: id, text: text, metadataJSON: SourceDocument.json(metadata), source: "\(path):\(lineNumber)"))
    }
  }
}
