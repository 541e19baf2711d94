/// GPT-2's reversible byte-to-character mapping. Byte-level BPE works on bytes, but its vocabulary
/// is stored as text, so each of the 256 byte values is shown as one printable Unicode character:
/// printable Latin-1 bytes map to themselves and the rest to U+0100 onwards (space becomes "Ġ").
public enum ByteLevelAlphabet {
  /// The character standing for each byte value.
  public static let byteToScalar: [Unicode.Scalar] = {
    var printable = [Bool](repeating: false, count: 256)
    for b in 0x21...0x7E { printable[b] = true }
    for b in 0xA1...0xAC { printable[b] = true }
    for b in 0xAE...0xFF { printable[b] = true }
    var out = [Unicode.Scalar](repeating: " ", count: 256)
    var next: UInt32 = 256
    for b in 0..<256 {
      if printable[b] {
        out[b] = Unicode.Scalar(UInt8(b))
      } else {
        out[b] = Unicode.Scalar(next)!
        next += 1
      }
    }
    return out
  }()

  /// The inverse map from character value to byte, -1 where a character is not in the alphabet.
  public static let scalarToByte: [Int16] = {
    var table = [Int16](repeating: -1, count: 512)
    for (b, s) in byteToScalar.enumerated() { table[Int(s.value)] = Int16(b) }
    return table
  }()

  /// The byte-level spelling of raw bytes (e.g. " the" -> "Ġthe").
  public static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
    var s = String.UnicodeScalarView()
    for b in bytes { s.append(byteToScalar[Int(b)]) }
    return String(s)
  }

  /// The bytes a byte-level token spells, or nil if it holds a character outside the alphabet.
  public static func decode(_ token: String) -> [UInt8]? {
    var out: [UInt8] = []
    out.reserveCapacity(token.unicodeScalars.count)
    for s in token.unicodeScalars {
      guard s.value < 512 else { return nil }
      let b = scalarToByte[Int(s.value)]
      if b < 0 { return nil }
      out.append(UInt8(b))
    }
    return out
  }

  /// All 256 alphabet characters as strings, in byte order.
  public static var alphabet: [String] { byteToScalar.map { String(Character($0)) } }
}
