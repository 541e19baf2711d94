import ArgumentParser
import Foundation
import RadInference
import RadModelFiles
import RadModels
import RadTensor
import RadTokenizers
import RadViz

/// `radlm inspect attention`: a heat map of one layer/head's attention over a text's tokens; for
/// an encoder–decoder model (BART) the encoder's, the decoder's or the cross-attention (decoder
/// tokens looking at the source tokens).
struct InspectAttentionCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "attention",
    abstract:
      "Write a heat map (SVG, PNG or JSON by the --output extension) of one layer/head's attention weights over the tokens of a text.",
    discussion: """
      Row = query token, column = key token, darker = more attention; both picture formats are \
      labelled with the tokens (the PNG in RadLM's 5×7 pixel font: printable ASCII, other characters \
      as a box). A .json output holds {"kind","layer","head","query_tokens","key_tokens","weights"}. \
      Encoder–decoder models (BART): --text is the source, --target the decoder's text (read as in \
      training: decoder_start_token_id, then the target's tokens but the last); --kind encoder \
      (source × source), decoder (target × target, causal) or cross (target × source; the default \
      with --target).
      """)

  @Option(help: "Model folder (BERT, GPT-2, Llama, BART…), .gguf file, or fetched name.") var model: String
  @Option(help: "Text to look at (the source, for an encoder–decoder model).") var text: String
  @Option(help: "Encoder–decoder models: the target text the decoder reads.") var target: String?
  @Option(help: "Encoder–decoder models: encoder, decoder or cross (default: cross with --target, else encoder).")
  var kind: String?
  @Option(help: "Layer (0-based; negative counts from the end).") var layer = -1
  @Option(help: "Head (0-based).") var head = 0
  @Option(help: "Output file (.svg, .png or .json).") var output = "attention.svg"

  func validate() throws {
    try OptionCheck.model(model)
    // Checked against the model's own layer and head counts once it is loaded.
    try OptionCheck.integer(layer, "--layer", in: -(1 << 16)...(1 << 16))
    try OptionCheck.integer(head, "--head", in: 0...(1 << 16))
    if let kind, !["encoder", "decoder", "cross"].contains(kind) {
      throw ValidationError("--kind must be encoder, decoder or cross")
    }
    if kind == "decoder" || kind == "cross", target == nil { throw ValidationError("--kind \(kind!) needs --target") }
  }

  /// One attention matrix's source: the recorded weights [1, heads, queries, keys] of a layer.
  struct Recorded {
    let kind: String
    let layer: Int
    let weights: Tensor
    let queryIds: [Int]
    let keyIds: [Int]
  }

  /// `--layer` resolved against a stack of `count` layers.
  func layerIndex(of count: Int) throws -> Int {
    let index = layer < 0 ? count + layer : layer
    guard index >= 0 && index < count else { throw ValidationError("--layer \(layer) is outside the \(count) layers") }
    return index
  }

  func record(path: String, tokenizer: inout Tokenizer?) throws -> Recorded {
    if !path.hasSuffix(".gguf") && FileManager.default.fileExists(atPath: path + "/config.json") {
      let loaded = try ModelLoader.load(directory: URL(fileURLWithPath: path))
      tokenizer = try TokenizerFiles.load(path: path).with(truncation: nil, padding: nil)
      let ids = tokenizer!.encode(text).ids
      if let bart = loaded as? BartModel { return try recordBart(bart, source: ids, tokenizer: tokenizer!) }
      guard target == nil && kind == nil else {
        throw ValidationError(
          "--target and --kind are for encoder–decoder models; \(loaded.modelType) has one attention stack")
      }
      if let bert = loaded as? BertModel {
        let probe = AttentionProbe(layers: [try layerIndex(of: bert.config.layers)])
        _ = try Autograd.inferenceMode { try bert.hiddenStates(TokenBatch(ids), probe: probe) }
        return try recorded(probe, kind: "self", queryIds: ids, keyIds: ids)
      }
      guard let lm = loaded as? any LanguageModel else {
        throw ValidationError("model_type \(loaded.modelType) has no attention probe in this command")
      }
      return try recordLanguageModel(lm, ids: ids)
    }
    guard target == nil && kind == nil else {
      throw ValidationError("--target and --kind are for encoder–decoder model folders")
    }
    let bundle = try ModelBundle.open(path: path)
    tokenizer = bundle.tokenizer
    return try recordLanguageModel(bundle.model, ids: bundle.tokenizer.encode(text).ids)
  }

  func recordLanguageModel(_ lm: any LanguageModel, ids: [Int]) throws -> Recorded {
    let probe = AttentionProbe(layers: [try layerIndex(of: lm.layerCount)])
    _ = try Autograd.inferenceMode { try lm.logits(TokenBatch(ids), cache: nil, probe: probe) }
    return try recorded(probe, kind: "self", queryIds: ids, keyIds: ids)
  }

  func recordBart(_ bart: BartModel, source: [Int], tokenizer: Tokenizer) throws -> Recorded {
    let kind = kind ?? (target == nil ? "encoder" : "cross")
    if kind == "encoder" {
      let probe = AttentionProbe(layers: [try layerIndex(of: bart.config.encoderLayers)])
      _ = try Autograd.inferenceMode { try bart.encode(TokenBatch(source), probe: probe) }
      return try recorded(probe, kind: kind, queryIds: source, keyIds: source)
    }
    let labels = tokenizer.encode(target ?? "").ids
    let decoderIds = bart.decoderInputs(fromLabels: [labels])[0]
    let probe = AttentionProbe(layers: [try layerIndex(of: bart.config.decoderLayers)])
    _ = try Autograd.inferenceMode {
      let states = try bart.encode(TokenBatch(source))
      return try bart.decode(
        TokenBatch(decoderIds), encoderStates: states, sourceMask: nil,
        selfAttentionProbe: kind == "decoder" ? probe : nil, crossAttentionProbe: kind == "cross" ? probe : nil)
    }
    return try recorded(probe, kind: kind, queryIds: decoderIds, keyIds: kind == "cross" ? source : decoderIds)
  }

  func recorded(_ probe: AttentionProbe, kind: String, queryIds: [Int], keyIds: [Int]) throws -> Recorded {
    guard let (layerIndex, weights) = probe.weights.first else {
      throw ValidationError("--layer \(layer) is outside the model")
    }
    return Recorded(kind: kind, layer: layerIndex, weights: weights, queryIds: queryIds, keyIds: keyIds)
  }

  func run() throws {
    let path = try ModelArgument.path(model)
    var tokenizer: Tokenizer?
    let recorded = try record(path: path, tokenizer: &tokenizer)
    let weights = recorded.weights
    let heads = weights.shape[1]
    guard head >= 0 && head < heads else { throw ValidationError("--head must be in 0..<\(heads)") }
    let (rows, columns) = (weights.shape[2], weights.shape[3])
    let matrix = (0..<rows).map { q in
      Array(weights.data[(head * rows + q) * columns..<(head * rows + q + 1) * columns])
    }
    func tokens(_ ids: [Int]) -> [String] {
      ids.map { (try? tokenizer?.decode([$0], skipSpecialTokens: false)) ?? "?" }
    }
    let (queryTokens, keyTokens) = (tokens(recorded.queryIds), tokens(recorded.keyIds))
    var title = "layer \(recorded.layer), head \(head): \(text)"
    if recorded.kind != "self" { title = "\(recorded.kind) " + title + (target.map { " → \($0)" } ?? "") }
    let bytes: [UInt8]
    if output.lowercased().hasSuffix(".json") {
      let object: [String: Any] = [
        "kind": recorded.kind, "layer": recorded.layer, "head": head, "query_tokens": queryTokens,
        "key_tokens": keyTokens,
        "weights": matrix.map { $0.map(Double.init) },
      ]
      bytes = [UInt8](try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    } else if PictureFormat(output) == .png {
      // The pixel font is ASCII: spell the arrow so that it does not become a box.
      bytes =
        ModelPictures.attentionImage(
          weights: matrix, queryTokens: queryTokens, keyTokens: keyTokens,
          title: title.replacingOccurrences(of: "→", with: "->")
        ).png
    } else {
      bytes = Array(
        ModelPictures.attentionSVG(weights: matrix, queryTokens: queryTokens, keyTokens: keyTokens, title: title).utf8)
    }
    try AtomicFile.write(bytes, to: URL(fileURLWithPath: output))
    print(output)
  }
}

/// `radlm inspect embeddings`: a 2-D PCA map of embeddings of the words or sentences in a file.
struct InspectEmbeddingsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "embeddings",
    abstract:
      "Write a map (first two principal components; SVG, or PNG when --output ends in .png) of word or sentence embeddings, one input per line.",
    discussion: """
      A sentence-transformers folder (modules.json) embeds each line as a sentence; any other model \
      uses the mean of the line's input token embeddings. Each point is labelled with its line (the \
      PNG in RadLM's 5×7 pixel font: printable ASCII, other characters as a box).
      """)

  @Option(help: "Model folder, .gguf file, or fetched name.") var model: String
  @Option(help: "File with one word or sentence per line.") var words: String
  @Option(help: "Output file (.svg or .png).") var output = "embeddings.svg"

  func validate() throws {
    try OptionCheck.model(model)
    try OptionCheck.exists(words, "--words")
  }

  func run() throws {
    guard let data = FileManager.default.contents(atPath: words), let text = String(data: data, encoding: .utf8) else {
      throw ValidationError("\(words): cannot be read as UTF-8 text")
    }
    let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    guard lines.count >= 2 else { throw ValidationError("\(words): need at least two lines") }
    let path = try ModelArgument.path(model)
    var vectors: [[Float]] = []
    if FileManager.default.fileExists(atPath: path + "/modules.json") {
      vectors = try SentenceEmbedder(directory: URL(fileURLWithPath: path)).embed(lines)
    } else {
      let bundle = try ModelBundle.open(path: path)
      guard
        let table = bundle.model.parameters.parameters.first(where: {
          $0.name.hasSuffix("embed_tokens.weight") || $0.name.hasSuffix("wte.weight")
        })
      else {
        throw ValidationError("no token-embedding table found in \(path)")
      }
      let width = table.value.shape[1]
      for line in lines {
        let ids = bundle.tokenizer.encodeIds(line)
        var mean = [Float](repeating: 0, count: width)
        for id in ids { for i in 0..<width { mean[i] += table.value.data[id * width + i] / Float(max(ids.count, 1)) } }
        vectors.append(mean)
      }
    }
    let points = ModelPictures.principalComponents(vectors)
    let title = "PCA of \(URL(fileURLWithPath: path).lastPathComponent) embeddings"
    let bytes =
      PictureFormat(output) == .png
      ? ModelPictures.scatterImage(points: points, labels: lines, title: title).png
      : Array(ModelPictures.scatterSVG(points: points, labels: lines, title: title).utf8)
    try AtomicFile.write(bytes, to: URL(fileURLWithPath: output))
    print(output)
  }
}

/// The picture format an output file name asks for: PNG for `.png`, SVG otherwise.
enum PictureFormat {
  case svg, png

  init(_ path: String) { self = path.lowercased().hasSuffix(".png") ? .png : .svg }
}
