import Foundation

/// The two answers every generation variant must beat: always the training split's most frequent
/// impression, and the impression of the training report whose findings are most similar.
public enum ImpressionBaselines {
  /// The most frequent impression text (exact match after trimming); ties go to the one seen first.
  public static func mostFrequentImpression(_ training: [ReportExample]) -> String {
    var counts: [String: Int] = [:]
    var order: [String] = []
    for example in training {
      let text = example.impression.trimmingCharacters(in: .whitespacesAndNewlines)
      if counts[text] == nil { order.append(text) }
      counts[text, default: 0] += 1
    }
    var best = ""
    var bestCount = 0
    for text in order where counts[text, default: 0] > bestCount {
      best = text
      bestCount = counts[text, default: 0]
    }
    return best
  }

  public static func constant(_ requests: [ImpressionRequest], training: [ReportExample]) -> [ImpressionResult] {
    let answer = mostFrequentImpression(training)
    return requests.map { ImpressionResult(id: $0.id, impression: answer, rawText: answer) }
  }

  /// The impression of each request's most similar training report.
  public static func nearestNeighbour(_ requests: [ImpressionRequest], index: any SimilarReports) throws
    -> [ImpressionResult]
  {
    let neighbours = try index.nearest(toFindings: requests.map(\.findings), k: 1)
    return zip(requests, neighbours).map { request, found in
      let answer = found.first?.impression ?? ""
      return ImpressionResult(id: request.id, impression: answer, rawText: answer)
    }
  }
}
