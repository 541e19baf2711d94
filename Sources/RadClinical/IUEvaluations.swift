import RadEval
import RadReports

extension CheckEvaluation {
  /// The evaluation over the Indiana University reports of `split` that have both findings and
  /// impression (read in place from the fetched collection; nothing is written).
  public static func run(
    collection: IUReportCollection, split: IUSplit = .train, limit: Int? = nil, checker: ReportChecker,
    kinds: [ReportIssueKind], seed: UInt64 = 2026
  ) throws -> CheckEvaluation {
    var pairs = collection.findingsImpressionPairs(split: split)
    if let limit { pairs = Array(pairs.prefix(limit)) }
    let reports = pairs.map { CheckableReport(id: String($0.number), findings: $0.findings, impression: $0.impression) }
    return try run(reports, checker: checker, kinds: kinds, seed: seed)
  }
}

extension MeSHAgreement {
  /// The labeler's agreement with the MeSH major terms on the reports of `split` that have MeSH
  /// terms (No Indexing excluded), reading findings and impression together.
  public static func iuLabeler(collection: IUReportCollection, split: IUSplit = .test) -> MeSHAgreement {
    let reports = collection.reports(in: split).filter { report in
      !report.meshMajor.isEmpty && !report.meshMajor.contains { $0.lowercased().hasPrefix("no indexing") }
        && (report.findings != nil || report.impression != nil)
    }
    let labeler = CheXpertLabeler()
    let predicted = reports.map { report in
      labelerPositives(labeler.label([report.findings, report.impression].compactMap { $0 }.joined(separator: " ")))
    }
    return MeSHAgreement(predicted: predicted, reference: reports.map { MeSHCheXpertMap.observations($0.meshMajor) })
  }
}
