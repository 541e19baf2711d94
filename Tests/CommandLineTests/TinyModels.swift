import Foundation
import Testing

/// Complete model folders assembled from the tiny reference models of the other test targets.
enum TinyModels {
  static let bart = CommandRunner.repositoryRoot.appendingPathComponent("Tests/RadInferenceTests/Fixtures/tiny_bart")

  /// The tiny random Llama of RadModelsTests with the tiny BART's 64-token tokenizer, its
  /// BOS/padding ids set to that tokenizer's (<s> 0, <pad> 1; </s> is 2 in both): a
  /// decoder-only folder (in a fresh temporary folder the caller removes).
  static func llamaFolder() throws -> URL {
    let folder = CommandRunner.temporaryFolder()
    let llama = CommandRunner.repositoryRoot.appendingPathComponent("Tests/RadModelsTests/Fixtures/llama")
    try FileManager.default.copyItem(
      at: llama.appendingPathComponent("model.safetensors"), to: folder.appendingPathComponent("model.safetensors"))
    var config = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: llama.appendingPathComponent("config.json")))
        as? [String: Any])
    config["bos_token_id"] = 0
    config["pad_token_id"] = 1
    try JSONSerialization.data(withJSONObject: config).write(to: folder.appendingPathComponent("config.json"))
    try FileManager.default.copyItem(
      at: bart.appendingPathComponent("tokenizer.json"), to: folder.appendingPathComponent("tokenizer.json"))
    return folder
  }
}
