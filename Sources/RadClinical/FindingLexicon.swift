/// The vocabulary the consistency rules read: finding concepts with their phrases, which of them
/// are critical or have a side, which concepts support one another, and the negation, hedging
/// and side words. Phrases are lowercase word sequences matched on whole words.
enum FindingLexicon {
  struct Concept {
    let name: String
    let phrases: [[String]]
    let hasSide: Bool
    let critical: Bool
  }

  static func concept(_ name: String, _ phrases: [String], side: Bool = true, critical: Bool = false) -> Concept {
    Concept(name: name, phrases: phrases.map { $0.split(separator: " ").map(String.init) }, hasSide: side, critical: critical)
  }

  static let concepts: [Concept] = [
    concept("effusion", ["pleural effusion", "pleural effusions", "effusion", "effusions", "pleural fluid"]),
    concept("pneumothorax", ["pneumothorax", "pneumothoraces", "pneumothoraxes"], critical: true),
    concept("consolidation", ["consolidation", "consolidations", "consolidative", "airspace disease", "air space disease"]),
    concept("opacity", ["opacity", "opacities", "opacification", "density", "densities"]),
    concept("atelectasis", ["atelectasis", "atelectatic", "atelectases"]),
    concept("pneumonia", ["pneumonia", "pneumonias", "infiltrate", "infiltrates", "bronchopneumonia"]),
    concept("edema", ["edema", "pulmonary edema", "vascular congestion", "interstitial edema"], side: false),
    concept("cardiomegaly", ["cardiomegaly", "cardiac enlargement", "enlarged heart", "enlarged cardiac silhouette"], side: false),
    concept("nodule", ["nodule", "nodules", "nodular opacity", "nodular density"]),
    concept("mass", ["mass", "masses", "tumor", "neoplasm"], critical: true),
    concept("fracture", ["fracture", "fractures", "fractured"]),
    concept("granuloma", ["granuloma", "granulomas", "granulomata", "calcified granuloma"]),
    concept("scarring", ["scarring", "scar", "scars", "fibrosis", "fibrotic"]),
    concept("emphysema", ["emphysema", "emphysematous", "hyperinflation", "hyperinflated", "copd"], side: false),
    concept("hernia", ["hiatal hernia", "hernia"], side: false),
    concept("pneumoperitoneum", ["pneumoperitoneum", "free air", "free intraperitoneal air", "subdiaphragmatic air"], side: false, critical: true),
    concept("pneumomediastinum", ["pneumomediastinum"], side: false, critical: true),
    concept("dissection", ["dissection", "aortic dissection"], side: false, critical: true),
    concept("embolism", ["pulmonary embolism", "pulmonary emboli", "embolism", "embolus", "emboli"], critical: true),
    concept("lymphadenopathy", ["lymphadenopathy", "adenopathy"], side: false),
    // Matched so that their words are not read as another concept ("pericardial effusion" is not a pleural one).
    concept("pericardial effusion", ["pericardial effusion", "pericardial effusions"], side: false),
    concept("embolization coil", ["embolization coil", "embolization coils", "embolism coil", "embolism coils"], side: false),
  ]

  /// Word pairs that support a concept when both occur in one findings sentence
  /// ("the heart is enlarged" supports an impression of cardiomegaly).
  static let supportingWords: [String: (Set<String>, Set<String>)] = [
    "cardiomegaly": (
      ["heart", "cardiac", "cardiomediastinal", "cardiopericardial"],
      ["enlarged", "enlargement", "prominent", "upper", "borderline", "increased", "large"]
    ),
    "emphysema": (
      ["lungs", "lung", "diaphragms", "hemidiaphragms", "diaphragm"],
      ["hyperexpanded", "hyperexpansion", "flattened", "flattening", "hyperlucent", "overinflated", "hyperaerated"]
    ),
    "effusion": (["costophrenic", "sulcus", "angle", "angles", "sulci"], ["blunting", "blunted", "blunt"]),
  ]

  /// Concepts a finding in the impression may summarise (an impression of "pneumonia" is
  /// supported by findings of consolidation or opacity).
  static let support: [String: Set<String>] = [
    "pneumonia": ["consolidation", "opacity", "atelectasis"],
    "consolidation": ["pneumonia", "opacity", "atelectasis"],
    "opacity": ["consolidation", "pneumonia", "atelectasis", "nodule", "mass", "scarring", "granuloma", "edema"],
    "atelectasis": ["opacity", "consolidation", "scarring"],
    "scarring": ["opacity", "atelectasis", "granuloma"],
    "granuloma": ["nodule", "opacity"],
    "nodule": ["granuloma", "opacity", "mass"],
    "mass": ["nodule", "opacity"],
    "edema": ["opacity", "cardiomegaly", "effusion"],
    "emphysema": ["hernia"],
  ]

  /// Words before a mention that negate it (NegEx's pre-negation triggers, as word sequences).
  static let preNegation: [[String]] = [
    "no", "without", "negative for", "free of", "absence of", "no evidence of", "not", "clear of", "resolution of",
    "rather than", "resolved", "nor", "neither", "removed",
  ].map { $0.split(separator: " ").map(String.init) }

  /// Words after a mention that negate it.
  static let postNegation: [[String]] = [
    "is not seen", "are not seen", "not seen", "not identified", "not present", "is absent", "are absent", "absent",
    "has resolved", "have resolved", "resolved", "is not identified", "are not identified", "not visualized",
    "is not visualized", "not demonstrated", "has cleared", "have cleared", "no longer",
  ].map { $0.split(separator: " ").map(String.init) }

  /// Words that make a mention uncertain.
  static let hedges: Set<String> = [
    "possible", "possibly", "probable", "probably", "may", "might", "could", "questionable", "suspicious", "suggest",
    "suggests", "suggestive", "likely", "concern", "cannot", "versus", "vs", "question", "suspected", "consider",
    "differential", "borderline", "equivocal", "exclude", "excluded", "excluding", "underlying", "evaluation",
    "evaluate", "assess", "if",
  ]

  /// Pseudo-negations: look like negation but are not ("no change in the effusion").
  static let pseudoNegation: Set<String> = ["change", "changes", "changed", "interval", "increase", "increased", "significant"]

  static let sides: [String: Side] = [
    "left": .left, "right": .right, "bilateral": .bilateral, "bilaterally": .bilateral, "both": .bilateral,
    "l": .left, "r": .right,
  ]

  /// Anatomy only one sex has (the patient's sex contradicts a mention of the other).
  static let maleAnatomy: Set<String> = [
    "prostate", "prostatic", "prostatectomy", "testis", "testes", "testicle", "testicles", "testicular", "scrotum",
    "scrotal", "penis", "penile", "seminal", "orchiectomy",
  ]
  static let femaleAnatomy: Set<String> = [
    "uterus", "uterine", "ovary", "ovaries", "ovarian", "endometrium", "endometrial", "fallopian", "vagina", "vaginal",
    "hysterectomy", "oophorectomy", "salpingectomy", "cervix", "gravid",
  ]
}

/// Side of a finding.
enum Side: String {
  case left, right, bilateral
  func compatible(with other: Side) -> Bool { self == other || self == .bilateral || other == .bilateral }
}
