import Foundation

/// How found identifiers are replaced.
public enum DeidMode: String, Sendable, CaseIterable, Codable {
  /// `[LABEL]` in place of each identifier.
  case tag
  /// Realistic stand-ins, the same stand-in for the same identifier throughout a document; dates
  /// and times move by one offset per document (intervals kept).
  case surrogate
  /// Dates (and times) moved by one offset per document; every other identifier tagged.
  case shiftDates = "shift-dates"
}

/// One document after de-identification: its id, the new text and the identifiers found, with
/// offsets into the input text in code points.
public struct DeidResult: Sendable, Equatable, Codable {
  public let id: String
  public let text: String
  public let spans: [PHISpan]
}

/// Removes identifiers from report text (the primer's step before any training on clinical text):
/// finds them with `PHIDetector` and replaces them according to the mode. Replacements are drawn
/// from a generator seeded by `seed` and the document id, so a document always gets the same
/// stand-ins and date shift, and different documents get different ones.
public struct Deidentifier: Sendable {
  public let mode: DeidMode
  public let seed: UInt64
  public let detector: PHIDetector

  public init(mode: DeidMode = .tag, seed: UInt64 = 0, detector: PHIDetector = PHIDetector()) {
    self.mode = mode
    self.seed = seed
    self.detector = detector
  }

  /// The day offset of document `id` (non-zero, within ±365 days).
  public func dayShift(forDocument id: String) -> Int {
    var generator = DeidRandom(seed: seed, document: id)
    let magnitude = Int(generator.next() % 365) + 1
    return generator.next() % 2 == 0 ? magnitude : -magnitude
  }

  /// De-identifies one document.
  public func deidentify(_ text: String, id: String = "1") -> DeidResult {
    let spans = detector.detect(text)
    let scalars = Array(text.unicodeScalars)
    var state = SurrogateState(random: DeidRandom(seed: seed &+ 1, document: id), days: dayShift(forDocument: id))
    var output = String.UnicodeScalarView()
    var cursor = 0
    for span in spans {
      output.append(contentsOf: scalars[cursor..<span.start])
      output.append(contentsOf: replacement(for: span, state: &state).unicodeScalars)
      cursor = span.end
    }
    output.append(contentsOf: scalars[cursor...])
    return DeidResult(id: id, text: String(output), spans: spans)
  }

  private func replacement(for span: PHISpan, state: inout SurrogateState) -> String {
    let tag = "[\(span.label.rawValue)]"
    switch mode {
    case .tag:
      return tag
    case .shiftDates:
      if span.label == .date { return DateShift.shift(span.text, byDays: state.days) ?? tag }
      return tag
    case .surrogate:
      return state.surrogate(for: span) ?? tag
    }
  }
}

/// A small deterministic generator (SplitMix64) seeded from a seed and a document id (FNV-1a), so
/// results do not depend on the process or platform.
struct DeidRandom {
  private var state: UInt64

  init(seed: UInt64, document: String) {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in document.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x0000_0100_0000_01b3
    }
    state = hash ^ (seed &* 0x9e37_79b9_7f4a_7c15)
  }

  mutating func next() -> UInt64 {
    state = state &+ 0x9e37_79b9_7f4a_7c15
    var z = state
    z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
    z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
    return z ^ (z >> 31)
  }

  mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(max(bound, 1))) }

  mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}
