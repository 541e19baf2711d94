import Foundation
import RadEval

/// Reads filled review sheets back (one CSV per rater, the rater named by the file's name) and
/// summarises them: each variant's mean rating per criterion over every rater, and how well each
/// pair of raters agrees per criterion (Cohen's κ unweighted, linear and quadratic weighted, as
/// scikit-learn computes them) over the (study, variant) items both rated.
public enum ReviewImport {
  /// One rater's ratings: (study id, variant, criterion) → rating.
  public struct Ratings: Sendable {
    public var rater: String
    public var variants: [String]
    public var values: [Key: Int]
  }

  public struct Key: Hashable, Sendable, Comparable {
    public var id: String
    public var variant: String
    public var criterion: String

    public static func < (a: Key, b: Key) -> Bool {
      (a.id, a.variant, a.criterion) < (b.id, b.variant, b.criterion)
    }
  }

  public static func read(_ url: URL) throws -> Ratings {
    guard let data = FileManager.default.contents(atPath: url.path) else {
      throw ReviewError.unreadable(file: url.path, reason: "no such file or not readable")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw ReviewError.unreadable(file: url.path, reason: "not UTF-8 text (save the sheet as CSV UTF-8)")
    }
    let records = try CSVTable.read(text, file: url.path)
    guard let header = records.first else { throw ReviewError.unreadable(file: url.path, reason: "empty file") }
    guard let idColumn = header.fields.firstIndex(of: "id") else {
      throw ReviewError.malformed(file: url.path, line: header.line, reason: "the header has no \"id\" column")
    }
    var columns: [(index: Int, variant: String, criterion: ReviewCriterion)] = []
    var variants: [String] = []
    for (index, name) in header.fields.enumerated() {
      for criterion in ReviewCriterion.all where name.hasSuffix(" \(criterion.name)") {
        let variant = String(name.dropLast(criterion.name.count + 1))
        columns.append((index, variant, criterion))
        if !variants.contains(variant) { variants.append(variant) }
      }
    }
    guard !columns.isEmpty else { throw ReviewError.noRatingColumns(file: url.path) }
    var values: [Key: Int] = [:]
    var seen = Set<String>()
    for record in records.dropFirst() {
      guard record.fields.count == header.fields.count else {
        throw ReviewError.malformed(
          file: url.path, line: record.line,
          reason: "\(record.fields.count) fields where the header has \(header.fields.count)")
      }
      let id = record.fields[idColumn].trimmingCharacters(in: .whitespaces)
      guard !id.isEmpty, seen.insert(id).inserted else {
        throw ReviewError.malformed(
          file: url.path, line: record.line, reason: id.isEmpty ? "empty id" : "id \(id) appears twice")
      }
      for column in columns {
        let raw = record.fields[column.index].trimmingCharacters(in: .whitespacesAndNewlines)
        if raw.isEmpty { continue }
        guard let value = Int(raw), column.criterion.scale.contains(value) else {
          throw ReviewError.badRating(
            file: url.path, line: record.line, column: header.fields[column.index], value: raw,
            allowed: column.criterion.scale)
        }
        values[Key(id: id, variant: column.variant, criterion: column.criterion.name)] = value
      }
    }
    return Ratings(rater: url.deletingPathExtension().lastPathComponent, variants: variants, values: values)
  }

  public static func summarise(_ files: [URL]) throws -> ReviewSummary {
    summarise(try files.map(read))
  }

  public static func summarise(_ sheets: [Ratings]) -> ReviewSummary {
    var variants: [String] = []
    for sheet in sheets { for variant in sheet.variants where !variants.contains(variant) { variants.append(variant) } }
    let means = variants.map { variant in
      ReviewSummary.VariantMeans(
        variant: variant,
        criteria: ReviewCriterion.all.map { criterion in
          let values = sheets.flatMap { sheet in
            sheet.values.filter { $0.key.variant == variant && $0.key.criterion == criterion.name }.map(\.value)
          }
          return ReviewSummary.Mean(
            criterion: criterion.name, mean: values.isEmpty ? nil : Double(values.reduce(0, +)) / Double(values.count),
            n: values.count)
        })
    }
    var agreement: [ReviewSummary.Agreement] = []
    let raters = sheets.sorted { $0.rater < $1.rater }
    for criterion in ReviewCriterion.all {
      for i in raters.indices {
        for j in raters.indices where j > i {
          let keys = raters[i].values.keys.filter { $0.criterion == criterion.name && raters[j].values[$0] != nil }
            .sorted()
          let a = keys.map { raters[i].values[$0]! }
          let b = keys.map { raters[j].values[$0]! }
          func kappa(_ weighting: ClassificationMetrics.KappaWeighting) -> Double? {
            guard let value = try? ClassificationMetrics.cohenKappa(truth: a, predicted: b, weighting: weighting),
              !value.isNaN
            else { return nil }
            return value
          }
          agreement.append(
            ReviewSummary.Agreement(
              criterion: criterion.name, raters: [raters[i].rater, raters[j].rater], n: keys.count,
              unweighted: kappa(.unweighted), linear: kappa(.linear), quadratic: kappa(.quadratic)))
        }
      }
    }
    return ReviewSummary(variants: means, agreement: agreement)
  }
}

/// Mean ratings per variant and inter-rater agreement of a set of filled review sheets.
public struct ReviewSummary: Sendable, Equatable {
  public struct Mean: Sendable, Equatable {
    public var criterion: String
    public var mean: Double?
    public var n: Int
  }

  public struct VariantMeans: Sendable, Equatable {
    public var variant: String
    public var criteria: [Mean]
  }

  /// Cohen's κ of two raters on one criterion; nil where undefined (no shared items, or both
  /// raters always gave the one same rating).
  public struct Agreement: Sendable, Equatable {
    public var criterion: String
    public var raters: [String]
    public var n: Int
    public var unweighted: Double?
    public var linear: Double?
    public var quadratic: Double?
  }

  public var variants: [VariantMeans]
  public var agreement: [Agreement]

  /// `{"variants":[{"variant","correctness":{"mean","n"},…}],"agreement":[{"criterion","raters","n",
  /// "unweighted","linear","quadratic"}]}`.
  public func jsonObject() -> [String: Any] {
    func number(_ value: Double?) -> Any { value.map { $0 as Any } ?? NSNull() }
    return [
      "variants": variants.map { entry -> [String: Any] in
        var object: [String: Any] = ["variant": entry.variant]
        for mean in entry.criteria { object[mean.criterion] = ["mean": number(mean.mean), "n": mean.n] }
        return object
      },
      "agreement": agreement.map {
        [
          "criterion": $0.criterion, "raters": $0.raters, "n": $0.n, "unweighted": number($0.unweighted),
          "linear": number($0.linear), "quadratic": number($0.quadratic),
        ] as [String: Any]
      },
    ]
  }

  /// A plain-text table for people.
  public func table() -> String {
    var lines = ["| variant | " + ReviewCriterion.all.map(\.name).joined(separator: " | ") + " |"]
    lines.append("|---" + String(repeating: "|---", count: ReviewCriterion.all.count) + "|")
    for entry in variants {
      let cells = entry.criteria.map { mean in mean.mean.map { String(format: "%.2f (n=%d)", $0, mean.n) } ?? "–" }
      lines.append("| \(entry.variant) | " + cells.joined(separator: " | ") + " |")
    }
    lines.append("")
    lines.append("| criterion | raters | n | κ | κ linear | κ quadratic |")
    lines.append("|---|---|---|---|---|---|")
    for entry in agreement {
      let cells = [entry.unweighted, entry.linear, entry.quadratic].map { $0.map { String(format: "%.3f", $0) } ?? "–" }
      lines.append(
        "| \(entry.criterion) | \(entry.raters.joined(separator: " & ")) | \(entry.n) | "
          + cells.joined(separator: " | ") + " |")
    }
    return lines.joined(separator: "\n")
  }
}
