import Foundation

/// Okapi BM25 keyword scoring with the same formula and constants as `rank_bm25`'s `BM25Okapi`
/// (k1 = 1.5, b = 0.75, ε = 0.25): idf = ln(N − n + 0.5) − ln(n + 0.5), and a term whose idf
/// would be negative (in more than half the documents) gets ε times the mean idf instead. Each
/// query token counts once per occurrence, as in `rank_bm25`. Exact medical terms (drug names,
/// abbreviations, laterality) that embeddings blur are matched literally.
public struct BM25Index: Sendable {
  public let k1: Double
  public let b: Double
  public let epsilon: Double
  public let documentCount: Int
  public let averageLength: Double
  let lengths: [Int]
  /// term → (document, term frequency) postings.
  let postings: [String: [(document: Int32, frequency: Int32)]]
  let idf: [String: Double]

  /// Indexes tokenised documents (use `BM25Index.tokenize` for text).
  public init(documents: [[String]], k1: Double = 1.5, b: Double = 0.75, epsilon: Double = 0.25) {
    self.k1 = k1
    self.b = b
    self.epsilon = epsilon
    documentCount = documents.count
    lengths = documents.map(\.count)
    averageLength = documents.isEmpty ? 0 : Double(lengths.reduce(0, +)) / Double(documents.count)
    var postings: [String: [(document: Int32, frequency: Int32)]] = [:]
    for (d, tokens) in documents.enumerated() {
      var counts: [String: Int32] = [:]
      for token in tokens { counts[token, default: 0] += 1 }
      for (term, frequency) in counts { postings[term, default: []].append((Int32(d), frequency)) }
    }
    self.postings = postings
    var idf: [String: Double] = [:]
    var sum = 0.0
    var negative: [String] = []
    let n = Double(documents.count)
    // Summed in term order: a Dictionary's own order differs between instances, and the mean idf
    // (the floor of negative idfs) would then differ in its last bits from one index to the next.
    for (term, list) in postings.sorted(by: { $0.key < $1.key }) {
      let value = log(n - Double(list.count) + 0.5) - log(Double(list.count) + 0.5)
      idf[term] = value
      sum += value
      if value < 0 { negative.append(term) }
    }
    let floor = postings.isEmpty ? 0 : epsilon * sum / Double(postings.count)
    for term in negative { idf[term] = floor }
    self.idf = idf
  }

  /// Lower-cased runs of letters, digits and underscores (Python's `re.findall(r"\w+", text.lower())`).
  public static func tokenize(_ text: String) -> [String] {
    var tokens: [String] = []
    var current = String.UnicodeScalarView()
    for scalar in text.lowercased().unicodeScalars {
      if isWordScalar(scalar) {
        current.append(scalar)
      } else if !current.isEmpty {
        tokens.append(String(current))
        current = String.UnicodeScalarView()
      }
    }
    if !current.isEmpty { tokens.append(String(current)) }
    return tokens
  }

  static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
    if s == "_" { return true }
    switch s.properties.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
      .decimalNumber, .letterNumber, .otherNumber:
      return true
    default: return false
    }
  }

  /// The BM25 score of every document for the query tokens (rank_bm25's `get_scores`).
  public func scores(_ query: [String]) -> [Double] {
    var scores = [Double](repeating: 0, count: documentCount)
    guard averageLength > 0 else { return scores }
    for term in query {
      guard let list = postings[term], let weight = idf[term] else { continue }
      for (document, frequency) in list {
        let tf = Double(frequency)
        let norm = k1 * (1 - b + b * Double(lengths[Int(document)]) / averageLength)
        scores[Int(document)] += weight * (tf * (k1 + 1) / (tf + norm))
      }
    }
    return scores
  }

  /// The k best documents (ties to the lower index) among `allowed`; documents sharing no term
  /// with the query score 0 and are left out.
  public func search(_ query: [String], k: Int, allowed: [Bool]? = nil) -> [(document: Int, score: Double)] {
    let all = scores(query)
    var hits: [(document: Int, score: Double)] = []
    var matched = Set<Int32>()
    for term in query { for (document, _) in postings[term] ?? [] { matched.insert(document) } }
    for d in matched where allowed?[Int(d)] ?? true { hits.append((Int(d), all[Int(d)])) }
    hits.sort { $0.score > $1.score || ($0.score == $1.score && $0.document < $1.document) }
    return Array(hits.prefix(k))
  }
}
