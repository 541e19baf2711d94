import Foundation

/// Reciprocal-rank fusion (Cormack, Clarke and Büttcher 2009): each ranked list adds
/// 1 / (k + rank) to an item's score (rank from 1), so items ranked well by both the dense
/// (meaning) and the keyword (exact term) search rise to the top without comparing their scores.
public enum RankFusion {
  /// The usual constant (k = 60).
  public static let defaultConstant = 60.0

  /// Items of `lists` (each best first) by fused score, best first; ties go to the item that
  /// first appeared in an earlier list position.
  public static func reciprocalRank<Item: Hashable>(_ lists: [[Item]], constant: Double = defaultConstant)
    -> [(item: Item, score: Double)]
  {
    var scores: [Item: Double] = [:]
    var firstSeen: [Item: Int] = [:]
    var order = 0
    for list in lists {
      for (rank, item) in list.enumerated() {
        scores[item, default: 0] += 1 / (constant + Double(rank + 1))
        if firstSeen[item] == nil {
          firstSeen[item] = order
          order += 1
        }
      }
    }
    return scores.map { (item: $0.key, score: $0.value) }
      .sorted { $0.score > $1.score || ($0.score == $1.score && firstSeen[$0.item]! < firstSeen[$1.item]!) }
  }
}
