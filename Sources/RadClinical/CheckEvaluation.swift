import Foundation
import RadTensor

/// Measures the checker on reports with injected errors: every original is checked untouched
/// (with a random sex) to count false alarms per kind, and one damaged copy per kind (where the
/// kind applies) to count how often that kind is found (recall).
public struct CheckEvaluation: Sendable {
  /// Figures for one issue kind.
  public struct KindResult: Sendable, Equatable {
    public var kind: ReportIssueKind
    public var injected = 0
    public var detected = 0
    public var originals = 0
    public var falseAlarms = 0
    public var recall: Double { injected > 0 ? Double(detected) / Double(injected) : 0 }
    public var falseAlarmRate: Double { originals > 0 ? Double(falseAlarms) / Double(originals) : 0 }
  }

  public var reports = 0
  public var kinds: [KindResult]

  /// Evaluates `checker` on `reports` (each with findings and impression), injecting `kinds`.
  public static func run(
    _ reports: [CheckableReport], checker: ReportChecker, kinds: [ReportIssueKind], seed: UInt64 = 2026
  ) throws -> CheckEvaluation {
    var random = SeededRandom(seed: seed)
    var results = kinds.map { KindResult(kind: $0) }
    for original in reports {
      var plain = original
      if plain.sex == nil { plain.sex = random.next() % 2 == 0 ? .female : .male }
      let found = Set(try checker.check(plain).map(\.kind))
      for i in results.indices {
        results[i].originals += 1
        if found.contains(results[i].kind) { results[i].falseAlarms += 1 }
        guard let damaged = ErrorInjector.inject(results[i].kind, into: plain, random: &random) else { continue }
        results[i].injected += 1
        if try checker.check(damaged).contains(where: { $0.kind == results[i].kind }) { results[i].detected += 1 }
      }
    }
    return CheckEvaluation(reports: reports.count, kinds: results)
  }

  /// One JSON object: {"reports", "kinds":[{"kind","injected","detected","recall","originals","false_alarms","false_alarm_rate"}]}.
  public var json: String {
    let rows = kinds.map {
      "{\"kind\":\"\($0.kind.rawValue)\",\"injected\":\($0.injected),\"detected\":\($0.detected),"
        + "\"recall\":\(Self.rounded($0.recall)),\"originals\":\($0.originals),\"false_alarms\":\($0.falseAlarms),"
        + "\"false_alarm_rate\":\(Self.rounded($0.falseAlarmRate))}"
    }
    return "{\"reports\":\(reports),\"kinds\":[\(rows.joined(separator: ","))]}"
  }

  /// A Markdown table for the docs and the terminal.
  public var table: String {
    var lines = [
      "| kind | injected | recall | originals | false alarms |", "|---|---:|---:|---:|---:|",
    ]
    for k in kinds {
      lines.append(
        "| \(k.kind.rawValue) | \(k.injected) | \(Self.rounded(k.recall)) | \(k.originals) | \(Self.rounded(k.falseAlarmRate)) |")
    }
    return lines.joined(separator: "\n")
  }

  static func rounded(_ x: Double) -> String { String(format: "%.4f", x) }
}
