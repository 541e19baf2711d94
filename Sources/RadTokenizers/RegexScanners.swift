/// Hand-written scanners for the pre-tokenization regular expressions real byte-level BPE
/// models use. Each one reproduces its regex's leftmost-first matching exactly, but walks the
/// characters once with table lookups instead of running a regex engine, which is many times
/// faster. Matches tile the text, so a scanner only reports where each piece ends.
public enum RegexScanner: String, Sendable, CaseIterable {
  /// GPT-2: `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
  case gpt2
  /// Llama-3: `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
  case llama3
  /// Qwen2: as Llama-3 but numbers split one digit at a time (`\p{N}`).
  case qwen2

  /// The regex each scanner implements, as written in `tokenizer.json` files.
  public var pattern: String {
    switch self {
    case .gpt2: return #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
    case .llama3:
      return
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    case .qwen2:
      return
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    }
  }

  /// The scanner for a known pattern (exact text), if any.
  public init?(pattern: String) {
    guard let s = RegexScanner.allCases.first(where: { $0.pattern == pattern }) else { return nil }
    self = s
  }

  /// Appends the end offset of every piece of `chars[lo..<hi]` to `ends`.
  public func split(_ chars: UnsafeBufferPointer<UInt32>, _ lo: Int, _ hi: Int, into ends: inout [Int32]) {
    var i = lo
    while i < hi {
      let e: Int
      switch self {
      case .gpt2: e = Self.gpt2Match(chars, i, hi)
      case .llama3: e = Self.llamaMatch(chars, i, hi, maxDigits: 3)
      case .qwen2: e = Self.llamaMatch(chars, i, hi, maxDigits: 1)
      }
      ends.append(Int32(e))
      i = e
    }
  }

  @inline(__always) static func cls(_ c: UInt32) -> ScalarClass {
    if c < 0x80 { return ScalarClass(rawValue: asciiClass[Int(c)]) }
    return ScalarClass.of(c)
  }

  static let asciiClass: [UInt8] = (0..<128).map { ScalarClass.of(UInt32($0)).rawValue }

  @inline(__always) static func isOther(_ k: ScalarClass) -> Bool {
    k.rawValue & (ScalarClass.letter.rawValue | ScalarClass.number.rawValue | ScalarClass.whitespace.rawValue) == 0
  }

  /// Length of a contraction (`'s`, `'re`, ...) at `i`, or 0.
  @inline(__always)
  static func contraction(_ s: UnsafeBufferPointer<UInt32>, _ i: Int, _ hi: Int, caseInsensitive: Bool) -> Int {
    guard s[i] == 0x27, i + 1 < hi else { return 0 }
    var a = s[i + 1]
    if caseInsensitive && a >= 0x41 && a <= 0x5A { a += 32 }
    switch a {
    case 0x73, 0x74, 0x6D, 0x64: return 2  // s t m d
    case 0x72, 0x76, 0x6C:  // r v l
      guard i + 2 < hi else { return 0 }
      var b = s[i + 2]
      if caseInsensitive && b >= 0x41 && b <= 0x5A { b += 32 }
      if (a == 0x72 && b == 0x65) || (a == 0x76 && b == 0x65) || (a == 0x6C && b == 0x6C) { return 3 }
      return 0
    default: return 0
    }
  }

  /// End of the whitespace-rule match starting at `i` (a white space character): `\s+(?!\S)|\s+`.
  @inline(__always)
  static func whitespaceRun(_ s: UnsafeBufferPointer<UInt32>, _ i: Int, _ hi: Int) -> Int {
    var k = i + 1
    while k < hi && cls(s[k]).contains(.whitespace) { k += 1 }
    if k == hi || k - i == 1 { return k }
    return k - 1
  }

  static func gpt2Match(_ s: UnsafeBufferPointer<UInt32>, _ i: Int, _ hi: Int) -> Int {
    let c = s[i]
    let n = contraction(s, i, hi, caseInsensitive: false)
    if n > 0 { return i + n }
    var j = i
    if c == 0x20 && i + 1 < hi { j = i + 1 }
    let k = cls(s[j])
    if k.contains(.letter) {
      j += 1
      while j < hi && cls(s[j]).contains(.letter) { j += 1 }
      return j
    }
    if k.contains(.number) {
      j += 1
      while j < hi && cls(s[j]).contains(.number) { j += 1 }
      return j
    }
    if isOther(k) {
      j += 1
      while j < hi && isOther(cls(s[j])) { j += 1 }
      return j
    }
    // s[j] is white space (j == i, or j == i + 1 after a space).
    return whitespaceRun(s, i, hi)
  }

  static func llamaMatch(_ s: UnsafeBufferPointer<UInt32>, _ i: Int, _ hi: Int, maxDigits: Int) -> Int {
    let c = s[i]
    let n = contraction(s, i, hi, caseInsensitive: true)
    if n > 0 { return i + n }
    let k = cls(c)
    // [^\r\n\p{L}\p{N}]?\p{L}+
    if k.contains(.letter) {
      var j = i + 1
      while j < hi && cls(s[j]).contains(.letter) { j += 1 }
      return j
    }
    if c != 0x0D && c != 0x0A && !k.contains(.number) && i + 1 < hi && cls(s[i + 1]).contains(.letter) {
      var j = i + 2
      while j < hi && cls(s[j]).contains(.letter) { j += 1 }
      return j
    }
    // \p{N}{1,maxDigits}
    if k.contains(.number) {
      var j = i + 1
      while j < hi && j - i < maxDigits && cls(s[j]).contains(.number) { j += 1 }
      return j
    }
    // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
    var j = i
    if c == 0x20 && i + 1 < hi { j = i + 1 }
    if isOther(cls(s[j])) {
      j += 1
      while j < hi && isOther(cls(s[j])) { j += 1 }
      while j < hi && (s[j] == 0x0D || s[j] == 0x0A) { j += 1 }
      return j
    }
    // White space: \s*[\r\n]+ takes the run up to its last line break, if it has one.
    var end = i
    var lastBreak = -1
    while end < hi && cls(s[end]).contains(.whitespace) {
      if s[end] == 0x0D || s[end] == 0x0A { lastBreak = end }
      end += 1
    }
    if lastBreak >= 0 { return lastBreak + 1 }
    return whitespaceRun(s, i, hi)
  }
}
