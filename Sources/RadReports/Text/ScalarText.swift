import Foundation

/// A text with its offsets counted in Unicode scalars (code points), the unit Python uses to index
/// a `str`, so spans RadLM writes line up with what a Python reader slices. Regular expressions
/// run on Foundation's UTF-16 view; this type converts their ranges to scalar offsets and back.
public struct ScalarText {
  /// The text.
  public let string: String
  /// The text as UTF-16 (what `NSRegularExpression` matches against).
  let nsString: NSString
  /// `scalarOffset[u]`: the scalar offset of UTF-16 offset `u` (one entry per unit, plus the end).
  private let scalarOffset: [Int]
  /// `utf16Offset[s]`: the UTF-16 offset of scalar offset `s` (one entry per scalar, plus the end).
  private let utf16Offset: [Int]

  public init(_ string: String) {
    self.string = string
    self.nsString = string as NSString
    var scalarOffset: [Int] = []
    var utf16Offset: [Int] = []
    scalarOffset.reserveCapacity(string.utf16.count + 1)
    utf16Offset.reserveCapacity(string.unicodeScalars.count + 1)
    var unit = 0
    for (index, scalar) in string.unicodeScalars.enumerated() {
      utf16Offset.append(unit)
      let width = scalar.utf16.count
      for _ in 0..<width { scalarOffset.append(index) }
      unit += width
    }
    utf16Offset.append(unit)
    scalarOffset.append(utf16Offset.count - 1)
    self.scalarOffset = scalarOffset
    self.utf16Offset = utf16Offset
  }

  /// Number of scalars.
  public var count: Int { utf16Offset.count - 1 }

  /// The scalar range of a UTF-16 range.
  func scalarRange(_ range: NSRange) -> Range<Int> {
    scalarOffset[range.location]..<scalarOffset[range.location + range.length]
  }

  /// The UTF-16 range of a scalar range.
  func utf16Range(_ range: Range<Int>) -> NSRange {
    NSRange(
      location: utf16Offset[range.lowerBound], length: utf16Offset[range.upperBound] - utf16Offset[range.lowerBound])
  }

  /// The text of a scalar range.
  public func substring(_ range: Range<Int>) -> String { nsString.substring(with: utf16Range(range)) }

  /// Matches of `pattern` as scalar ranges of the whole match and of each capture group (nil when
  /// a group took no part).
  func matches(_ pattern: TextPattern, in range: Range<Int>? = nil) -> [[Range<Int>?]] {
    let searched = range.map(utf16Range) ?? NSRange(location: 0, length: nsString.length)
    guard let regex = pattern.regex else { return [] }
    return regex.matches(in: string, options: [], range: searched).map { match in
      (0..<match.numberOfRanges).map { group in
        let r = match.range(at: group)
        return r.location == NSNotFound ? nil : scalarRange(r)
      }
    }
  }
}

/// A compiled regular expression (ICU syntax through `NSRegularExpression`).
/// `@unchecked Sendable`: NSRegularExpression is immutable after creation and documented thread-safe.
public final class TextPattern: @unchecked Sendable {
  /// The compiled expression; nil when the pattern did not compile (then it matches nothing).
  let regex: NSRegularExpression?

  /// Compiles `pattern`; the patterns are the library's own, so a failure is a programming error
  /// reported by the tests (`isValid`), never a crash.
  init(_ pattern: String, caseInsensitive: Bool = true) {
    var options: NSRegularExpression.Options = [.anchorsMatchLines]
    if caseInsensitive { options.insert(.caseInsensitive) }
    regex = try? NSRegularExpression(pattern: pattern, options: options)
  }

  /// Whether the pattern compiled.
  var isValid: Bool { regex != nil }
}
