import Foundation

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Reads one IU report from its XML bytes with Foundation's `XMLParser` (libxml2 underneath, so
/// entities and encodings are handled as XML says). Only the elements RadLM uses are kept.
public enum IUReportXML {
  /// Parses `bytes`; `file` names the source in the report and in errors.
  public static func parse(_ bytes: Data, file: String) throws -> IUReport {
    let collector = IUReportCollector()
    let parser = XMLParser(data: bytes)
    parser.delegate = collector
    parser.shouldResolveExternalEntities = false
    if !parser.parse() || collector.failure != nil {
      let reason = collector.failure ?? parser.parserError.map(describe) ?? "parse failed"
      throw IUReportError.malformedXML(
        file: file, line: parser.lineNumber, column: parser.columnNumber, reason: reason)
    }
    guard let rawNumber = collector.reportNumber else { throw IUReportError.missingReportNumber(file: file) }
    guard let number = Int(rawNumber.trimmingCharacters(in: .whitespaces)), number >= 0 else {
      throw IUReportError.invalidReportNumber(file: file, value: rawNumber)
    }
    let sections = collector.sections.filter { !$0.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
    return IUReport(
      number: number, sections: sections, meshMajor: collector.mesh["major"] ?? [],
      meshMinor: collector.mesh["minor"] ?? [], meshAutomatic: collector.mesh["automatic"] ?? [],
      imageIDs: collector.imageIDs, source: file)
  }
}

/// The parser's delegate: collects text of `<AbstractText Label=…>`, `<MeSH>` children and the
/// ids of `<IUXRId>` and `<parentImage>`. Lives for one parse on one thread.
private final class IUReportCollector: NSObject, XMLParserDelegate {
  var reportNumber: String?
  var sections: [IUReportSection] = []
  var mesh: [String: [String]] = [:]
  var imageIDs: [String] = []
  var failure: String?

  private var sectionLabel: String?
  private var meshDepth = 0
  private var meshKind: String?
  private var text = ""

  func parser(
    _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
    qualifiedName: String?, attributes: [String: String] = [:]
  ) {
    switch elementName {
    case "IUXRId":
      if reportNumber == nil { reportNumber = attributes["id"] }
    case "AbstractText":
      sectionLabel = attributes["Label"] ?? ""
      text = ""
    case "MeSH":
      meshDepth += 1
    case "parentImage":
      if let id = attributes["id"] { imageIDs.append(id) }
    default:
      if meshDepth > 0 {
        meshKind = elementName
        text = ""
      }
    }
  }

  func parser(_ parser: XMLParser, foundCharacters string: String) {
    if sectionLabel != nil || meshKind != nil { text += string }
  }

  func parser(_ parser: XMLParser, foundCDATA cdataBlock: Data) {
    if sectionLabel != nil || meshKind != nil { text += String(decoding: cdataBlock, as: UTF8.self) }
  }

  func parser(
    _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?
  ) {
    if elementName == "AbstractText", let label = sectionLabel {
      sections.append(IUReportSection(label: label, text: text))
      sectionLabel = nil
    } else if elementName == "MeSH" {
      meshDepth -= 1
    } else if let kind = meshKind, elementName == kind {
      let term = text.trimmingCharacters(in: .whitespacesAndNewlines)
      if !term.isEmpty { mesh[kind, default: []].append(term) }
      meshKind = nil
    }
  }

  func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
    if failure == nil { failure = describe(parseError) }
  }
}

/// A readable reason for an `XMLParser` error: Foundation on Linux gives only the numeric code
/// (`NSXMLParserError` values, which are libxml2's).
private func describe(_ error: Error) -> String {
  let code = (error as NSError).code
  let reasons: [Int: String] = [
    4: "the document is empty", 5: "the document ends before its elements are closed",
    9: "invalid character", 14: "bad entity reference (use &amp; for a literal &)",
    22: "bad entity reference (use &amp; for a literal &)",
    23: "bad entity reference (use &amp; for a literal &)", 26: "undeclared entity",
    38: "'<' inside an attribute value", 39: "malformed attribute", 40: "malformed attribute",
    41: "attribute without a value", 42: "attribute given twice", 68: "a name is required here",
    72: "'<' expected", 73: "a tag is not closed with '>'", 74: "'</' expected",
    76: "an end tag does not match the open element", 77: "unfinished tag", 80: "unfinished comment",
    85: "elements are not well balanced", 86: "content after the root element",
  ]
  return reasons[code] ?? "XML error \(code)"
}
