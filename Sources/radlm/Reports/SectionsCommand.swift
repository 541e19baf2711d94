import ArgumentParser
import Foundation
import RadReports

/// `radlm sections FILE|-`: splits free-text reports into sections and lists their PET values.
struct SectionsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sections",
    abstract: "Split free-text reports into sections (indication, technique, comparison, findings, impression, …).",
    discussion: """
      Input: a plain-text report, or JSON Lines {"id","text"}. Also lists PET values (SUVmax/mean/peak with \
      their site, Deauville score, tracer, uptake time, injected activity, blood glucose). With --json, one \
      line per report: {"id","sections":[{"kind","heading","start","end","text"}],"pet":[…]}; offsets are \
      Unicode code points into the input text.
      """
  )

  @Argument(help: "The report file, or - for standard input.")
  var input: String

  @Flag(help: "Print one JSON object per report.")
  var json = false

  func validate() throws {
    if input.isEmpty { throw ValidationError("<input> must name a file or be -") }
    try OptionCheck.input(input, "<input>")
  }

  func run() throws {
    let parser = ReportSectionParser()
    let extractor = PETValueExtractor()
    for report in try ReportInput.read(path: input) {
      let parsed = parser.parse(report.text)
      let pet = extractor.extract(from: report.text)
      if json {
        struct Output: Encodable {
          let id: String
          let sections: [ReportSection]
          let pet: [PETValue]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        print(
          String(
            decoding: try encoder.encode(Output(id: report.id, sections: parsed.sections, pet: pet)), as: UTF8.self))
      } else {
        print("# report \(report.id)")
        for section in parsed.sections {
          let heading = section.heading.isEmpty ? "" : " (\(section.heading))"
          print("[\(section.kind.rawValue)\(heading) \(section.start)-\(section.end)]")
          print(section.text)
        }
        for value in pet {
          let number = value.value.map { String(format: "%g", $0) } ?? ""
          let unit = value.unit.map { " \($0)" } ?? ""
          let site = value.site.map { "  site: \($0)" } ?? ""
          print("pet \(value.kind.rawValue): \(number)\(unit)  \"\(value.text)\" \(value.start)-\(value.end)\(site)")
        }
      }
    }
  }
}
