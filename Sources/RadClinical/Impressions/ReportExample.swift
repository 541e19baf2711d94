import Foundation

/// A report reduced to what impression generation learns from: its id, findings and impression
/// (a training example, a few-shot example or a retrieved neighbour).
public struct ReportExample: Sendable, Equatable {
  public var id: String
  public var findings: String
  public var impression: String

  public init(id: String, findings: String, impression: String) {
    self.id = id
    self.findings = findings
    self.impression = impression
  }

  /// Reads `{"id","findings","impression"}` lines (other fields ignored).
  public static func read(_ url: URL) throws -> [ReportExample] {
    try JSONLines.objects(url).map { line, object in
      guard let findings = object["findings"] as? String, let impression = object["impression"] as? String else {
        throw ReviewError.malformed(
          file: url.path, line: line, reason: "needs string fields \"findings\" and \"impression\"")
      }
      return ReportExample(
        id: try JSONLines.id(object, file: url.path, line: line), findings: findings, impression: impression)
    }
  }
}

/// One study to write an impression for: its findings and, when known, the indication.
public struct ImpressionRequest: Sendable, Equatable {
  public var id: String
  public var findings: String
  public var indication: String?

  public init(id: String, findings: String, indication: String? = nil) {
    self.id = id
    self.findings = findings
    self.indication = indication
  }

  /// Reads `{"id","findings"[,"indication"]}` lines.
  public static func read(_ url: URL) throws -> [ImpressionRequest] {
    try JSONLines.objects(url).map { line, object in
      guard let findings = object["findings"] as? String else {
        throw ReviewError.malformed(file: url.path, line: line, reason: "needs a string field \"findings\"")
      }
      if let indication = object["indication"], !(indication is String) && !(indication is NSNull) {
        throw ReviewError.malformed(file: url.path, line: line, reason: "\"indication\" must be a string")
      }
      return ImpressionRequest(
        id: try JSONLines.id(object, file: url.path, line: line), findings: findings,
        indication: object["indication"] as? String)
    }
  }
}

/// A generated impression with what it cost.
public struct ImpressionResult: Sendable, Equatable {
  public var id: String
  public var impression: String
  /// The model's whole reply (with chain-of-thought: the listed findings too).
  public var rawText: String
  public var generatedTokens: Int
  public var seconds: Double

  public init(id: String, impression: String, rawText: String, generatedTokens: Int = 0, seconds: Double = 0) {
    self.id = id
    self.impression = impression
    self.rawText = rawText
    self.generatedTokens = generatedTokens
    self.seconds = seconds
  }
}
