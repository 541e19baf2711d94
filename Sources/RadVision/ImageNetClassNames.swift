import Foundation

/// The 1,000 ImageNet-1k class names in index order, read from open_clip's
/// `zero_shot_metadata.py` (`IMAGENET_CLASSNAMES`, MIT; fetched with `radlm fetch openclip`).
/// The EfficientNet-Lite0 package ships only weights, so this is where `radlm vision classify`
/// gets readable labels; the names are CLIP's cleaned ones ("military uniform", "tench").
public enum ImageNetClassNames {
  /// The metadata file next to the fetched BPE merges (`open_clip/bpe_simple_vocab_16e6.txt.gz`).
  public static func metadataFile(besideMerges merges: URL) -> URL {
    merges.deletingLastPathComponent().appendingPathComponent("zero_shot_metadata.py")
  }

  /// Parses the `IMAGENET_CLASSNAMES = ( "…", "…", … )` tuple of `url`: double-quoted string
  /// literals (no escapes occur in it) up to the closing parenthesis; exactly 1,000 are expected.
  public static func read(_ url: URL) throws -> [String] {
    guard let data = FileManager.default.contents(atPath: url.path) else {
      throw VisionError.badInput("cannot read \(url.path)")
    }
    let text = String(decoding: data, as: UTF8.self)
    guard let start = text.range(of: "IMAGENET_CLASSNAMES = (") else {
      throw VisionError.badInput("\(url.path) has no IMAGENET_CLASSNAMES tuple")
    }
    var names: [String] = []
    var current: String?
    for character in text[start.upperBound...] {
      if var literal = current {
        if character == "\"" {
          names.append(literal)
          current = nil
        } else if character == "\\" {
          throw VisionError.badInput("\(url.path): escaped characters in IMAGENET_CLASSNAMES are not expected")
        } else {
          literal.append(character)
          current = literal
        }
      } else if character == "\"" {
        current = ""
      } else if character == ")" {
        break
      }
    }
    guard names.count == 1000 else {
      throw VisionError.badInput("\(url.path): IMAGENET_CLASSNAMES has \(names.count) names, expected 1000")
    }
    return names
  }
}
