/// One mention of a finding concept in a section: where it is, its side if one is stated in the
/// same clause, and whether it is affirmed, negated or hedged (NegEx-style triggers scoped to
/// the clause).
struct FindingMention {
  enum Polarity { case affirmed, negated, uncertain }
  let concept: String
  let start: Int
  let end: Int
  /// Code-point range of the side word, when there is one.
  let sideRange: Range<Int>?
  let side: Side?
  let polarity: Polarity
  let critical: Bool
}

enum FindingMentions {
  /// All concept mentions in `text`, longest phrase first at each position.
  static func find(in text: ClinicalText) -> [FindingMention] {
    let words = text.words
    var mentions: [FindingMention] = []
    var i = 0
    while i < words.count {
      var best: (FindingLexicon.Concept, Int)?
      for concept in FindingLexicon.concepts {
        for phrase in concept.phrases where phrase.count > (best?.1 ?? 0) && i + phrase.count <= words.count {
          if (0..<phrase.count).allSatisfy({ words[i + $0].lower == phrase[$0] }) { best = (concept, phrase.count) }
        }
      }
      guard let (concept, length) = best else {
        i += 1
        continue
      }
      let last = i + length - 1
      let clause = text.clauseOfWord[i]
      let (sideIndex, side) = concept.hasSide ? nearestSide(text, around: i, last: last, clause: clause) : (nil, nil)
      mentions.append(
        FindingMention(
          concept: concept.name, start: words[i].start, end: words[last].end,
          sideRange: sideIndex.map { words[$0].start..<words[$0].end }, side: side,
          polarity: polarity(text, first: i, last: last, clause: clause), critical: concept.critical))
      i += length
    }
    return mentions
  }

  /// The side word closest to the mention within its clause (at most six words away).
  static func nearestSide(_ text: ClinicalText, around first: Int, last: Int, clause: Int) -> (Int?, Side?) {
    var best: (Int, Int, Side)?
    let words = text.words
    for j in max(0, first - 6)..<min(words.count, last + 7) where text.clauseOfWord[j] == clause {
      guard let side = FindingLexicon.sides[words[j].lower] else { continue }
      // "L"/"R" count only as capitals standing alone.
      if words[j].lower.count == 1 && text.scalars[words[j].start].properties.isLowercase { continue }
      let distance = j < first ? first - j : j - last
      if best == nil || distance < best!.0 { best = (distance, j, side) }
    }
    return (best?.1, best?.2)
  }

  static func matches(_ text: ClinicalText, _ phrase: [String], at j: Int) -> Bool {
    j >= 0 && j + phrase.count <= text.words.count && (0..<phrase.count).allSatisfy { text.words[j + $0].lower == phrase[$0] }
  }

  static func polarity(_ text: ClinicalText, first: Int, last: Int, clause: Int) -> FindingMention.Polarity {
    let words = text.words
    var negated = false
    // Pre-negation: a trigger earlier in the clause, not followed by a pseudo-negation word.
    var j = first - 1
    while j >= 0 && text.clauseOfWord[j] == clause && first - j <= 20 {
      for trigger in FindingLexicon.preNegation where matches(text, trigger, at: j) {
        let next = j + trigger.count
        if next < words.count && FindingLexicon.pseudoNegation.contains(words[next].lower) { continue }
        negated = true
      }
      j -= 1
    }
    // Post-negation: a trigger right after the mention ("effusion has resolved").
    var k = last + 1
    while !negated && k < words.count && text.clauseOfWord[k] == clause && k - last <= 5 {
      if FindingLexicon.postNegation.contains(where: { matches(text, $0, at: k) }) { negated = true }
      k += 1
    }
    if negated { return .negated }
    let sentence = text.sentenceOfWord[first]
    for w in words.indices where text.sentenceOfWord[w] == sentence && FindingLexicon.hedges.contains(words[w].lower) {
      return .uncertain
    }
    return .affirmed
  }
}
