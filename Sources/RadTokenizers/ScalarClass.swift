/// Per-character classes the pre-tokenizers and normalizers test in their inner loops (letter,
/// number, white space, punctuation, control, non-spacing mark, CJK). Looking up Unicode
/// properties is slow, so the Basic Multilingual Plane is tabulated once and other planes are
/// classified on demand.
public struct ScalarClass: OptionSet, Sendable {
  public let rawValue: UInt8
  public init(rawValue: UInt8) { self.rawValue = rawValue }

  /// General category L* (regex `\p{L}`).
  public static let letter = ScalarClass(rawValue: 1)
  /// General category N* (regex `\p{N}`, Rust `char::is_numeric`).
  public static let number = ScalarClass(rawValue: 2)
  /// The White_Space property (regex `\s`, Rust `char::is_whitespace`).
  public static let whitespace = ScalarClass(rawValue: 4)
  /// BERT punctuation: ASCII punctuation or general category P*.
  public static let bertPunctuation = ScalarClass(rawValue: 8)
  /// BERT control: general category C* other than tab, newline and carriage return.
  public static let control = ScalarClass(rawValue: 16)
  /// General category Mn (non-spacing marks, removed by accent stripping).
  public static let nonspacingMark = ScalarClass(rawValue: 32)
  /// CJK ideographs as BERT defines them (padded with spaces).
  public static let cjk = ScalarClass(rawValue: 64)
  /// Unicode general category P* only (the `Punctuation` pre-tokenizer).
  public static let unicodePunctuation = ScalarClass(rawValue: 128)

  private static let bmp: [UInt8] = {
    var t = [UInt8](repeating: 0, count: 0x10000)
    for v in 0..<0x10000 {
      if let s = Unicode.Scalar(UInt32(v)) { t[v] = compute(s).rawValue } else { t[v] = ScalarClass.control.rawValue }
    }
    return t
  }()

  /// The classes of one character value.
  @inline(__always)
  public static func of(_ v: UInt32) -> ScalarClass {
    if v < 0x10000 { return ScalarClass(rawValue: bmp[Int(v)]) }
    guard let s = Unicode.Scalar(v) else { return .control }
    return compute(s)
  }

  static func compute(_ s: Unicode.Scalar) -> ScalarClass {
    var c: ScalarClass = []
    let p = s.properties
    switch p.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: c.insert(.letter)
    case .decimalNumber, .letterNumber, .otherNumber: c.insert(.number)
    case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
      .finalPunctuation, .otherPunctuation:
      c.insert(.bertPunctuation); c.insert(.unicodePunctuation)
    case .control, .format, .surrogate, .privateUse:
      if s != "\t" && s != "\n" && s != "\r" { c.insert(.control) }
    case .nonspacingMark: c.insert(.nonspacingMark)
    default: break
    }
    if p.isWhitespace { c.insert(.whitespace) }
    let v = s.value
    if (v >= 33 && v <= 47) || (v >= 58 && v <= 64) || (v >= 91 && v <= 96) || (v >= 123 && v <= 126) {
      c.insert(.bertPunctuation)
    }
    if (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) || (0x20000...0x2A6DF).contains(v)
      || (0x2A700...0x2B73F).contains(v) || (0x2B740...0x2B81F).contains(v) || (0x2B920...0x2CEAF).contains(v)
      || (0xF900...0xFAFF).contains(v) || (0x2F800...0x2FA1F).contains(v)
    {
      c.insert(.cjk)
    }
    return c
  }
}
