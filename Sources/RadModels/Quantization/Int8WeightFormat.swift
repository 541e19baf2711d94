import Foundation
import RadModelFiles
import RadTensor

/// RadLM's int8 weight-only checkpoint: a Hugging Face-style folder whose `model.safetensors`
/// stores each linear layer's [out, in] weight as I8 with F32 scales for each output row's groups
/// of `groupSize` columns (tensor `<name>_scale`, shape [out, in/groupSize]; w ≈ scale · q, q in
/// −127…127, scale = max|w| of the group / 127), and every other tensor as F32. One scale per
/// whole row proved too coarse for SmolLM2 (see docs/int8-weight-format.md). `config.json` says
/// so in `quantization_config` (`quant_method: "radlm_int8"`). Loading dequantises the weights
/// for prompts and hands the int8 rows as they are to the integer decode kernels.
public enum Int8WeightFormat {
  /// `quantization_config.quant_method` of an int8 folder.
  public static let method = "radlm_int8"
  /// Suffix of a quantised weight's per-row scale tensor.
  public static let scaleSuffix = "_scale"
  /// Columns per scale (one Q8_0 block); rows whose width is not a multiple use one scale per row.
  public static let groupSize = 32

  /// Whether `config` describes an int8 folder.
  public static func describes(_ config: ConfigJSON) -> Bool {
    (config.values["quantization_config"] as? [String: Any])?["quant_method"] as? String == method
  }

  /// Columns per scale for rows of `columns` values.
  public static func group(columns: Int) -> Int { columns % groupSize == 0 ? groupSize : max(columns, 1) }

  /// Symmetric group-wise quantisation of a row-major [rows, columns] matrix: per group of
  /// `group(columns:)` values scale = max|w|/127 and q = w/scale rounded half away from zero (as
  /// gguf-py's Q8_0). Scales are row-major [rows, columns / group].
  public static func quantizeRows(_ w: [Float], rows: Int, columns: Int) -> (q: [Int8], scales: [Float]) {
    let size = group(columns: columns)
    var q = [Int8](repeating: 0, count: rows * columns)
    var scales = [Float](repeating: 0, count: rows * columns / size)
    for g in scales.indices {
      let values = w[(g * size)..<((g + 1) * size)]
      let scale = (values.map { abs($0) }.max() ?? 0) / 127
      let inverse: Float = scale > 0 ? 1 / scale : 0
      scales[g] = scale
      for (i, x) in zip(values.indices, values) {
        q[i] = Int8(max(-127, min(127, (x * inverse).rounded(.toNearestOrAwayFromZero))))
      }
    }
    return (q, scales)
  }

  /// Names of the [out, in] matrices an int8 folder stores as I8: every `nn.Linear`-layout
  /// linear weight, and a Llama model's token embedding when it doubles as the LM head.
  static func quantizableNames(_ model: any TransformerModel) -> [String] {
    var names: [String] = []
    for case (_, let slot as LinearAdapterSlot) in model.parameters.attachments where slot.weightIsOutIn {
      names.append(slot.weight.name)
    }
    if let llama = model as? LlamaModel, llama.config.tieWordEmbeddings { names.append("model.embed_tokens.weight") }
    return names
  }

  /// Writes `model` as an int8 folder (`model.safetensors` and `config.json`, each atomically);
  /// returns the number of matrices stored as I8.
  @discardableResult
  public static func save(_ model: any TransformerModel, to directory: URL) throws -> Int {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let quantized = Set(quantizableNames(model))
    var entries: [(name: String, dtype: String, shape: [Int], bytes: [UInt8])] = []
    for parameter in model.parameters.parameters {
      let value = parameter.value.detached()
      if quantized.contains(parameter.name), value.rank == 2 {
        let (q, scales) = quantizeRows(value.data, rows: value.shape[0], columns: value.shape[1])
        entries.append((parameter.name, "I8", value.shape, q.withUnsafeBytes { Array($0) }))
        let groups = value.shape[1] / group(columns: value.shape[1])
        entries.append(
          (parameter.name + scaleSuffix, "F32", [value.shape[0], groups], scales.withUnsafeBytes { Array($0) }))
      } else {
        entries.append((parameter.name, "F32", value.shape, value.data.withUnsafeBytes { Array($0) }))
      }
    }
    try AtomicFile.write(safetensorsBytes(entries), to: directory.appendingPathComponent("model.safetensors"))
    var config = model.configJSON.values
    config["quantization_config"] =
      [
        "quant_method": method, "bits": 8, "symmetric": true, "group_size": groupSize,
        "granularity":
          "groups of group_size columns per output row (one group per row when the width is not a multiple)",
        "weight_dtype": "I8", "scale_dtype": "F32", "scale_suffix": scaleSuffix,
        "quantized_tensors": quantized.sorted(),
      ] as [String: Any]
    let data = try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys])
    try AtomicFile.write([UInt8](data), to: directory.appendingPathComponent("config.json"))
    return quantized.count
  }

  /// A safetensors file (little-endian data, header padded to 8 bytes) from raw tensor bytes.
  static func safetensorsBytes(_ entries: [(name: String, dtype: String, shape: [Int], bytes: [UInt8])]) -> [UInt8] {
    var fields = ["\"__metadata__\":{\"format\":\"pt\"}"]
    var offset = 0
    for entry in entries {
      let shape = entry.shape.map(String.init).joined(separator: ",")
      fields.append(
        "\(GGUFValue.quoted(entry.name)):{\"dtype\":\"\(entry.dtype)\",\"shape\":[\(shape)],"
          + "\"data_offsets\":[\(offset),\(offset + entry.bytes.count)]}")
      offset += entry.bytes.count
    }
    var header = Array(("{" + fields.joined(separator: ",") + "}").utf8)
    while header.count % 8 != 0 { header.append(0x20) }
    var out: [UInt8] = []
    out.reserveCapacity(8 + header.count + offset)
    withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
    out.append(contentsOf: header)
    for entry in entries { out.append(contentsOf: entry.bytes) }
    return out
  }

  /// Loads an int8 folder: parameters get the dequantised weights (WeightLoader checks names and
  /// shapes), and each quantised matrix whose rows are whole 32-blocks goes to the integer
  /// kernels as it is stored.
  public static func load(directory: URL, config: ConfigJSON) throws -> any TransformerModel {
    let file = try SafetensorsFile(url: directory.appendingPathComponent("model.safetensors"))
    let archive = Int8Archive(file: file)
    let model = try WeightInitialization.deferred { try ModelRegistry.build(config) }
    try WeightLoader.load(archive, into: model)
    func matrix(_ name: String) throws -> QuantizedMatrix? {
      guard let info = try? file.info(name), info.dtype == .i8, info.shape.count == 2, info.shape[1] % 32 == 0 else {
        return nil
      }
      let scales = try file.tensor(name + scaleSuffix).data
      return try file.withRawBytes(of: name) { raw, info in
        try QuantizedMatrix(int8Rows: raw, groupScales: scales, rows: info.shape[0], columns: info.shape[1])
      }
    }
    for case (let name, let slot as QuantizedWeightSlot) in model.parameters.attachments {
      slot.stored = try matrix(name + ".weight")
      slot.matrix = slot.stored
    }
    if let llama = model as? LlamaModel, llama.config.tieWordEmbeddings {
      llama.quantizedHead.stored = try matrix("model.embed_tokens.weight")
      llama.quantizedHead.matrix = llama.quantizedHead.stored
    }
    return model
  }
}

/// An int8 folder's safetensors seen as F32 tensors: I8 weights come out dequantised with their
/// row scales, and the scale tensors themselves are not listed (they belong to their weight).
final class Int8Archive: TensorArchive, @unchecked Sendable {
  let file: SafetensorsFile
  init(file: SafetensorsFile) { self.file = file }

  var url: URL { file.url }
  var tensorNames: [String] {
    let names = Set(file.tensorNames)
    return file.tensorNames.filter {
      !($0.hasSuffix(Int8WeightFormat.scaleSuffix)
        && names.contains(String($0.dropLast(Int8WeightFormat.scaleSuffix.count))))
    }
  }
  func storedTypeName(of name: String) throws -> String { try file.storedTypeName(of: name) }
  func shape(of name: String) throws -> [Int] { try file.shape(of: name) }

  func tensor(_ name: String) throws -> Tensor {
    let info = try file.info(name)
    guard info.dtype == .i8 else { return try file.tensor(name) }
    let groups = info.shape.count == 2 ? info.shape[1] / Int8WeightFormat.group(columns: info.shape[1]) : 0
    guard let scaleInfo = try? file.info(name + Int8WeightFormat.scaleSuffix), info.shape.count == 2,
      scaleInfo.shape == [info.shape[0], groups]
    else {
      throw ModelError.invalidInput(
        "\(url.path): I8 tensor \(name) \(info.shape) needs an F32 \(name + Int8WeightFormat.scaleSuffix) of shape [\(info.shape.first ?? 0), \(groups)]"
      )
    }
    let scales = try file.tensor(name + Int8WeightFormat.scaleSuffix).data
    let size = info.shape[1] / groups
    let values: [Float] = try file.withRawBytes(of: name) { raw, _ in
      (0..<info.elementCount).map { Float(raw.load(fromByteOffset: $0, as: Int8.self)) * scales[$0 / size] }
    }
    return Tensor(shape: info.shape, data: values)
  }
}
