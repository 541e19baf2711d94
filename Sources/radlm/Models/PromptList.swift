import ArgumentParser
import Foundation
import RadTensor

/// The prompts of `radlm generate --prompt-file F --batch-size N`: one prompt per non-empty
/// line, or JSON Lines whose objects carry the prompt under "prompt" (a line that starts with
/// "{" is read as JSON). Errors name the file and line.
enum PromptList {
  static func read(_ path: String) throws -> [String] {
    guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
      throw ValidationError("\(path): cannot be read as UTF-8 text")
    }
    var prompts: [String] = []
    for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
      guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
      if line.first == "{" {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
          let prompt = object["prompt"] as? String
        else {
          throw ValidationError("\(path) line \(index + 1): not a JSON object with a string \"prompt\"")
        }
        prompts.append(prompt)
      } else {
        prompts.append(String(line))
      }
    }
    guard !prompts.isEmpty else { throw ValidationError("\(path): no prompts") }
    return prompts
  }
}
