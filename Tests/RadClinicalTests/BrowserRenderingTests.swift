import Foundation
import RadClinical
import Testing

/// report.html and the review sheet open in headless Chromium (installed by scripts/test.sh)
/// without console messages (the pages have no scripts, so any message is an error) and show
/// their tables; neither names anything to fetch.
@Suite struct BrowserRenderingTests {
  static func chromium() throws -> String {
    for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
    where FileManager.default.isExecutableFile(atPath: path) {
      return path
    }
    throw BrowserError.missing("Chromium is not installed (Debian package chromium; scripts/test.sh installs it)")
  }

  /// Runs headless Chromium on `file`: the rendered DOM and its log.
  static func render(_ file: URL) throws -> (dom: String, log: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try chromium())
    process.arguments = [
      "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0", "--dump-dom",
      file.absoluteString,
    ]
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let dom = out.fileHandleForReading.readDataToEndOfFile()
    let log = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw BrowserError.failed(
        "chromium exited with \(process.terminationStatus): \(String(decoding: log, as: UTF8.self))")
    }
    return (String(decoding: dom, as: UTF8.self), String(decoding: log, as: UTF8.self))
  }

  static func expectSelfContained(_ html: String) {
    for pattern in ["src=\"http", "href=\"http", "src='http", "href='http", "@import", "url(http", "<script"] {
      #expect(!html.contains(pattern), "page refers to \(pattern)")
    }
  }

  static func scratch() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("radlm-browser-\(UUID().uuidString)")
  }

  @Test func reviewSheetRendersItsTable() throws {
    // Written for RadLM: a synthetic study, with markup characters on purpose.
    let sheet = ReviewSheet(
      variants: ["zero-shot", "lora"],
      items: [
        ReviewItem(
          id: "10", findings: "Heart <normal>. Lungs clear & no effusion.", reference: "No acute disease.",
          outputs: ["zero-shot": "Normal chest.", "lora": "No acute disease."],
          flags: ["zero-shot": ["unsupported claim: effusion"]])
      ])
    let folder = Self.scratch()
    defer { try? FileManager.default.removeItem(at: folder) }
    let written = try ReviewExport.write(sheet, to: folder)
    let html = try String(contentsOf: written.html, encoding: .utf8)
    Self.expectSelfContained(html)
    let rendered = try Self.render(written.html)
    #expect(rendered.dom.contains("<table id=\"review\">"))
    #expect(rendered.dom.contains("Heart &lt;normal&gt;. Lungs clear &amp; no effusion."))
    #expect(rendered.dom.contains("unsupported claim: effusion"))
    #expect(!rendered.log.contains("CONSOLE"), "console messages: \(rendered.log)")
  }

  @Test func mainJobReportRendersTableCurveAndExamples() throws {
    let study = StudyReport(
      example: ReportExample(id: "20", findings: "Small left effusion.", impression: "Left effusion."), abnormal: true)
    let scores = [
      ImpressionScores(
        name: "zero-shot", n: 1, rougeL: 0.5, bleu: 10, bertscoreF1: 0.8, labelF1: 1, flagRate: nil,
        tokensPerSecond: 50,
        abnormal: .init(n: 1, rougeL: 0.5, bleu: 10, bertscoreF1: 0.8, labelF1: 1))
    ]
    let html = ClinicalReportPage.html(
      scores: scores,
      predictions: ["zero-shot": [ImpressionResult(id: "20", impression: "Effusion <left>.", rawText: "")]],
      test: [study], lossHistory: [2.0, 1.5, 1.2, 1.0],
      validationHistory: [(step: 2, loss: 1.4), (step: 4, loss: 1.1)],
      flags: ["zero-shot": ["20"]])
    Self.expectSelfContained(html)
    let folder = Self.scratch()
    defer { try? FileManager.default.removeItem(at: folder) }
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let file = folder.appendingPathComponent("report.html")
    try Data(html.utf8).write(to: file)
    let rendered = try Self.render(file)
    #expect(rendered.dom.contains("<table id=\"results\">"))
    #expect(rendered.dom.contains("<svg"))
    #expect(rendered.dom.contains("<td class=\"flagged\">Effusion &lt;left&gt;.</td>"))
    #expect(!rendered.log.contains("CONSOLE"), "console messages: \(rendered.log)")
  }
}

enum BrowserError: Error, CustomStringConvertible {
  case missing(String)
  case failed(String)
  var description: String {
    switch self {
    case .missing(let text), .failed(let text): return text
    }
  }
}
