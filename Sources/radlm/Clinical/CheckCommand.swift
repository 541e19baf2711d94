import ArgumentParser
import Foundation
import RadClinical
import RadInference

/// `radlm check`: consistency and error checks on reports.
struct CheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract:
      "Flag errors in reports: laterality, unsupported claims, missed critical findings, negation, numbers, sex, repeats.",
    subcommands: [Run.self, Eval.self], defaultSubcommand: Run.self)

  /// Options for the optional perplexity rule.
  struct SurprisalOptions: ParsableArguments {
    @Option(
      help:
        "Language model for the perplexity-outlier rule (folder, .gguf or fetched name such as smollm2); off by default."
    )
    var perplexityModel: String?
    @Option(help: "Surprisal (nats) at which a word is an outlier.") var surprisalThreshold: Double = 14

    func validate() throws {
      try OptionCheck.model(perplexityModel, "--perplexity-model")
      try OptionCheck.number(surprisalThreshold, "--surprisal-threshold", above: 0, atMost: 1000)
    }

    func checker() throws -> ReportChecker {
      guard let perplexityModel else { return ReportChecker() }
      let bundle = try ModelArgument.bundle(perplexityModel, dtype: .f32)
      return ReportChecker(
        scorer: LanguageModelSurprisal(model: bundle.model, tokenizer: bundle.tokenizer),
        surprisalThreshold: surprisalThreshold)
    }
  }

  struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "run",
      abstract:
        "Check reports from JSON Lines {\"id\",\"findings\",\"impression\"[,\"sex\"]} (the default subcommand).",
      discussion: """
        With --json each output line is {"id","issues":[{"kind","start","end","section","message"}]}; \
        start/end are offsets into the section's text in Unicode code points. Kinds: \
        \(ReportIssueKind.allCases.map(\.rawValue).joined(separator: ", ")).
        """)

    @Argument(help: "JSON Lines file, or - for standard input.") var file: String
    @Flag(help: "Print one JSON object per report.") var json = false
    @OptionGroup var surprisal: SurprisalOptions

    func validate() throws {
      if file != "-" && !FileManager.default.fileExists(atPath: file) { throw ValidationError("\(file): no such file") }
    }

    func run() throws {
      let data =
        file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: file)
      guard let data, let text = String(data: data, encoding: .utf8) else {
        throw ValidationError("\(file): cannot be read as UTF-8 text")
      }
      let lines = try CheckInput.parse(text, source: file == "-" ? "<stdin>" : file)
      let checker = try surprisal.checker()
      var output: [String] = []
      for line in lines {
        let issues = try checker.check(line.report)
        if json {
          output.append(CheckInput.outputLine(idJSON: line.idJSON, issues: issues))
        } else if issues.isEmpty {
          output.append("\(line.idJSON): no issues")
        } else {
          for issue in issues {
            output.append(
              "\(line.idJSON): \(issue.kind.rawValue) [\(issue.section.rawValue) \(issue.start)-\(issue.end)] \(issue.message)"
            )
          }
        }
      }
      for line in output { print(line) }
    }
  }
}
