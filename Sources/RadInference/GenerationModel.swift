import Foundation
import RadModels
import RadTokenizers

/// What `radlm generate` can drive: a decoder-only language model (with its chat template) or
/// an encoder–decoder model that rewrites a source text (BART). `open` loads the folder or GGUF
/// file once and picks the kind from the architecture its config names.
public enum GenerationModel {
  case decoderOnly(ModelBundle)
  case encoderDecoder(EncoderDecoderBundle)

  public static func open(path: String) throws -> GenerationModel {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
      return .decoderOnly(try ModelBundle.open(path: path))
    }
    let url = URL(fileURLWithPath: path)
    let loaded = try ModelLoader.load(directory: url)
    if let model = loaded as? any EncoderDecoderModel {
      let eos = ModelBundle.folderEndTokenIds(url, config: model.configJSON).union(model.targetEndTokenIds)
      return .encoderDecoder(
        EncoderDecoderBundle(model: model, tokenizer: try ModelBundle.folderTokenizer(url), eosTokenIds: eos))
    }
    return .decoderOnly(try ModelBundle.openFolder(url, loaded: loaded))
  }
}

/// An encoder–decoder model with its tokenizer and the tokens that end a target. Sources are
/// encoded with the tokenizer's post-processor (BART adds `<s>` … `</s>`), as transformers'
/// pipelines do.
public struct EncoderDecoderBundle: @unchecked Sendable {
  public let model: any EncoderDecoderModel
  public let tokenizer: Tokenizer
  public let eosTokenIds: Set<Int>

  public init(model: any EncoderDecoderModel, tokenizer: Tokenizer, eosTokenIds: Set<Int>) {
    self.model = model
    self.tokenizer = tokenizer
    self.eosTokenIds = eosTokenIds
  }

  public var generator: EncoderDecoderGenerator { EncoderDecoderGenerator(model: model, tokenizer: tokenizer) }
}
