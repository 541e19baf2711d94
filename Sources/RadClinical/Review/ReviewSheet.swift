import Foundation
import RadViz

/// What a radiologist rates for each generated impression: correctness and completeness on 1–5
/// (5 best) and potential harm on 0–2 (none, minor, major). The blank columns of a review sheet
/// are named "VARIANT criterion".
public struct ReviewCriterion: Sendable, Equatable {
  public let name: String
  public let scale: ClosedRange<Int>
  public let help: String

  public static let all: [ReviewCriterion] = [
    ReviewCriterion(name: "correctness", scale: 1...5, help: "1 wrong … 5 fully correct"),
    ReviewCriterion(name: "completeness", scale: 1...5, help: "1 misses most … 5 misses nothing"),
    ReviewCriterion(name: "harm", scale: 0...2, help: "0 none, 1 minor, 2 could harm the patient"),
  ]
}

/// One study on a review sheet: its findings and reference impression, each variant's output,
/// and the consistency checker's flags on each output (empty when no checker ran).
public struct ReviewItem: Sendable, Equatable {
  public var id: String
  public var findings: String
  public var reference: String
  public var outputs: [String: String]
  public var flags: [String: [String]]

  public init(
    id: String, findings: String, reference: String, outputs: [String: String], flags: [String: [String]] = [:]
  ) {
    self.id = id
    self.findings = findings
    self.reference = reference
    self.outputs = outputs
    self.flags = flags
  }
}

/// A side-by-side sheet for expert review: one row per study with its findings, the reference
/// impression and every variant's impression next to blank rating columns, written as CSV (to
/// fill in a spreadsheet) and as a self-contained HTML page (to read; no scripts, no fetches).
public struct ReviewSheet: Sendable {
  public var variants: [String]
  public var items: [ReviewItem]

  public init(variants: [String], items: [ReviewItem]) {
    self.variants = variants
    self.items = items
  }

  /// The header: id, findings, reference, then per variant its output, its flags and one blank
  /// column per criterion.
  public var header: [String] {
    var header = ["id", "findings", "reference"]
    for variant in variants {
      header += [variant, "\(variant) flags"] + ReviewCriterion.all.map { "\(variant) \($0.name)" }
    }
    return header
  }

  public func csv() -> String {
    var rows = [header]
    for item in items {
      var row = [item.id, item.findings, item.reference]
      for variant in variants {
        row += [item.outputs[variant] ?? "", (item.flags[variant] ?? []).joined(separator: "; ")]
        row += ReviewCriterion.all.map { _ in "" }
      }
      rows.append(row)
    }
    return CSVTable.write(rows)
  }

  public func html(title: String = "RadLM expert review") -> String {
    var out = """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8"><title>\(Markup.escape(title))</title>
      <style>
      body{font-family:sans-serif;margin:1.5em;color:#222}
      table{border-collapse:collapse;font-size:14px}
      th,td{border:1px solid #bbb;padding:4px 6px;vertical-align:top;text-align:left}
      th{background:#eef}
      td.flagged{background:#fdd}
      .flags{color:#a00;font-size:12px}
      .rating{width:3.5em}
      </style></head><body>
      <h1>\(Markup.escape(title))</h1>
      <p>\(items.count) studies, \(variants.count) variants. Rate in the CSV sheet: \
      \(ReviewCriterion.all.map { "\($0.name) (\($0.help))" }.joined(separator: "; ")).
      Outputs the consistency checker flagged are shaded.</p>
      <table id="review"><thead><tr><th>id</th><th>findings</th><th>reference</th>
      """
    for variant in variants {
      out += "<th>\(Markup.escape(variant))</th>"
      for criterion in ReviewCriterion.all { out += "<th class=\"rating\">\(Markup.escape(criterion.name))</th>" }
    }
    out += "</tr></thead>\n<tbody>\n"
    for item in items {
      out += "<tr><td>\(Markup.escape(item.id))</td><td>\(Markup.escape(item.findings))</td>"
      out += "<td>\(Markup.escape(item.reference))</td>"
      for variant in variants {
        let flags = item.flags[variant] ?? []
        out += flags.isEmpty ? "<td>" : "<td class=\"flagged\">"
        out += Markup.escape(item.outputs[variant] ?? "")
        if !flags.isEmpty { out += "<div class=\"flags\">\(Markup.escape(flags.joined(separator: "; ")))</div>" }
        out += "</td>"
        for _ in ReviewCriterion.all { out += "<td class=\"rating\"></td>" }
      }
      out += "</tr>\n"
    }
    out += "</tbody></table>\n</body></html>\n"
    return out
  }
}
