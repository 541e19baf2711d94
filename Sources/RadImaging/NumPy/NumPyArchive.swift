import RadArchive

/// A NumPy `.npz` file: a zip archive (stored or deflated members) of `.npy` arrays, as
/// `np.savez` / `np.savez_compressed` write it; MedMNIST ships its splits this way
/// (`train_images`, `train_labels`, `val_…`, `test_…`).
public struct NumPyArchive: Sendable {
  /// The path read.
  public let path: String
  let zip: ZipArchive

  /// Opens the archive at `path` (members are read on demand).
  public init(path: String) throws {
    self.path = path
    do {
      zip = try ZipArchive(path: path)
    } catch {
      throw ImageError.malformed(file: path, reason: "not a readable .npz (zip) archive: \(error)")
    }
  }

  /// The array names (member names without `.npy`).
  public var names: [String] {
    zip.entryNames.map { $0.hasSuffix(".npy") ? String($0.dropLast(4)) : $0 }
  }

  /// The array called `name`.
  public func array(_ name: String) throws -> NumPyArray {
    let member = zip.entryNames.contains(name + ".npy") ? name + ".npy" : name
    guard zip.entryNames.contains(member) else {
      throw ImageError.invalidArgument("\(path) has no array '\(name)'; it has \(names.joined(separator: ", "))")
    }
    let bytes: [UInt8]
    do {
      bytes = try zip.data(named: member)
    } catch {
      throw ImageError.malformed(file: path, reason: "member \(member): \(error)")
    }
    return try NumPyArray(npy: bytes, file: "\(path):\(member)")
  }
}
