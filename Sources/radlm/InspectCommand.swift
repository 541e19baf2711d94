import ArgumentParser
import Foundation
import RadTensor

/// `radlm inspect`: looks inside model files without loading a model.
struct InspectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect",
    abstract: "Look inside model files (safetensors, sharded index, GGUF).",
    subcommands: [InspectTensorsCommand.self, InspectMetadataCommand.self]
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

  func run() throws {
    let archive = try TensorArchives.open(URL(fileURLWithPath: file))
    let names = name.isEmpty ? archive.tensorNames : name
    var rows: [String] = []
    for tensorName in names {
      let dtype = try archive.storedTypeName(of: tensorName)
      let tensor = try archive.tensor(tensorName)
      var sum = 0.0
      for v in tensor.data { sum += Double(v) }
      let mean = tensor.data.isEmpty ? Double.nan : sum / Double(tensor.data.count)
      let first = Array(tensor.data.prefix(8))
      let shape = tensor.shape.map(String.init)
      if json {
        rows.append(
          "{\"name\":\(GGUFValue.quoted(tensorName)),\"dtype\":\(GGUFValue.quoted(dtype)),"
            + "\"shape\":[\(shape.joined(separator: ","))],"
            + "\"sum\":\(JSONNumber.format(sum)),\"mean\":\(JSONNumber.format(mean)),"
            + "\"first\":[\(first.map { JSONNumber.format($0) }.joined(separator: ","))]}")
      } else {
        let values = first.map { "\($0)" }.joined(separator: ", ")
        print(
          "\(tensorName)\t\(dtype)\t[\(shape.joined(separator: ", "))]"
            + "\tsum=\(sum)\tmean=\(mean)\tfirst=[\(values)\(tensor.data.count > 8 ? ", …" : "")]")
      }
    }
    if json { print("{\"tensors\":[\(rows.joined(separator: ","))]}") }
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
    if json {
      let items = gguf.metadata.map { kv -> String in
        var item = "{\"key\":\(GGUFValue.quoted(kv.key)),\"type\":\"\(kv.value.type)\""
        if case .array(let elementType, let values) = kv.value {
          item += ",\"element_type\":\"\(elementType)\",\"count\":\(values.count)"
        }
        return item + ",\"value\":\(jsonValue(kv.value))}"
      }
      print(
        "{\"version\":\(gguf.version),\"tensor_count\":\(gguf.tensorInfos.count),"
          + "\"alignment\":\(gguf.alignment),\"metadata\":[\(items.joined(separator: ","))]}")
    } else {
      print(
        "GGUF v\(gguf.version): \(gguf.metadata.count) key/values, \(gguf.tensorInfos.count) tensors, alignment \(gguf.alignment)"
      )
      for (key, value) in gguf.metadata {
        print("\(key): \(value.type) = \(value.rendered(arrayLimit: arrayLimit))")
      }
    }
  }

  /// A JSON rendering with arrays cut to `arrayLimit` elements.
  private func jsonValue(_ value: GGUFValue) -> String {
    switch value {
    case .string(let s): return GGUFValue.quoted(s)
    case .bool(let b): return b ? "true" : "false"
    case .float32(let f): return JSONNumber.format(f)
    case .float64(let d): return JSONNumber.format(d)
    case .array(_, let values):
      return "[" + values.prefix(arrayLimit).map(jsonValue).joined(separator: ",") + "]"
    default: return value.rendered()
    }
  }
}

/// JSON number text; JSON has no NaN or infinity, so those become null.
enum JSONNumber {
  static func format(_ v: Double) -> String {
    guard v.isFinite else { return "null" }
    return "\(v)"
  }

  /// A Float in its shortest round-tripping form (not widened to Double digits).
  static func format(_ v: Float) -> String {
    guard v.isFinite else { return "null" }
    return "\(v)"
  }
}
