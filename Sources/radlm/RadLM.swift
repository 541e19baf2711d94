import ArgumentParser
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
      ConvertCommand.self,
      DataCommand.self,
      DeidCommand.self,
      SectionsCommand.self,
      EmbedCommand.self,
      EvalCommand.self,
      ExtractCommand.self,
      FetchCommand.self,
      GenerateCommand.self,
      InspectCommand.self,
      LogitsCommand.self,
      LoRACommand.self,
      PipelineCommand.self,
      RagCommand.self,
      TokenizeCommand.self,
      TokenizerCommand.self,
      TrainCommand.self,

    ]
  )

  /// ArgumentParser's entry point, after the heap policies: a heap on 2 MB pages (a restart with
  /// glibc's hugetlb tunable; `RADLM_HUGE_PAGES=0` opts out) and freed memory kept for reuse by
  /// training steps.
  static func main() async {
    MemoryPolicy.restartWithHugePageHeap()
    MemoryPolicy.keepFreedMemory()
    do {
      var command = try parseAsRoot()
      if var asyncCommand = command as? AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        try command.run()
      }
    } catch {
      exit(withError: error)
    }
  }
}
