import ArgumentParser

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
      ConvertCommand.self,
      EmbedCommand.self,
      EvalCommand.self,
      FetchCommand.self,
      GenerateCommand.self,
      InspectCommand.self,
      LogitsCommand.self,
      LoRACommand.self,
      PipelineCommand.self,
      TokenizeCommand.self,
      TokenizerCommand.self,
      TrainCommand.self,

    ]
  )
}
