/// Trigger phrases for RadEval's NegEx/ConText-style scope engine.
///
/// chexpert-labeler decides negation and uncertainty with Semgrex patterns over a dependency
/// parse (third_party/chexpert-labeler/chexpert_*.txt). Without a parser, RadEval uses the
/// ConText approach: trigger phrases taken from the lemmas of those patterns, each with a
/// direction (the trigger governs words after it, before it, or both) and a window in tokens;
/// scopes also end at a terminator word or a semicolon. Pseudo-triggers ("no change") look like
/// triggers but negate nothing.
struct ContextTrigger: Sendable {
  enum Direction: Sendable { case forward, backward, both }
  let words: [String]
  let direction: Direction
  let window: Int

  init(_ phrase: String, _ direction: Direction, window: Int = 8) {
    self.words = phrase.split(separator: " ").map(String.init)
    self.direction = direction
    self.window = window
  }
}

enum ContextRules {
  /// Matched first: "cannot exclude X", "X is not excluded", "no new X", "cannot rule out X".
  static let preNegationUncertainty: [ContextTrigger] = [
    .init("cannot exclude", .forward), .init("can not exclude", .forward),
    .init("cannot be excluded", .backward), .init("can not be excluded", .backward),
    .init("not excluded", .backward), .init("not be excluded", .backward),
    .init("cannot rule out", .forward), .init("can not rule out", .forward),
    .init("not ruled out", .backward), .init("cannot be ruled out", .backward),
    .init("no evidence to rule out", .forward),
    .init("no new", .forward, window: 4), .init("no new area of", .forward),
  ]

  /// Negation ("no X", "without X", "X is normal", "X has resolved", "free of X", ...).
  static let negation: [ContextTrigger] = [
    // Twelve words forward: IU-style lists ("without evidence of focal airspace disease, pleural
    // effusion, or pneumothorax") put the last negated finding beyond eight.
    .init("no", .forward, window: 12), .init("not", .forward), .init("without", .forward, window: 12),
    .init("negative for", .forward), .init("free of", .forward), .init("absence of", .forward),
    .init("rather than", .forward), .init("rule out", .forward), .init("ruled out", .backward),
    .init("resolution of", .forward), .init("removal of", .forward),
    .init("disappearance of", .forward), .init("drainage of", .forward),
    .init("history of", .forward, window: 4), .init("clear of", .forward), .init("clearing of", .forward),
    .init("exclude", .forward, window: 4), .init("excluded", .backward, window: 4),
    .init("absent", .backward, window: 4), .init("resolved", .backward, window: 6),
    .init("has resolved", .backward), .init("have resolved", .backward),
    .init("removed", .both, window: 4), .init("cleared", .backward, window: 5),
    .init("clear", .backward, window: 3),
    .init("no longer seen", .backward), .init("no longer visualized", .backward),
    .init("not seen", .backward, window: 5), .init("not visualized", .backward, window: 5),
    .init("not enlarged", .backward, window: 5), .init("not demonstrated", .backward, window: 5),
    .init("normal", .both, window: 7), .init("unremarkable", .both, window: 4),
    .init("within normal limits", .backward, window: 10), .init("within limits of normal", .backward, window: 10),
    .init("not significantly enlarged", .backward, window: 6),
    .init("upper limits of normal", .backward, window: 6),
    .init("upper limit of normal", .backward, window: 6),
  ]

  /// Uncertainty after negation ("may represent X", "X versus Y", "possible X", "X is suspected").
  static let postNegationUncertainty: [ContextTrigger] = [
    .init("may", .forward), .init("might", .forward), .init("could", .forward),
    .init("can be", .forward), .init("would be", .forward),
    .init("possible", .forward), .init("possibly", .forward), .init("probable", .forward),
    .init("probably", .forward), .init("presumably", .forward), .init("presumed", .forward),
    .init("likely", .both, window: 6), .init("questionable", .forward), .init("question of", .forward),
    .init("suspect", .forward), .init("suspected", .both, window: 5), .init("suspicious", .forward),
    .init("suspicion", .forward), .init("concern for", .forward), .init("concerning for", .forward),
    .init("worrisome for", .forward), .init("worrisome", .forward, window: 4),
    .init("versus", .both, window: 6), .init("vs", .both, window: 6),
    .init("differential", .forward), .init("consider", .forward), .init("considered", .backward, window: 5),
    .init("consistent with", .forward), .init("compatible with", .forward),
    .init("represent", .forward), .init("represents", .forward), .init("reflect", .forward),
    .init("reflects", .forward), .init("indicate", .forward), .init("indicates", .forward),
    .init("suggest", .forward), .init("suggests", .forward), .init("suggestive of", .forward),
    .init("favor", .forward), .init("favored", .backward, window: 5),
    .init("borderline", .forward, window: 4), .init("correlate clinically", .backward),
    .init("clinical correlation", .backward), .init("evaluate for", .forward),
    .init("evaluation for", .forward), .init("assess for", .forward), .init("maybe", .forward),
    .init("poorly evaluated", .both, window: 5), .init("incompletely evaluated", .both, window: 5),
    .init("not clearly", .forward, window: 4), .init("difficult to exclude", .forward),
  ]

  /// Look like triggers, negate nothing (NegEx pseudo-triggers).
  static let pseudo: [ContextTrigger] = [
    .init("no change", .forward), .init("no interval change", .forward),
    .init("no significant change", .forward), .init("no significant interval change", .forward),
    .init("no definite change", .forward), .init("no increase", .forward), .init("no decrease", .forward),
    .init("not only", .forward), .init("without change", .forward),
    .init("without interval change", .forward), .init("not changed", .forward),
    .init("no longer", .forward), .init("not clear", .forward),
  ]

  /// Words that end a scope.
  static let terminators: Set<String> = [
    "but", "however", "although", "though", "aside", "except", "apart", "which", "otherwise",
    "nevertheless", "yet", "still", "whereas", "while",
  ]

  /// chexpert-labeler's rule: a stable/unchanged heart or cardiomediastinal silhouette is
  /// uncertain (it says nothing about enlargement).
  static let silhouetteWords: Set<String> = [
    "cardiomediastinal", "pericardial", "mediastinal", "mediastinum", "cardiomediastinum",
    "contour", "configuration", "silhouette", "size", "heart", "shadow",
  ]
  static let stabilityTriggers: [ContextTrigger] = [
    .init("stable", .both, window: 5), .init("unchanged", .both, window: 5),
    .init("not changed", .backward, window: 5), .init("similar to prior", .backward, window: 6),
    .init("no change", .forward, window: 6), .init("without change", .backward, window: 6),
  ]
}
