import ArgumentParser
import Foundation
import RadReports
import RadModelFiles

/// `radlm deid`: removes identifiers from report text (`radlm deid FILE`, the default `run`) and
/// measures how well it does on IU findings with injected identifiers (`radlm deid eval`).
struct DeidCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "deid",
    abstract: "De-identify reports (HIPAA Safe Harbor categories plus radiology identifiers).",
    subcommands: [DeidRunCommand.self, DeidEvalCommand.self],
    defaultSubcommand: DeidRunCommand.self
  )
}

/// `radlm deid [run] [--mode tag|surrogate|shift-dates] [--json] FILE|-`.
struct DeidRunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "De-identify a text file or JSON Lines {\"id\",\"text\"} (the default subcommand).",
    discussion: """
      With --json each output line is {"id","text","spans":[{"start","end","label","text"}]}: text is the \
      de-identified text, start/end are Unicode code-point offsets into the INPUT text (Python str indices). \
      Without --json the de-identified text is printed (JSONL input: one {"id","text"} line per document).
      """
  )

  @Argument(help: "The input file, or - for standard input.")
  var input: String

  @Option(
    help:
      "tag ([LABEL]), surrogate (consistent stand-ins, dates shifted) or shift-dates (dates shifted, the rest tagged).")
  var mode: String = DeidMode.tag.rawValue

  @Option(help: "Seed for stand-ins and date shifts (same seed and id: same output).")
  var seed: UInt64 = 0

  @Flag(help: "Print one JSON object per document with the spans found.")
  var json = false

  func validate() throws {
    if input.isEmpty { throw ValidationError("<input> must name a file or be -") }
    try OptionCheck.input(input, "<input>")
    if DeidMode(rawValue: mode) == nil {
      throw ValidationError("--mode must be one of \(DeidMode.allCases.map(\.rawValue).joined(separator: ", "))")
    }
  }

  func run() throws {
    let inputs = try ReportInput.read(path: input)
    let deidentifier = Deidentifier(mode: DeidMode(rawValue: mode) ?? .tag, seed: seed)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let isJSONL = inputs.first?.fromJSONLines ?? false
    for document in inputs {
      let result = deidentifier.deidentify(document.text, id: document.id)
      if json {
        print(String(decoding: try encoder.encode(result), as: UTF8.self))
      } else if isJSONL {
        struct Line: Encodable {
          let id: String
          let text: String
        }
        print(String(decoding: try encoder.encode(Line(id: result.id, text: result.text)), as: UTF8.self))
      } else {
        print(result.text, terminator: result.text.hasSuffix("\n") ? "" : "\n")
      }
    }
  }
}

/// `radlm deid eval`: the evaluation set built from IU findings with injected identifiers.
struct DeidEvalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract: "Recall, precision and F1 per identifier category on IU findings with injected identifiers.",
    discussion: """
      The set is built at run time from the fetched reports (nothing is stored): 2-4 identifiers per report, \
      categories in turn, varied formats and positions, plus clinical distractor sentences. Recall: gold \
      identifiers fully covered by predicted spans of any label; precision: predicted spans overlapping a gold \
      identifier; clinical word survival: the report's words and the distractors' left untouched.
      """
  )

  @Option(help: "The IU collection: the .tgz or a folder of .xml files (default: the fetched iu-reports).")
  var reports: String?

  @Option(help: "Which reports: test, validation, train or all.")
  var split: String = "test"

  @Option(help: "Seed of the injected identifiers.")
  var seed: UInt64 = 14

  @Flag(help: "Print the scores as one JSON object.")
  var json = false

  @Flag(help: "List on stderr the injected identifiers that were missed (synthetic values only, no report text).")
  var misses = false

  func validate() throws {
    if split != "all" && IUSplit(rawValue: split) == nil {
      throw ValidationError("--split must be test, validation, train or all")
    }
    if let reports, reports.isEmpty { throw ValidationError("--reports must name a file or folder") }
    try OptionCheck.exists(reports, "--reports")
  }

  func run() throws {
    let path = try reports ?? ModelCache().path(of: "iu-reports").path
    let collection = try IUReportCollection.load(from: path)
    let cases = DeidEvaluationSet.build(from: collection, split: IUSplit(rawValue: split), seed: seed)
    let report = DeidEvaluation.evaluate(cases)
    let untouched = DeidEvaluation.untouched(collection, split: IUSplit(rawValue: split))
    if misses {
      for alarm in DeidEvaluation.falseAlarms(cases) {
        FileHandle.standardError.write(
          Data("false alarm \(alarm.span.label.rawValue) \"\(alarm.span.text)\" in report \(alarm.id)\n".utf8))
      }
      for miss in DeidEvaluation.misses(cases) {
        FileHandle.standardError.write(
          Data(
            "missed \(miss.gold.label.rawValue) \"\(miss.gold.text)\" in report \(miss.id); predicted there: \(miss.predicted.map { "\($0.label.rawValue) \"\($0.text)\"" }.joined(separator: ", "))\n"
              .utf8))
      }
    }
    if json {
      struct Output: Encodable {
        let injected: DeidEvaluationReport
        let untouched: DeidUntouchedScore
      }
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      print(String(decoding: try encoder.encode(Output(injected: report, untouched: untouched)), as: UTF8.self))
      return
    }
    print("documents: \(report.documents) (split \(split), seed \(seed))")
    print("category        gold  recall  predicted  precision     F1  label_agreement")
    let rows = report.categories.sorted { $0.key < $1.key } + [("overall", report.overall)]
    for (name, score) in rows {
      print(
        name.padding(toLength: 14, withPad: " ", startingAt: 0)
          + String(
            format: "%6d  %6.4f  %9d  %9.4f  %6.4f  %15.4f", score.gold, score.recall, score.predicted,
            score.precision, score.f1, score.labelAgreement))
    }
    print(
      String(
        format: "clinical words kept: %d / %d = %.4f", report.clinicalWordsKept, report.clinicalWords,
        report.clinicalWordSurvival))
    let labels = untouched.labels.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    print(
      String(
        format: "untouched reports (all sections, nothing injected): %d spans in %d words = %.2f per 10k words",
        untouched.spans, untouched.words, untouched.spansPer10kWords) + (labels.isEmpty ? "" : " (\(labels))"))
  }
}
