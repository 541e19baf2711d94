import ArgumentParser
import Foundation
import RadModels
import RadTokenizers
import RadTraining

/// `radlm lora merge`: folds a PEFT-format adapter into its base model and saves a plain model.
struct LoRACommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lora", abstract: "Work with LoRA adapters.", subcommands: [Merge.self])

  struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Merge an adapter into its base model.")
    @Option(help: "Base model folder or .gguf file.") var model: String
    @Option(help: "Adapter folder (adapter_config.json + adapter_model.safetensors).") var adapter: String
    @Option(help: "Output folder for the merged model.") var out: String

    func validate() throws {
      try OptionCheck.model(model)
      try OptionCheck.exists(adapter, "--adapter")
    }

    func run() throws {
      let source = try ModelSourceOptions.parse(["--model", model])
      let (loaded, tokenizer, _) = try source.load(seed: 0)
      let adapters = try LoRAAdapterSet(loading: URL(fileURLWithPath: adapter), into: loaded.parameters)
      adapters.merge(removingFrom: loaded.parameters)
      print(try TrainingRunner.saveModel(loaded, tokenizer: tokenizer, to: URL(fileURLWithPath: out)))
    }
  }
}
