import ArgumentParser
import Foundation
import RadModelFiles

/// The checks commands run in `validate()`: ranges of numbers, files that must exist, names from
/// a fixed list. Each failure is a `ValidationError` whose one-line message names the option, so
/// a bad command line ends with status 64 before any work starts instead of trapping later.
enum OptionCheck {
  /// The largest count any size, step or length option accepts: larger values are typing
  /// mistakes, and kernels index with 32-bit offsets.
  static let largestCount = 1 << 30

  /// `value` (when given) is a whole number in `range`.
  static func integer<T: BinaryInteger>(_ value: T?, _ option: String, in range: ClosedRange<T>) throws {
    guard let value, !range.contains(value) else { return }
    throw ValidationError("\(option) must be between \(range.lowerBound) and \(range.upperBound) (got \(value))")
  }

  /// `value` (when given) is a count of at least `minimum` (1 unless said) and at most `largestCount`.
  static func count(_ value: Int?, _ option: String, minimum: Int = 1) throws {
    try integer(value, option, in: minimum...largestCount)
  }

  /// `value` (when given) is a finite number inside the bounds given (open bounds exclude the
  /// bound itself).
  static func number<T: BinaryFloatingPoint>(
    _ value: T?, _ option: String, above: T? = nil, atLeast: T? = nil, below: T? = nil, atMost: T? = nil
  ) throws {
    guard let value else { return }
    var conditions: [String] = []
    if let above { conditions.append("greater than \(above)") }
    if let atLeast { conditions.append("at least \(atLeast)") }
    if let below { conditions.append("less than \(below)") }
    if let atMost { conditions.append("at most \(atMost)") }
    let inside =
      value.isFinite && above.map { value > $0 } ?? true && atLeast.map { value >= $0 } ?? true
      && below.map { value < $0 } ?? true && atMost.map { value <= $0 } ?? true
    guard !inside else { return }
    let wanted = conditions.isEmpty ? "" : " " + conditions.joined(separator: " and ")
    throw ValidationError("\(option) must be a finite number\(wanted) (got \(value))")
  }

  /// Every value of a repeatable count option is a count (see `count`).
  static func counts(_ values: [Int], _ option: String, minimum: Int = 1) throws {
    for value in values { try count(value, option, minimum: minimum) }
  }

  /// `path` names an existing file, or is `-` for standard input.
  static func input(_ path: String?, _ option: String) throws {
    guard path != "-" else { return }
    try exists(path, option)
  }

  /// `path` (when given) names an existing file or folder.
  static func exists(_ path: String?, _ option: String) throws {
    guard let path, !FileManager.default.fileExists(atPath: path) else { return }
    throw ValidationError("\(option) \(path): no such file or folder")
  }

  /// Every path of a repeatable option exists.
  static func exist(_ paths: [String], _ option: String) throws {
    for path in paths { try exists(path, option) }
  }

  /// `value` (when given) is a model path or the name of a model `radlm fetch` knows.
  static func model(_ value: String?, _ option: String = "--model") throws {
    guard let value, !FileManager.default.fileExists(atPath: value) else { return }
    guard ModelCache.catalog.contains(where: { $0.name == value }) else {
      throw ValidationError("\(option) \(value): no such file or folder, and not a fetched model name")
    }
  }

  /// `host` is an IPv4 or IPv6 address literal or `localhost` (the server binds to it; names
  /// other than localhost would need a resolver, and the server is meant to stay on known interfaces).
  static func address(_ host: String, _ option: String) throws {
    var v4 = in_addr()
    var v6 = in6_addr()
    guard host != "localhost", inet_pton(AF_INET, host, &v4) != 1, inet_pton(AF_INET6, host, &v6) != 1 else { return }
    throw ValidationError("\(option) must be an IP address or localhost (got \(host))")
  }

  /// `value` (when given) is one of `choices`.
  static func oneOf(_ value: String?, _ choices: [String], _ option: String) throws {
    guard let value, !choices.contains(value) else { return }
    throw ValidationError("\(option) must be one of \(choices.joined(separator: ", ")) (got \(value))")
  }
}
