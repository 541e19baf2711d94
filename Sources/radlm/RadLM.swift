import ArgumentParser
import Foundation
import RadTensor

/// The `radlm` command line: build, adapt, run and evaluate language models on local machines.
@main
struct RadLM: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "radlm",
    abstract: "Build, adapt, run and evaluate radiology language models, offline.",
    subcommands: [
      // Each concept adds its command here.
      BenchCommand.self,
      ChatCommand.self,
      CheckCommand.self,
      ClassifyCommand.self,
      CLIPCommand.self,
      ConvertCommand.self,
      DataCommand.self,
      DeidCommand.self,
      SectionsCommand.self,
      EmbedCommand.self,
      EvalCommand.self,
      ExtractCommand.self,
      FetchCommand.self,
      GenerateCommand.self,
      ImageCommand.self,
      ImpressionCommand.self,
      InspectCommand.self,
      LogitsCommand.self,
      LoRACommand.self,
      ReviewCommand.self,
      PipelineCommand.self,
      RagCommand.self,
      ServeCommand.self,
      TokenizeCommand.self,
      TokenizerCommand.self,
      TrainCommand.self,
      VisionCommand.self,
      VLMCommand.self,

    ]
  )

  /// ArgumentParser's entry point, after the heap policies: a heap on 2 MB pages (a restart with
  /// glibc's hugetlb tunable; `RADLM_HUGE_PAGES=0` opts out) and freed memory kept for reuse by
  /// training steps. With `RADLM_CHECK_ARGUMENTS=1` the command line is only parsed and
  /// validated (status 0 when it would run), so scripts and the option tests can check it.
  static func main() async {
    MemoryPolicy.restartWithHugePageHeap()
    MemoryPolicy.keepFreedMemory()
    do {
      var command = try parseAsRoot()
      if ProcessInfo.processInfo.environment["RADLM_CHECK_ARGUMENTS"] == "1" { exit(withError: nil) }
      if var asyncCommand = command as? AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        try command.run()
      }
    } catch {
      fail(error)
    }
  }

  /// Ends with `error` as one line on stderr ("Error: …", naming the option of a bad command
  /// line, then the help command to read) and status 64 for a bad command line, 1 for a failed
  /// run; help and other clean exits keep ArgumentParser's output.
  static func fail(_ error: Error) -> Never {
    let code = exitCode(for: error)
    if code == .success { exit(withError: error) }
    let lines = message(for: error).split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
    var line = "Error: " + lines.filter { !$0.isEmpty }.joined(separator: " ")
    if code == .validationFailure,
      let hint = fullMessage(for: error, columns: 1000).split(whereSeparator: \.isNewline).first(where: {
        $0.contains("See '")
      })
    {
      line +=
        " (s"
        + hint.trimmingCharacters(in: .whitespaces).dropFirst().replacingOccurrences(
          of: " for more information.", with: "") + ")"
    }
    FileHandle.standardError.write(Data((line + "\n").utf8))
    exit(withError: ExitCode(code.rawValue))
  }
}
