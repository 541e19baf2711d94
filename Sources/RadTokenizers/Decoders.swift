import Foundation

/// A decoder from `tokenizer.json`: turns token strings back into text, undoing what the
/// pre-tokenizer and model did (byte-level characters to bytes, `##` continuations, `▁` spaces).
public indirect enum Decoder: Sendable, Equatable {
  case byteLevel
  case wordPiece(prefix: String, cleanup: Bool)
  /// BPE with an end-of-word suffix: the suffix becomes a space (nothing after the last token).
  case bpe(suffix: String)
  case metaspace(replacement: UInt32, prependScheme: PrependScheme)
  /// `<0xAB>` tokens back to bytes.
  case byteFallback
  /// Joins all tokens into one.
  case fuse
  case replace(pattern: String, content: String)
  case strip(content: String, start: Int, stop: Int)
  case sequence([Decoder])

  /// Applies this decoder to a token list, returning the transformed list (joined by the caller).
  func decodeChain(_ tokens: [String]) -> [String] {
    switch self {
    case .byteLevel:
      var bytes: [UInt8] = []
      for t in tokens {
        if let b = ByteLevelAlphabet.decode(t) { bytes += b } else { bytes += Array(t.utf8) }
      }
      return [String(decoding: bytes, as: UTF8.self)]
    case .wordPiece(let prefix, let cleanup):
      return tokens.enumerated().map { i, tok in
        var t = tok
        if i != 0 {
          if ScalarText.hasPrefix(t, prefix) {
            t = ScalarText.dropFirst(t, prefix.unicodeScalars.count)
          } else {
            t = " " + t
          }
        }
        return cleanup ? Self.cleanup(t) : t
      }
    case .bpe(let suffix):
      return tokens.enumerated().map { i, tok in Self.replaceScalars(tok, suffix, i == tokens.count - 1 ? "" : " ") }
    case .metaspace(let rep, let scheme):
      return tokens.enumerated().map { i, tok in
        var v = String.UnicodeScalarView()
        for c in tok.unicodeScalars {
          if c.value == rep {
            if i == 0 && scheme != .never { continue }
            v.append(" ")
          } else {
            v.append(c)
          }
        }
        return String(v)
      }
    case .byteFallback:
      var out: [String] = []
      var pending: [UInt8] = []
      func flush() {
        if pending.isEmpty { return }
        if let s = String(validating: pending, as: UTF8.self) {
          out.append(s)
        } else {
          out += [String](repeating: "\u{FFFD}", count: pending.count)
        }
        pending = []
      }
      for t in tokens {
        let u = Array(t.utf8)
        if u.count == 6 && u[0] == 0x3C && u[1] == 0x30 && u[2] == 0x78 && u[5] == 0x3E,
          let b = UInt8(String(decoding: u[3..<5], as: UTF8.self), radix: 16)
        {
          pending.append(b)
        } else {
          flush(); out.append(t)
        }
      }
      flush()
      return out
    case .fuse:
      return [tokens.joined()]
    case .replace(let p, let c):
      return tokens.map { Self.replaceScalars($0, p, c) }
    case .strip(let content, let start, let stop):
      let c = content.unicodeScalars.first
      return tokens.map { tok in
        var cs = Array(tok.unicodeScalars)
        var s = 0
        while s < start && s < cs.count && cs[s] == c { s += 1 }
        cs.removeFirst(s)
        var e = 0
        while e < stop && !cs.isEmpty && cs[cs.count - 1] == c { cs.removeLast(); e += 1 }
        return String(String.UnicodeScalarView(cs))
      }
    case .sequence(let list):
      var t = tokens
      for d in list { t = d.decodeChain(t) }
      return t
    }
  }

  /// Decodes tokens to text.
  public func decode(_ tokens: [String]) -> String { decodeChain(tokens).joined() }

  static func replaceScalars(_ s: String, _ p: String, _ c: String) -> String {
    let pat = Array(p.unicodeScalars)
    guard !pat.isEmpty else { return s }
    let src = Array(s.unicodeScalars)
    var out = String.UnicodeScalarView()
    var i = 0
    while i < src.count {
      if i + pat.count <= src.count && src[i] == pat[0] && Array(src[i..<(i + pat.count)]) == pat {
        out.append(contentsOf: c.unicodeScalars); i += pat.count
      } else {
        out.append(src[i]); i += 1
      }
    }
    return String(out)
  }

  static func cleanup(_ s: String) -> String {
    var t = s
    for (a, b) in [
      (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"),
      (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"),
    ] {
      t = replaceScalars(t, a, b)
    }
    return t
  }
}
