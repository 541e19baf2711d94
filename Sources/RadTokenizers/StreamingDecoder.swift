/// Decodes ids one at a time during generation, emitting text only once it is complete UTF-8.
/// A byte-level token can end in the middle of a multi-byte character (an emoji spans several
/// tokens); the decoder holds such bytes back until the character is whole, and decodes a small
/// window of recent ids so decoders that look at neighbours (WordPiece, Metaspace) stay correct.
public struct StreamingDecoder: Sendable {
  public let tokenizer: Tokenizer
  public let skipSpecialTokens: Bool
  private var ids: [Int] = []
  private var prefix = ""
  private var prefixIndex = 0

  public init(tokenizer: Tokenizer, skipSpecialTokens: Bool = true) {
    self.tokenizer = tokenizer
    self.skipSpecialTokens = skipSpecialTokens
  }

  /// Adds one id; returns the newly completed text (empty while a character is incomplete).
  public mutating func step(_ id: Int) throws(TokenizerError) -> String {
    ids.append(id)
    let text = try tokenizer.decode(ids, skipSpecialTokens: skipSpecialTokens)
    let textScalars = Array(text.unicodeScalars)
    let prefixCount = prefix.unicodeScalars.count
    guard textScalars.count > prefixCount, textScalars.last != "\u{FFFD}" else { return "" }
    var out = String.UnicodeScalarView()
    out.append(contentsOf: textScalars[prefixCount...])
    // Keep only the ids after the previous prefix as context for the next step.
    let newPrefixIndex = ids.count - prefixIndex
    ids.removeFirst(prefixIndex)
    prefix = try tokenizer.decode(ids, skipSpecialTokens: skipSpecialTokens)
    prefixIndex = newPrefixIndex
    return String(out)
  }

  /// Text still held back at the end of generation (incomplete bytes become U+FFFD).
  public mutating func finish() throws(TokenizerError) -> String {
    let text = try tokenizer.decode(ids, skipSpecialTokens: skipSpecialTokens)
    let textScalars = Array(text.unicodeScalars)
    let prefixCount = prefix.unicodeScalars.count
    ids.removeAll(); prefix = ""; prefixIndex = 0
    guard textScalars.count > prefixCount else { return "" }
    var out = String.UnicodeScalarView()
    out.append(contentsOf: textScalars[prefixCount...])
    return String(out)
  }
}
