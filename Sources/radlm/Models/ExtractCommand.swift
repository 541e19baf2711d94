import ArgumentParser
import Foundation
import RadInference
import RadTraining

/// `radlm extract`: structured extraction under a JSON schema's token mask.
struct ExtractCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "extract",
    abstract: "Extract a JSON object per report with a language model, constrained to validate against a schema.",
    discussion: """
      Reads JSON Lines {"id","text"} and prints one line {"id","output"} per input, where output \
      validates against --schema (see docs/structured-extraction.md for the supported keywords). \
      Decoding masks every token that cannot continue a valid document and finishes the document \
      within --max-tokens. Shipped schemas: data/schemas/chest_xray_findings.json, data/schemas/pet_ct.json.
      """)

  @Option(help: "Model folder, .gguf file, or fetched model name.") var model: String
  @Option(help: "JSON Schema file (the supported subset).") var schema: String
  @Option(help: "JSON Lines file of {\"id\",\"text\"}.") var input: String
  @Option(help: "LoRA adapter folder (PEFT format) to merge into the model first.") var adapter: String?
  @Option(help: "Most tokens per output document.") var maxTokens = 256
  @Option(help: "Sampling temperature; 0 is greedy.") var temperature: Float = 0
  @Option(help: "Random seed for sampling.") var seed: UInt64 = 0

  func validate() throws {
    try OptionCheck.model(model)
    try OptionCheck.count(maxTokens, "--max-tokens")
    try OptionCheck.number(temperature, "--temperature", atLeast: 0, atMost: 100)
    if !FileManager.default.fileExists(atPath: schema) { throw ValidationError("--schema \(schema): no such file") }
    if !FileManager.default.fileExists(atPath: input) { throw ValidationError("--input \(input): no such file") }
    _ = try SchemaFile.read(schema, option: "--schema")
    if let adapter, !FileManager.default.fileExists(atPath: adapter + "/adapter_config.json") {
      throw ValidationError("--adapter \(adapter): no adapter_config.json in that folder")
    }
  }

  func run() throws {
    let schemaValue = try SchemaFile.read(schema, option: "--schema")
    let bundle = try ModelArgument.bundle(model, dtype: .f32)
    if let adapter {
      let adapters = try LoRAAdapterSet(loading: URL(fileURLWithPath: adapter), into: bundle.model.parameters)
      adapters.merge(removingFrom: bundle.model.parameters)
    }
    let extractor = try StructuredExtractor(
      bundle: bundle, schema: schemaValue, maxTokens: maxTokens, temperature: temperature, seed: seed)
    let results = try extractor.extractAll(inputPath: input) { done, total in
      FileHandle.standardError.write(Data("extract: \(done)/\(total)\n".utf8))
    }
    for result in results { print(StructuredExtractor.outputLine(id: result.id, output: result.output)) }
  }
}

/// Reads a schema file for `--schema`/`--json-schema`, with the option and file in errors.
enum SchemaFile {
  static func read(_ path: String, option: String) throws -> JSONSchema {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ValidationError("\(option) \(path): cannot be read")
    }
    do { return try JSONSchema(text: String(decoding: data, as: UTF8.self)) } catch {
      throw ValidationError("\(option) \(path): \(error)")
    }
  }
}
