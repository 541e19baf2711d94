import ArgumentParser
import Foundation
import RadInference
import RadModels
import RadTensor
import RadTokenizers

/// `radlm inspect attention`: a heat map of one layer/head's attention over a text's tokens.
struct InspectAttentionCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "attention",
    abstract: "Write a heat map (SVG, or PNG when --output ends in .png) of one layer/head's attention weights over the tokens of a text.",
    discussion: """
      Row = query token, column = key token, darker = more attention; both formats are labelled \
      with the tokens (the PNG in RadLM's 5×7 pixel font: printable ASCII, other characters as a box).
      """)

  @Option(help: "Model folder (BERT, GPT-2, Llama…), .gguf file, or fetched name.") var model: String
  @Option(help: "Text to look at.") var text: String
  @Option(help: "Layer (0-based; negative counts from the end).") var layer = -1
  @Option(help: "Head (0-based).") var head = 0
  @Option(help: "Output file (.svg or .png).") var output = "attention.svg"

  func run() throws {
    let path = try ModelArgument.path(model)
    let probe: AttentionProbe
    let ids: [Int]
    let tokenizer: Tokenizer
    if path.hasSuffix(".gguf") || FileManager.default.fileExists(atPath: path + "/config.json") == false {
      let bundle = try ModelBundle.open(path: path)
      tokenizer = bundle.tokenizer
      ids = tokenizer.encode(text).ids
      let layers = bundle.model.layerCount
      probe = AttentionProbe(layers: [layer < 0 ? layers + layer : layer])
      _ = try Autograd.inferenceMode { try bundle.model.logits(TokenBatch(ids), cache: nil, probe: probe) }
    } else {
      let loaded = try ModelLoader.load(directory: URL(fileURLWithPath: path))
      tokenizer = try TokenizerFiles.load(path: path).with(truncation: nil, padding: nil)
      ids = tokenizer.encode(text).ids
      if let bert = loaded as? BertModel {
        probe = AttentionProbe(layers: [layer < 0 ? bert.config.layers + layer : layer])
        _ = try Autograd.inferenceMode { try bert.hiddenStates(TokenBatch(ids), probe: probe) }
      } else if let lm = loaded as? any LanguageModel {
        probe = AttentionProbe(layers: [layer < 0 ? lm.layerCount + layer : layer])
        _ = try Autograd.inferenceMode { try lm.logits(TokenBatch(ids), cache: nil, probe: probe) }
      } else {
        throw ValidationError("model_type \(loaded.modelType) has no attention probe in this command")
      }
    }
    guard let (layerIndex, weights) = probe.weights.first else { throw ValidationError("--layer \(layer) is outside the model") }
    let heads = weights.shape[1]
    guard head >= 0 && head < heads else { throw ValidationError("--head must be in 0..<\(heads)") }
    let n = ids.count
    var matrix: [[Float]] = []
    for q in 0..<n { matrix.append(Array(weights.data[((head * n) + q) * n..<((head * n) + q + 1) * n])) }
    let tokens = ids.map { (try? tokenizer.decode([$0], skipSpecialTokens: false)) ?? "?" }
    let title = "layer \(layerIndex), head \(head): \(text)"
    let bytes = PictureFormat(output) == .png
      ? ModelPictures.attentionImage(weights: matrix, queryTokens: tokens, keyTokens: tokens, title: title).png
      : Array(ModelPictures.attentionSVG(weights: matrix, queryTokens: tokens, keyTokens: tokens, title: title).utf8)
    try AtomicFile.write(bytes, to: URL(fileURLWithPath: output))
    print(output)
  }
}

/// `radlm inspect embeddings`: a 2-D PCA map of embeddings of the words or sentences in a file.
struct InspectEmbeddingsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "embeddings",
    abstract: "Write a map (first two principal components; SVG, or PNG when --output ends in .png) of word or sentence embeddings, one input per line.",
    discussion: """
      A sentence-transformers folder (modules.json) embeds each line as a sentence; any other model \
      uses the mean of the line's input token embeddings. Each point is labelled with its line (the \
      PNG in RadLM's 5×7 pixel font: printable ASCII, other characters as a box).
      """)

  @Option(help: "Model folder, .gguf file, or fetched name.") var model: String
  @Option(help: "File with one word or sentence per line.") var words: String
  @Option(help: "Output file (.svg or .png).") var output = "embeddings.svg"

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
      guard let table = bundle.model.parameters.parameters.first(where: { $0.name.hasSuffix("embed_tokens.weight") || $0.name.hasSuffix("wte.weight") }) else {
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
    let bytes = PictureFormat(output) == .png
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
