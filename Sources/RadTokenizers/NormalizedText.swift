/// Text being tokenized, as Unicode scalar values, with each scalar's span in the original input
/// (in code points, as Python's `str` indexes it). Normalizers may change, drop or insert
/// characters; the spans let every token report where it came from in the original string.
public struct NormalizedText: Sendable, Equatable {
  /// Current characters (Unicode scalar values).
  public var chars: [UInt32]
  /// For each character, the original code-point offset where its source starts.
  public var starts: [Int32]
  /// For each character, the original code-point offset where its source ends.
  public var ends: [Int32]

  public init(chars: [UInt32], starts: [Int32], ends: [Int32]) {
    self.chars = chars
    self.starts = starts
    self.ends = ends
  }

  /// Characters `chars` that came from original offsets `base ..< base + chars.count`, one each.
  public init(identity chars: [UInt32], base: Int = 0) {
    self.chars = chars
    let n = chars.count
    starts = (0..<n).map { Int32(base + $0) }
    ends = (0..<n).map { Int32(base + $0 + 1) }
  }

  public var count: Int { chars.count }

  /// The current text as a Swift string.
  public var string: String {
    var v = String.UnicodeScalarView()
    for c in chars { if let s = Unicode.Scalar(c) { v.append(s) } }
    return String(v)
  }

  /// Appends a character whose source is original offsets `start ..< end`.
  @inline(__always)
  mutating func append(_ c: UInt32, _ start: Int32, _ end: Int32) {
    chars.append(c)
    starts.append(start)
    ends.append(end)
  }

  static func empty(capacity: Int) -> NormalizedText {
    var t = NormalizedText(chars: [], starts: [], ends: [])
    t.chars.reserveCapacity(capacity)
    t.starts.reserveCapacity(capacity)
    t.ends.reserveCapacity(capacity)
    return t
  }
}

/// UTF-8 helpers shared by the tokenizer pipeline.
enum UTF8Codec {
  /// Decodes UTF-8 into scalar values; throws at the first invalid sequence.
  static func decode(_ bytes: UnsafeBufferPointer<UInt8>, source: String) throws(TokenizerError) -> [UInt32] {
    var out = [UInt32]()
    out.reserveCapacity(bytes.count)
    var i = 0
    let n = bytes.count
    while i < n {
      let b0 = UInt32(bytes[i])
      if b0 < 0x80 {
        out.append(b0); i += 1; continue
      }
      var need = 0
      var v: UInt32 = 0
      var minV: UInt32 = 0
      if b0 & 0xE0 == 0xC0 {
        need = 1; v = b0 & 0x1F; minV = 0x80
      } else if b0 & 0xF0 == 0xE0 {
        need = 2; v = b0 & 0x0F; minV = 0x800
      } else if b0 & 0xF8 == 0xF0 {
        need = 3; v = b0 & 0x07; minV = 0x10000
      } else {
        throw .invalidUTF8(source: source, byteOffset: i)
      }
      if i + need >= n { throw .invalidUTF8(source: source, byteOffset: i) }
      for k in 1...need {
        let b = UInt32(bytes[i + k])
        if b & 0xC0 != 0x80 { throw .invalidUTF8(source: source, byteOffset: i) }
        v = (v << 6) | (b & 0x3F)
      }
      if v < minV || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) { throw .invalidUTF8(source: source, byteOffset: i) }
      out.append(v)
      i += need + 1
    }
    return out
  }

  /// The scalar values of a (valid) Swift string.
  static func scalars(of text: String) -> [UInt32] {
    var s = text
    if let r = s.utf8.withContiguousStorageIfAvailable({ buf -> [UInt32]? in try? decode(buf, source: "") }), let r {
      return r
    }
    s.makeContiguousUTF8()
    return s.unicodeScalars.map { $0.value }
  }

  /// Appends the UTF-8 encoding of one scalar value.
  @inline(__always)
  static func append(_ v: UInt32, to out: inout [UInt8]) {
    if v < 0x80 {
      out.append(UInt8(v))
    } else if v < 0x800 {
      out.append(UInt8(0xC0 | (v >> 6))); out.append(UInt8(0x80 | (v & 0x3F)))
    } else if v < 0x10000 {
      out.append(UInt8(0xE0 | (v >> 12))); out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
      out.append(UInt8(0x80 | (v & 0x3F)))
    } else {
      out.append(UInt8(0xF0 | (v >> 18))); out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
      out.append(UInt8(0x80 | ((v >> 6) & 0x3F))); out.append(UInt8(0x80 | (v & 0x3F)))
    }
  }

  static func string(_ chars: ArraySlice<UInt32>) -> String {
    var v = String.UnicodeScalarView()
    for c in chars { if let s = Unicode.Scalar(c) { v.append(s) } }
    return String(v)
  }
}

/// Strict UTF-8 decoding for input that comes from outside (stdin, files): invalid bytes are
/// reported with their offset instead of being replaced.
public enum StrictUTF8 {
  /// The string the bytes encode; throws `.invalidUTF8` naming `source` and the byte offset.
  public static func string(_ bytes: [UInt8], source: String) throws(TokenizerError) -> String {
    _ = try bytes.withUnsafeBufferPointer { b throws(TokenizerError) in try UTF8Codec.decode(b, source: source) }
    return String(decoding: bytes, as: UTF8.self)
  }
}

/// String operations on Unicode scalars. Swift's String compares and splits by grapheme
/// clusters with canonical equivalence ("##" + U+0308 is not a "##" prefix to Swift, and
/// "e\u{301}" equals "é"), while tokenizers work on exact scalars.
enum ScalarText {
  /// Splits on every occurrence of one scalar, keeping empty parts.
  static func split(_ s: String, on sep: Unicode.Scalar) -> [String] {
    var parts: [String] = []
    var cur = String.UnicodeScalarView()
    for u in s.unicodeScalars {
      if u == sep { parts.append(String(cur)); cur = String.UnicodeScalarView() } else { cur.append(u) }
    }
    parts.append(String(cur))
    return parts
  }

  static func hasPrefix(_ s: String, _ p: String) -> Bool { s.unicodeScalars.starts(with: p.unicodeScalars) }

  static func hasSuffix(_ s: String, _ p: String) -> Bool {
    s.unicodeScalars.reversed().starts(with: p.unicodeScalars.reversed())
  }

  static func dropFirst(_ s: String, _ n: Int) -> String {
    String(String.UnicodeScalarView(s.unicodeScalars.dropFirst(n)))
  }

  /// Exact (scalar-by-scalar) equality.
  static func same(_ a: String, _ b: String) -> Bool { a.unicodeScalars.elementsEqual(b.unicodeScalars) }
}
