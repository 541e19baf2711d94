import Foundation

/// A 64-bit FNV-1a digest, printed as 16 hex digits. It detects changed text and changed model
/// files (re-ingestion and the store's model check); it is not a cryptographic hash, which
/// nothing here needs: no input is adversarial and a collision only costs a missed re-embedding.
public struct ContentHash: Sendable {
  private var state: UInt64 = 0xcbf2_9ce4_8422_2325

  public init() {}

  public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
    var h = state
    for byte in bytes {
      h ^= UInt64(byte)
      h = h &* 0x0000_0100_0000_01b3
    }
    state = h
  }

  public mutating func update(_ text: String) {
    update(text.utf8)
    update([0xff])  // separator: ("ab","c") and ("a","bc") hash differently
  }

  public var hex: String {
    let digits = String(state, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }

  /// The digest of the given strings, each followed by a separator.
  public static func of(_ parts: String...) -> String {
    var hash = ContentHash()
    for part in parts { hash.update(part) }
    return hash.hex
  }
}
