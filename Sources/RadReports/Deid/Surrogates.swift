import Foundation

/// The stand-ins of one document: each identifier (by label and text, ignoring case) and each name
/// word keeps one stand-in, so "John Smith" and "Mr. Smith" stay the same person.
struct SurrogateState {
  var random: DeidRandom
  /// Days every date moves; times move by `days` hours modulo a day.
  let days: Int
  private var byIdentifier: [String: String] = [:]
  private var byWord: [String: String] = [:]

  init(random: DeidRandom, days: Int) {
    self.random = random
    self.days = days
  }

  static let namePool = [
    "Avery", "Quinn", "Rowan", "Ellison", "Harper", "Marlowe", "Blakely", "Reese", "Sawyer", "Emerson",
    "Thornton", "Whitfield", "Ashdown", "Merrow", "Calloway", "Pemberton", "Lindqvist", "Okafor", "Tanaka",
    "Moreau", "Castellan", "Brannock", "Fairley", "Holloway", "Kestrel", "Larkin", "Mayhew", "Norwood",
    "Prescott", "Radley", "Sterling", "Tolliver", "Underhill", "Vance", "Wakefield", "Yardley", "Ainsley",
    "Briar", "Corin", "Darcy", "Ember", "Finley", "Greer", "Hollis", "Idris", "Jensen", "Kendry", "Lowell",
  ]
  static let placePool = [
    "Maple", "Cedar", "Brookfield", "Riverton", "Oakdale", "Fairview", "Hillcrest", "Lakeside", "Pinehurst",
    "Ridgeway", "Westbrook", "Elmwood", "Harborview", "Stonebridge", "Willowdale", "Ashford", "Meadowvale",
  ]

  mutating func surrogate(for span: PHISpan) -> String? {
    let key = span.label.rawValue + "|" + span.text.lowercased()
    if let known = byIdentifier[key] { return known }
    let made: String?
    switch span.label {
    case .name, .clinician: made = replaceWords(span.text, pool: Self.namePool, keepSuffixes: false)
    case .location: made = replaceWords(span.text, pool: Self.placePool, keepSuffixes: true)
    case .date: made = DateShift.shift(span.text, byDays: days)
    case .time: made = shiftTime(span.text)
    case .age: made = "≥90"
    case .email: made = "person\(random.below(900) + 100)@example.org"
    case .url: made = "https://example.org/r\(random.below(9000) + 1000)"
    case .ipAddress:
      made =
        span.text.contains(":")
        ? "2001:db8::\(random.below(9000) + 1000)"
        : "192.0.2.\(random.below(254) + 1)"
    case .photo:
      let ext = span.text.split(separator: ".").last.map { "." + $0 } ?? ""
      made = span.text.contains(".") ? "photo\(random.below(9000) + 1000)\(ext)" : reshape(span.text)
    default: made = reshape(span.text)
    }
    if let made { byIdentifier[key] = made }
    return made
  }

  /// Digits become random digits, letters random letters of the same case; the rest is kept.
  private mutating func reshape(_ text: String) -> String {
    var out = String.UnicodeScalarView()
    for (index, scalar) in text.unicodeScalars.enumerated() {
      let value = scalar.value
      if (48...57).contains(value) {
        let low = index == 0 && value != 48 ? 1 : 0
        out.append(Unicode.Scalar(UInt8(48 + low + random.below(10 - low))))
      } else if (65...90).contains(value) {
        out.append(Unicode.Scalar(UInt8(65 + random.below(26))))
      } else if (97...122).contains(value) {
        out.append(Unicode.Scalar(UInt8(97 + random.below(26))))
      } else {
        out.append(scalar)
      }
    }
    return String(out)
  }

  private static let keptWords: Set<String> = [
    "street", "st", "avenue", "ave", "road", "rd", "boulevard", "blvd", "drive", "dr", "lane", "ln", "court",
    "ct", "way", "place", "pl", "parkway", "pkwy", "circle", "cir", "terrace", "ter", "highway", "hwy", "trail",
    "trl", "square", "sq", "pike", "row", "alley", "county", "apt", "apartment", "unit", "suite", "ste", "box",
    "p.o.", "po", "n", "s", "e", "w", "van", "von", "de", "der", "den", "del", "della", "da", "di", "du", "la",
    "le", "bin", "al", "el",
  ]

  /// Each capitalised word through the document's word map (new words drawn from `pool`); numbers
  /// reshaped; state abbreviations, street suffixes and name particles kept.
  private mutating func replaceWords(_ text: String, pool: [String], keepSuffixes: Bool) -> String {
    var out = ""
    var word = ""
    func flush(_ state: inout SurrogateState) {
      guard !word.isEmpty else { return }
      let lower = word.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
      if word.allSatisfy(\.isNumber) {
        out += state.reshape(word)
      } else if keepSuffixes && (Self.keptWords.contains(lower) || (word.count == 2 && word == word.uppercased())) {
        out += word
      } else if !keepSuffixes && Self.keptWords.contains(lower) && word.first?.isLowercase == true {
        out += word
      } else if word.count == 2 && word.hasSuffix(".") {
        // An initial maps to the initial of a stand-in.
        let stand = state.mapWord(String(word.prefix(1)), pool: pool)
        out += String(stand.prefix(1)) + "."
      } else {
        var stand = state.mapWord(lower, pool: pool)
        if word == word.uppercased() { stand = stand.uppercased() }
        out += stand
      }
      word = ""
    }
    for character in text {
      if character.isLetter || character.isNumber || character == "." || character == "'" || character == "’" {
        word.append(character)
      } else {
        flush(&self)
        out.append(character)
      }
    }
    flush(&self)
    return out
  }

  private mutating func mapWord(_ lower: String, pool: [String]) -> String {
    if let known = byWord[lower] { return known }
    let used = Set(byWord.values)
    var choice = random.pick(pool)
    for _ in 0..<8 where used.contains(choice) { choice = random.pick(pool) }
    byWord[lower] = choice
    return choice
  }

  /// A time moved by the document's offset (`days` hours, modulo a day), in its own format.
  private func shiftTime(_ text: String) -> String? {
    let offset = ((days % 24 + 24) % 24) * 60
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    let lower = trimmed.lowercased()
    let meridiem = lower.contains("p") ? "pm" : lower.contains("a") ? "am" : nil
    let digits = trimmed.prefix { $0.isNumber || $0 == ":" }
    let rest = trimmed.dropFirst(digits.count)
    var hour: Int
    var minute: Int
    var seconds = ""
    let parts = digits.split(separator: ":")
    if parts.count >= 2, let h = Int(parts[0]), let m = Int(parts[1]) {
      hour = h
      minute = m
      if parts.count == 3 { seconds = ":" + parts[2] }
    } else if digits.count == 4, let value = Int(digits) {
      hour = value / 100
      minute = value % 100
    } else if let h = Int(digits) {
      hour = h
      minute = 0
    } else {
      return nil
    }
    if let meridiem {
      hour = hour % 12 + (meridiem == "pm" ? 12 : 0)
    }
    let total = (hour * 60 + minute + offset) % 1440
    var newHour = total / 60
    let newMinute = total % 60
    if let meridiem {
      let isPM = newHour >= 12
      newHour = newHour % 12 == 0 ? 12 : newHour % 12
      var marker = String(rest)
      let wasPM = meridiem == "pm"
      if isPM != wasPM {
        marker = marker.replacingOccurrences(of: wasPM ? "p" : "a", with: isPM ? "p" : "a")
          .replacingOccurrences(of: wasPM ? "P" : "A", with: isPM ? "P" : "A")
      }
      let clock = parts.count >= 2 ? "\(newHour):" + String(format: "%02d", newMinute) + seconds : "\(newHour)"
      return clock + marker
    }
    if parts.count >= 2 {
      let hourText = parts[0].count == 2 ? String(format: "%02d", newHour) : "\(newHour)"
      return hourText + ":" + String(format: "%02d", newMinute) + seconds + rest
    }
    return String(format: "%02d%02d", newHour, newMinute) + rest
  }
}
