/// A report section as Unicode code points with its words and sentences, so every rule reports
/// offsets the way Python indexes a `str` (code points, not bytes or grapheme clusters).
struct ClinicalText {
  /// One word: letters/digits (with inner `.`, `'` or `-`), its code-point range and lowercase form.
  struct Word {
    let start: Int
    let end: Int
    let lower: String
  }

  let scalars: [Unicode.Scalar]
  let words: [Word]
  /// Clause index of each word: clauses end at sentence ends, `;`, `:` and contrast words
  /// ("but", "however", "although", "except", "which"), the usual ends of a negation's scope.
  let clauseOfWord: [Int]
  /// Sentence index of each word.
  let sentenceOfWord: [Int]

  init(_ text: String) {
    scalars = Array(text.unicodeScalars)
    var words: [Word] = []
    var clauses: [Int] = []
    var sentences: [Int] = []
    var clause = 0
    var sentence = 0
    var i = 0
    func isWordScalar(_ s: Unicode.Scalar) -> Bool { s.properties.isAlphabetic || ("0"..."9").contains(s) }
    while i < scalars.count {
      let s = scalars[i]
      if isWordScalar(s) {
        var j = i + 1
        while j < scalars.count {
          if isWordScalar(scalars[j]) {
            j += 1
          } else if [".", "'", "-"].contains(scalars[j]), j + 1 < scalars.count, isWordScalar(scalars[j + 1]) {
            j += 2
          } else {
            break
          }
        }
        let lower = String(String.UnicodeScalarView(scalars[i..<j])).lowercased()
        if ["but", "however", "although", "except", "which", "though"].contains(lower) { clause += 1 }
        words.append(Word(start: i, end: j, lower: lower))
        clauses.append(clause)
        sentences.append(sentence)
        i = j
        continue
      }
      if s == "." || s == "?" || s == "!" || s == "\n" {
        sentence += 1
        clause += 1
      } else if s == ";" || s == ":" {
        clause += 1
      }
      i += 1
    }
    self.words = words
    clauseOfWord = clauses
    sentenceOfWord = sentences
  }

  /// The text of a code-point range.
  func text(_ start: Int, _ end: Int) -> String { String(String.UnicodeScalarView(scalars[start..<end])) }
}
