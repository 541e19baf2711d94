/// The loop every objective's validation shares: walk the held-out examples in batches, add up
/// each batch's mean loss weighted by what it covered (tokens, examples or pairs) and count hits
/// (correct labels, preferred answers ranked first), then report the weighted mean and accuracy.
struct ValidationTally {
  var weightedLoss: Double = 0
  var weight = 0
  var hits = 0

  /// Tallies `examples` in batches of `batchSize`; `evaluate` returns a batch's mean loss, its
  /// weight and its hits.
  static func over<Example>(
    _ examples: [Example], batchSize: Int, _ evaluate: ([Example]) throws -> (loss: Float, weight: Int, hits: Int)
  ) rethrows -> ValidationTally {
    var tally = ValidationTally()
    var start = 0
    while start < examples.count {
      let batch = Array(examples[start..<Swift.min(start + Swift.max(batchSize, 1), examples.count)])
      let (loss, weight, hits) = try evaluate(batch)
      tally.weightedLoss += Double(loss) * Double(weight)
      tally.weight += weight
      tally.hits += hits
      start += batch.count
    }
    return tally
  }

  /// Weighted mean loss (nil when nothing was covered).
  var meanLoss: Float? { weight == 0 ? nil : Float(weightedLoss / Double(weight)) }
  /// Hits per unit of weight (the weight counts examples when accuracy is asked for).
  var accuracy: Double { Double(hits) / Double(Swift.max(weight, 1)) }
}
