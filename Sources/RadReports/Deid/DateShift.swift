import Foundation

/// Shifts a date written in a report by a whole number of days and writes it back in the same
/// format: numeric (`03/14/2021`, `3-14-21`, `2021-03-14`, `14.03.2021`), with a month name
/// (`March 14, 2021`, `14 Mar 2021`, `Mar 14th`) or month and year (`March 2021`, shifted by its
/// first day). Every date of a document moves by the same number of days, so intervals between
/// full dates are kept exactly. Dates without a year are read in a leap year (2000) and written
/// without one.
enum DateShift {
  static let monthNames = [
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december",
  ]

  /// `text` moved by `days`, or nil when it is not a date this type can read.
  static func shift(_ text: String, byDays days: Int) -> String? {
    if let shifted = shiftNumeric(text, days) { return shifted }
    return shiftNamed(text, days)
  }

  private static let calendar: Calendar = {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
    return calendar
  }()

  private static func move(year: Int, month: Int, day: Int, by days: Int) -> DateComponents? {
    guard let date = calendar.date(from: DateComponents(year: year, month: month, day: day)),
      calendar.component(.day, from: date) == day,
      let moved = calendar.date(byAdding: .day, value: days, to: date)
    else { return nil }
    return calendar.dateComponents([.year, .month, .day], from: moved)
  }

  private static func pad(_ value: Int, like written: Substring) -> String {
    written.count >= 2 && value < 10 ? "0\(value)" : "\(value)"
  }

  private static func shiftNumeric(_ text: String, _ days: Int) -> String? {
    let separators: Set<Character> = ["/", "-", "."]
    guard let separator = text.first(where: { separators.contains($0) }) else { return nil }
    let parts = text.split(separator: separator, omittingEmptySubsequences: false)
    guard parts.count == 2 || parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }),
      let numbers = Optional(parts.compactMap { Int($0) }), numbers.count == parts.count
    else { return nil }
    if parts.count == 3 && parts[0].count == 4 {
      guard let moved = move(year: numbers[0], month: numbers[1], day: numbers[2], by: days),
        let year = moved.year, let month = moved.month, let day = moved.day
      else { return nil }
      let s = String(separator)
      return "\(year)\(s)\(pad(month, like: parts[1]))\(s)\(pad(day, like: parts[2]))"
    }
    // Month first unless the separator is '.' or the first number cannot be a month.
    let dayFirst = separator == "." || numbers[0] > 12
    let (monthIndex, dayIndex) = dayFirst ? (1, 0) : (0, 1)
    let hasYear = parts.count == 3
    let twoDigitYear = hasYear && parts[2].count == 2
    let year = hasYear ? (twoDigitYear ? (numbers[2] < 50 ? 2000 : 1900) + numbers[2] : numbers[2]) : 2000
    guard let moved = move(year: year, month: numbers[monthIndex], day: numbers[dayIndex], by: days),
      let newYear = moved.year, let month = moved.month, let day = moved.day
    else { return nil }
    var out = [String](repeating: "", count: parts.count)
    out[monthIndex] = pad(month, like: parts[monthIndex])
    out[dayIndex] = pad(day, like: parts[dayIndex])
    if hasYear {
      out[2] = twoDigitYear ? String(format: "%02d", newYear % 100) : String(newYear)
    }
    return out.joined(separator: String(separator))
  }

  private static func shiftNamed(_ text: String, _ days: Int) -> String? {
    // "19-Jul-1995" and "Jul-19-1995": shifted through the spaced form, written back with hyphens.
    let hyphenated = text.split(separator: "-")
    if hyphenated.count == 3, hyphenated.allSatisfy({ !$0.isEmpty }), !text.contains(" ") {
      let monthFirst = hyphenated[0].first?.isLetter == true
      let year = hyphenated[2]
      let fullYear = year.count == 2 ? "20" + year : String(year)
      let spaced =
        monthFirst ? "\(hyphenated[0]) \(hyphenated[1]), \(fullYear)" : "\(hyphenated[0]) \(hyphenated[1]) \(fullYear)"
      guard let moved = shiftNamed(spaced, days) else { return nil }
      let parts = moved.replacingOccurrences(of: ",", with: "").split(separator: " ")
      guard parts.count == 3 else { return nil }
      let newYear = year.count == 2 ? String(parts[2].suffix(2)) : String(parts[2])
      return "\(parts[0])-\(parts[1])-\(newYear)"
    }
    // Tokens: words and numbers, remembering how the month was written.
    let pattern = TextPattern(
      #"^(?:(\d{1,2})(st|nd|rd|th)?\s+(?:of\s+)?)?([A-Za-z]+)(\.?)(?:\s+(\d{1,2})(st|nd|rd|th)?)?(,?)(?:\s+(\d{4}))?$"#)
    let scalarText = ScalarText(text)
    guard let match = scalarText.matches(pattern).first, let monthRange = match[3] else { return nil }
    func group(_ index: Int) -> String? { match[index].map { scalarText.substring($0) } }
    let writtenMonth = scalarText.substring(monthRange)
    let lower = writtenMonth.lowercased()
    guard let monthIndex = monthNames.firstIndex(where: { $0.hasPrefix(lower) && lower.count >= 3 || $0 == lower })
    else { return nil }
    let dayFirst = group(1) != nil
    let dayText = group(1) ?? group(5)
    let year = group(8).flatMap { Int($0) }
    let day = dayText.flatMap { Int($0) } ?? 1
    guard let moved = move(year: year ?? 2000, month: monthIndex + 1, day: day, by: days),
      let newYear = moved.year, let newMonth = moved.month, let newDay = moved.day
    else { return nil }
    var monthOut = monthNames[newMonth - 1]
    if writtenMonth.count <= 4 && lower != monthNames[monthIndex] {
      monthOut = String(monthOut.prefix(writtenMonth.count == 4 && newMonth == 9 ? 4 : 3))
    }
    if writtenMonth == writtenMonth.uppercased() {
      monthOut = monthOut.uppercased()
    } else if writtenMonth.first?.isUppercase == true {
      monthOut = monthOut.prefix(1).uppercased() + monthOut.dropFirst()
    }
    monthOut += group(4) ?? ""
    let suffixOut: (String?) -> String = { written in
      guard written != nil else { return "" }
      switch newDay {
      case 1, 21, 31: return "st"
      case 2, 22: return "nd"
      case 3, 23: return "rd"
      default: return "th"
      }
    }
    var out: String
    if dayText == nil {
      out = monthOut
    } else if dayFirst {
      out = "\(newDay)\(suffixOut(group(2))) " + (text.lowercased().contains(" of ") ? "of " : "") + monthOut
    } else {
      out = "\(monthOut) \(newDay)\(suffixOut(group(6)))"
    }
    out += group(7) ?? ""
    if year != nil { out += " \(newYear)" }
    return out
  }
}
