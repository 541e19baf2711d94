import ArgumentParser
import Foundation
import RadModelFiles
import RadTensor

/// `radlm inspect`: looks inside model files without loading a model.
struct InspectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect",
    abstract: "Look inside model files (safetensors, sharded index, GGUF).",
    subcommands: [
      InspectTensorsCommand.self, InspectMetadataCommand.self, InspectAttentionCommand.self,
      InspectEmbeddingsCommand.self,
    ]
  )
}

/// `radlm inspect tensors FILE [--name NAME]... [--json]`: each tensor's name, stored dtype, shape
/// and, after conversion to F32, its sum, mean and first 8 values.
struct InspectTensorsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tensors",
    abstract: "List tensors with dtype, shape, and sum, mean and first 8 values after conversion to F32."
  )

  @Argument(help: "A .safetensors file, a model.safetensors.index.json, or a .gguf file.")
  var file: String

  @Option(name: .long, help: "Only this tensor (repeatable).")
  var name: [String] = []

  @Flag(help: "Print JSON: {\"tensors\":[{\"name\",\"dtype\",\"shape\",\"sum\",\"mean\",\"first\"}]}.")
  var json = false

  func validate() throws { try OptionCheck.exists(file, "<file>") }

  func run() throws {
    let archive = try TensorArchives.open(URL(fileURLWithPath: file))
    let names = name.isEmpty ? archive.tensorNames : name
    var summaries: [TensorSummary] = []
    for tensorName in names {
      let summary = try TensorSummary(archive, name: tensorName)
      if json { summaries.append(summary) } else { print(summary.line) }
    }
    if json { print(TensorSummary.json(summaries)) }
  }
}

/// `radlm inspect metadata FILE.gguf [--json]`: the GGUF header's key/values, arrays shortened.
struct InspectMetadataCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "metadata",
    abstract: "Print a GGUF file's key/value metadata (arrays shortened); for safetensors, its __metadata__."
  )

  @Argument(help: "A .gguf file (or a .safetensors file).")
  var file: String

  @Flag(help: "Print JSON: {\"version\",\"tensor_count\",\"alignment\",\"metadata\":[{\"key\",\"type\",\"value\"}]}.")
  var json = false

  @Option(help: "Array elements to show.")
  var arrayLimit = 8

  func validate() throws {
    try OptionCheck.exists(file, "<file>")
    try OptionCheck.count(arrayLimit, "--array-limit", minimum: 0)
  }

  func run() throws {
    let archive = try TensorArchives.open(URL(fileURLWithPath: file))
    if let st = archive as? SafetensorsFile {
      let keys = st.metadata.keys.sorted()
      if json {
        let items = keys.map { "\(GGUFValue.quoted($0)):\(GGUFValue.quoted(st.metadata[$0] ?? ""))" }
        print("{\"metadata\":{\(items.joined(separator: ","))}}")
      } else {
        for key in keys { print("\(key) = \(st.metadata[key] ?? "")") }
      }
      return
    }
    guard let gguf = archive as? GGUFFile else {
      throw ValidationError("\(file): metadata needs a .gguf or .safetensors file")
    }
    print(json ? gguf.metadataJSON(arrayLimit: arrayLimit) : gguf.metadataText(arrayLimit: arrayLimit))
  }
}
