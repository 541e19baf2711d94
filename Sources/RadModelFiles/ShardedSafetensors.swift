import Foundation
import RadTensor

/// A checkpoint split over several safetensors files, tied together by a
/// `model.safetensors.index.json` whose `weight_map` names the shard holding each tensor. Each
/// shard is memory-mapped once; lookups go straight to the right shard.
public final class ShardedSafetensors: @unchecked Sendable {
  /// The index file.
  public let url: URL
  /// The shards, keyed by file name as the index spells it.
  public let shards: [String: SafetensorsFile]
  /// Tensor name to shard file name.
  public let weightMap: [String: String]
  /// Tensor names, in shard order (shards sorted by file name) then storage order.
  public let tensorNames: [String]

  private struct Index: Decodable {
    // swift-format-ignore: AlwaysUseLowerCamelCase
    let weight_map: [String: String]
  }

  /// Opens the index at `indexURL` and every shard it names (relative to the index's folder).
  public init(indexURL: URL) throws {
    url = indexURL
    let path = indexURL.path
    let data: Data
    do {
      data = try Data(contentsOf: indexURL)
    } catch {
      throw ModelFileError.io(file: path, reason: "cannot read: \(error.localizedDescription)")
    }
    guard String(data: data, encoding: .utf8) != nil else {
      throw ModelFileError.invalidUTF8(file: path, offset: 0)
    }
    let index: Index
    do {
      index = try JSONDecoder().decode(Index.self, from: data)
    } catch {
      throw ModelFileError.malformedHeader(file: path, reason: SafetensorsFile.describe(error))
    }
    let folder = indexURL.deletingLastPathComponent()
    var shards: [String: SafetensorsFile] = [:]
    for shardName in Set(index.weight_map.values).sorted() {
      guard !shardName.isEmpty, !shardName.hasPrefix("/"), !shardName.split(separator: "/").contains("..") else {
        throw ModelFileError.malformedHeader(file: path, reason: "shard path '\(shardName)' leaves the index folder")
      }
      shards[shardName] = try SafetensorsFile(url: folder.appendingPathComponent(shardName))
    }
    for (tensor, shardName) in index.weight_map where (try? shards[shardName]?.info(tensor)) == nil {
      throw ModelFileError.tensorNotFound(file: folder.appendingPathComponent(shardName).path, name: tensor)
    }
    var names: [String] = []
    for (shardName, shard) in shards.sorted(by: { $0.key < $1.key }) {
      names += shard.tensorNames.filter { index.weight_map[$0] == shardName }
    }
    self.shards = shards
    self.weightMap = index.weight_map
    self.tensorNames = names
  }

  private func shard(for name: String) throws -> SafetensorsFile {
    guard let shardName = weightMap[name], let shard = shards[shardName] else {
      throw ModelFileError.tensorNotFound(file: url.path, name: name)
    }
    return shard
  }

  /// The description of tensor `name` (byte range within its shard).
  public func info(_ name: String) throws -> SafetensorsTensorInfo { try shard(for: name).info(name) }

  /// Tensor `name` converted to F32.
  public func tensor(_ name: String) throws -> Tensor { try shard(for: name).tensor(name) }

  /// The exact values of integer tensor `name`.
  public func int64Values(_ name: String) throws -> [Int64] { try shard(for: name).int64Values(name) }
}
