import Foundation

/// A number a PET/CT report states, with where it stands: the kind (`suv_max`, `deauville`, …),
/// the value, its unit, the matched text, the sentence around it and, for SUVs and Deauville
/// scores, the lesion or site the sentence names. Offsets are code points into the report.
public struct PETValue: Sendable, Equatable, Codable {
  public enum Kind: String, Sendable, Codable, CaseIterable {
    case suvMax = "suv_max"
    case suvMean = "suv_mean"
    case suvPeak = "suv_peak"
    /// An SUV the text does not qualify as max, mean or peak.
    case suv
    case deauville
    case tracer
    case uptakeTime = "uptake_time"
    case injectedActivity = "injected_activity"
    case bloodGlucose = "blood_glucose"
  }

  public let kind: Kind
  /// The number (minutes for uptake time, MBq for injected activity, mg/dL for glucose); nil for
  /// a tracer.
  public let value: Double?
  /// The unit of `value` as normalised (`min`, `MBq`, `mg/dL`), or the tracer's normal name.
  public let unit: String?
  /// The value as written, with its unit when one was written (`12.1 mCi`).
  public let text: String
  public let start: Int
  public let end: Int
  /// The lesion or site the sentence names before the value (`right hilar lymph node`), if any.
  public let site: String?
  /// The sentence the value stands in.
  public let context: String
}

/// Finds PET values in report text: SUVmax/SUVmean/SUVpeak with their lesion or site, Deauville
/// scores (1–5, Arabic or Roman), the tracer, the uptake time, the injected activity (MBq; mCi
/// converted at 37 MBq per mCi) and blood glucose.
public struct PETValueExtractor: Sendable {
  private let suv: TextPattern
  private let deauville: TextPattern
  private let tracers: [(name: String, pattern: TextPattern)]
  private let uptakeAfter: TextPattern
  private let uptakeBefore: TextPattern
  private let activity: TextPattern
  private let glucose: TextPattern
  private let site: TextPattern

  public init() {
    let number = "(\\d+(?:\\.\\d+)?|\\.\\d+)"
    let measure =
      "(SUV[ \\t]*\\(?[ \\t]*(?:max|mean|peak)[ \\t]*\\)?|(?:max(?:imum)?|mean|peak)(?:imal)?[ \\t]+SUV|SUV)"
    suv = TextPattern(
      "\\b\(measure)(?:[ \\t]+(?:value|measured|measuring))?[ \\t]*(?:of|=|:|is|was|to|up[ \\t]+to|approximately|"
        + "approx\\.?|about|~|≈)?[ \\t]*(?:of[ \\t]+)?\(number)(?![\\d.]*[ \\t]*(?:cm|mm|mci|mbq|min)\\b)")
    deauville = TextPattern(
      "\\b(?:(?i:deauville(?:[ \\t]+(?:score|scale|criteria))?|5-point[ \\t]+scale(?:[ \\t]+score)?)|DS)"
        + "[ \\t]*(?i:of|=|:|is|was)?[ \\t]*(?i:score[ \\t]+)?([1-5]|IV|V|I{1,3})(?:[ \\t]*/[ \\t]*5)?(?!\\w|\\.\\d)",
      caseInsensitive: false)
    tracers = [
      ("FDG", "(?:\\[?(?:18F|F[- ]?18)\\]?[- ]?)?(?:FDG|fluorodeoxyglucose|fludeoxyglucose)\\b"),
      ("PSMA-11", "(?:68Ga|Ga[- ]?68)[- ]?(?:PSMA(?:-11)?|gozetotide)\\b"),
      ("DCFPyL", "(?:(?:18F|F[- ]?18)[- ]?)?(?:DCFPyL|piflufolastat)\\b"),
      ("PSMA-1007", "(?:(?:18F|F[- ]?18)[- ]?)?PSMA-1007\\b"),
      ("DOTATATE", "(?:(?:68Ga|Ga[- ]?68|64Cu|Cu[- ]?64)[- ]?)?DOTA-?(?:TATE|TOC|NOC)\\b"),
      ("fluciclovine", "(?:(?:18F|F[- ]?18)[- ]?)?(?:fluciclovine|FACBC|Axumin)\\b"),
      ("NaF", "(?:(?:18F|F[- ]?18)[- ]?)?(?:NaF|sodium fluoride)\\b"),
      ("choline", "(?:(?:11C|C[- ]?11|18F|F[- ]?18)[- ]?)?(?:fluoro)?choline\\b"),
      ("FES", "(?:(?:18F|F[- ]?18)[- ]?)?(?:FES|fluoroestradiol)\\b"),
      ("FLT", "(?:(?:18F|F[- ]?18)[- ]?)?(?:FLT|fluorothymidine)\\b"),
      ("Rb-82", "(?:82Rb|Rb[- ]?82|rubidium[- ]?82)\\b"),
      ("amyloid", "(?:florbetapir|florbetaben|flutemetamol|Amyvid|Neuraceq|Vizamyl)\\b"),
    ].map { ($0.0, TextPattern("\\b" + $0.1)) }
    uptakeAfter = TextPattern(
      "\\b(?:uptake[ \\t]+(?:time|period|interval)|delay|(?:approximately|about)?)[ \\t]*(?:of|was|:|=)?[ \\t]*"
        + "(?:approximately|about|~)?[ \\t]*\(number)[ \\t]*(minutes?|mins?|hours?|hrs?|h)\\b[ \\t]*"
        + "(?:after|following|post|post-)[ \\t-]*(?:the[ \\t]+)?(?:tracer[ \\t]+|radiotracer[ \\t]+|IV[ \\t]+)?"
        + "(?:injection|administration|infusion)")
    uptakeBefore = TextPattern(
      "\\buptake[ \\t]+(?:time|period|interval)[ \\t]*(?:of|was|:|=)?[ \\t]*(?:approximately|about|~)?[ \\t]*"
        + "\(number)[ \\t]*(minutes?|mins?|hours?|hrs?|h)\\b")
    activity = TextPattern("\\b\(number)[ \\t]*(mCi|millicuries?|MBq|megabecquerels?|GBq)\\b")
    glucose = TextPattern(
      "\\b(?:blood[ \\t]+)?glucose(?:[ \\t]+level)?[ \\t]*(?:of|was|:|=|measured)?[ \\t]*(?:at[ \\t]+)?\(number)"
        + "[ \\t]*(mg/dL|mmol/L)?")
    site = TextPattern(
      "((?:(?:right|left|bilateral|anterior|posterior|medial|lateral|upper|lower|middle|superior|inferior|"
        + "paratracheal|subcarinal|hilar|mediastinal|axillary|cervical|supraclavicular|retroperitoneal|"
        + "para-?aortic|iliac|inguinal|mesenteric|portal|hepatic|pulmonary|pleural|osseous|sclerotic|lytic|"
        + "lobe|segment|[IVX]+|level|[a-z]+al|[a-z]+ic|[a-z]+ar)[ \\t]+){0,5}"
        + "(?:lymph[ \\t]+nodes?|nodes?|nodule|mass|lesion|lesions|focus|foci|tumou?r|uptake|activity|"
        + "consolidation|opacity|lobe|liver|spleen|lung|bone|marrow|vertebral[ \\t]+body|vertebra|rib|"
        + "sacrum|ilium|femur|humerus|adrenal|pancreas|kidney|thyroid|tonsil|breast|prostate|"
        + "rectum|colon|stomach|esophagus|oesophagus|cervix|uterus|ovary|bladder|blood[ \\t]+pool|"
        + "mediastinum|[LTCS]\\d{1,2}))\\b")
  }

  /// Whether every pattern compiled (checked by the tests).
  var patternsAreValid: Bool {
    ([suv, deauville, uptakeAfter, uptakeBefore, activity, glucose, site] + tracers.map(\.pattern))
      .allSatisfy(\.isValid)
  }

  /// Every PET value of `report`, in text order.
  public func extract(from report: String) -> [PETValue] {
    let text = ScalarText(report)
    let sentences = Self.sentences(report)
    var values: [PETValue] = []
    func add(_ kind: PETValue.Kind, _ value: Double?, _ unit: String?, _ range: Range<Int>, withSite: Bool) {
      var range = range
      while range.lowerBound < range.upperBound,
        text.substring(range.lowerBound..<(range.lowerBound + 1)).allSatisfy(\.isWhitespace)
      {
        range = (range.lowerBound + 1)..<range.upperBound
      }
      let sentence = sentences.first { $0.contains(range.lowerBound) } ?? range
      let site = withSite ? nearestSite(in: text, from: sentence.lowerBound, to: range.lowerBound) : nil
      values.append(
        PETValue(
          kind: kind, value: value, unit: unit, text: text.substring(range), start: range.lowerBound,
          end: range.upperBound, site: site,
          context: text.substring(sentence).trimmingCharacters(in: .whitespacesAndNewlines)))
    }
    for match in text.matches(suv) {
      guard let whole = match[0], let measureRange = match[1], let numberRange = match[2],
        let value = Double(text.substring(numberRange))
      else { continue }
      let measure = text.substring(measureRange).lowercased()
      let kind: PETValue.Kind =
        measure.contains("max")
        ? .suvMax
        : measure.contains("mean")
          ? .suvMean
          : measure.contains("peak")
            ? .suvPeak
            : .suv
      add(kind, value, nil, whole, withSite: true)
    }
    for match in text.matches(deauville) {
      guard let whole = match[0], let scoreRange = match[1] else { continue }
      let written = text.substring(scoreRange)
      let roman = ["I": 1.0, "II": 2, "III": 3, "IV": 4, "V": 5]
      guard let score = Double(written) ?? roman[written] else { continue }
      add(.deauville, score, nil, whole, withSite: true)
    }
    var tracerRanges: [Range<Int>] = []
    for (name, pattern) in tracers {
      for match in text.matches(pattern) {
        guard let whole = match[0], !tracerRanges.contains(where: { $0.overlaps(whole) }) else { continue }
        tracerRanges.append(whole)
        add(.tracer, nil, name, whole, withSite: false)
      }
    }
    var uptakeRanges: [Range<Int>] = []
    for pattern in [uptakeAfter, uptakeBefore] {
      for match in text.matches(pattern) {
        guard let whole = match[0], let numberRange = match[1], let unitRange = match[2],
          !uptakeRanges.contains(where: { $0.overlaps(whole) }), let value = Double(text.substring(numberRange))
        else { continue }
        uptakeRanges.append(whole)
        let unit = text.substring(unitRange).lowercased()
        add(.uptakeTime, unit.hasPrefix("h") ? value * 60 : value, "min", whole, withSite: false)
      }
    }
    for match in text.matches(activity) {
      guard let whole = match[0], let numberRange = match[1], let unitRange = match[2],
        let value = Double(text.substring(numberRange))
      else { continue }
      let unit = text.substring(unitRange).lowercased()
      let megabecquerels =
        unit.hasPrefix("m") && unit != "mbq" && !unit.hasPrefix("mega")
        ? value * 37 : unit == "gbq" ? value * 1000 : value
      add(.injectedActivity, megabecquerels, "MBq", whole, withSite: false)
    }
    for match in text.matches(glucose) {
      guard let whole = match[0], let numberRange = match[1], let value = Double(text.substring(numberRange))
      else { continue }
      let unit = match[2].map { text.substring($0) }
      let mgPerDL = unit?.lowercased() == "mmol/l" ? value * 18.0 : value
      add(.bloodGlucose, mgPerDL, "mg/dL", whole, withSite: false)
    }
    return values.sorted { ($0.start, $0.kind.rawValue) < ($1.start, $1.kind.rawValue) }
  }

  /// The last lesion/site phrase between a sentence start and a value.
  private func nearestSite(in text: ScalarText, from start: Int, to end: Int) -> String? {
    guard start < end else { return nil }
    let found = text.matches(site, in: start..<end).compactMap { $0[1] }
    return found.last.map { text.substring($0) }
  }

  /// Sentence ranges (code points): ends at `.`, `;`, `!`, `?` followed by white space, or a newline.
  static func sentences(_ report: String) -> [Range<Int>] {
    let scalars = Array(report.unicodeScalars)
    var ranges: [Range<Int>] = []
    var start = 0
    var index = 0
    while index < scalars.count {
      let scalar = scalars[index]
      let isEnd =
        scalar == "\n"
        || ((scalar == "." || scalar == ";" || scalar == "!" || scalar == "?")
          && (index + 1 == scalars.count || scalars[index + 1].properties.isWhitespace))
      if isEnd {
        ranges.append(start..<(index + 1))
        start = index + 1
      }
      index += 1
    }
    if start < scalars.count { ranges.append(start..<scalars.count) }
    return ranges
  }
}
