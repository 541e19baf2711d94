import Foundation

/// Problems reading predictions, references or filled review sheets; each names the file and,
/// where there is one, the line and column.
public enum ReviewError: Error, Equatable, CustomStringConvertible {
  case unreadable(file: String, reason: String)
  case malformed(file: String, line: Int, reason: String)
  case badRating(file: String, line: Int, column: String, value: String, allowed: ClosedRange<Int>)
  case noRatingColumns(file: String)
  case nothingToReview(reason: String)

  public var description: String {
    switch self {
    case .unreadable(let file, let reason): return "\(file): \(reason)"
    case .malformed(let file, let line, let reason): return "\(file):\(line): \(reason)"
    case .badRating(let file, let line, let column, let value, let allowed):
      return "\(file):\(line): column \"\(column)\": \"\(value)\" is not a whole number from "
        + "\(allowed.lowerBound) to \(allowed.upperBound) (or blank)"
    case .noRatingColumns(let file):
      return "\(file): no rating columns (\"NAME correctness\", \"NAME completeness\", \"NAME harm\") in the header"
    case .nothingToReview(let reason): return reason
    }
  }
}
