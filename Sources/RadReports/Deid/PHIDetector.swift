import Foundation

/// Finds identifiers in report text with context rules: a keyword and its value ("MRN: 4471902",
/// "discussed with Dr. …", "Room 412"), formats that are identifiers by shape (dates, telephone
/// numbers, e-mail, URLs, IP addresses, social security numbers) and titles or credentials around
/// names. Only the value is a span, never its keyword; overlapping candidates resolve to the
/// longest, then to the earlier rule. Clinical words (anatomy, findings, eponyms, drugs, devices)
/// are kept by a veto list for the name rules.
public struct PHIDetector: Sendable {
  struct Rule: Sendable {
    let label: PHILabel
    let pattern: TextPattern
    /// The capture group holding the value (0: the whole match).
    let group: Int
    /// The words that cut a name candidate (nil: not a name rule).
    let cutting: Set<String>?
  }

  let rules: [Rule]

  public init() {
    typealias P = PHIPatterns
    var rules: [Rule] = []
    // veto: the name candidates are cut at clinical words; title: only at function words.
    func add(_ label: PHILabel, _ pattern: String, group: Int = 1, veto: Bool = false, title: Bool = false) {
      let cutting = title ? PHINames.functionWords : veto ? PHINames.nonNameWords : nil
      rules.append(
        Rule(
          label: label, pattern: TextPattern(pattern, caseInsensitive: false), group: group,
          cutting: cutting))
    }
    let idValue = "(\(P.identifier))"
    // Keyword rules for numbers and codes (the more specific keywords first).
    add(.fax, #"(?i:\bfax(?:ed)?(?:[ \t]+to)?(?:[ \t]*(?:number|no\.?|#))?)[ \t]*:?[ \t]*("# + P.phoneNumber + ")")
    add(.fax, #"(?i:\bfax(?:[ \t]*(?:number|no\.?|#))?)[ \t]*:?[ \t]*(\d[\d .-]{5,}\d)"#)
    add(
      .vehicle,
      #"(?i:\b(?:licen[cs]e[ \t]+plate|plate|tag)(?:[ \t]*(?:number|no\.?|#))?)[ \t]*(?:[:#]|is)?[ \t]*"#
        + #"([A-Z0-9]{1,4}[ -]?[A-Z0-9]{2,5})\b"#)
    add(
      .vehicle,
      #"(?i:\b(?:VIN|vehicle(?:[ \t]+identification)?(?:[ \t]+number)?))[ \t]*(?:[:#]|is)?[ \t]*"#
        + #"([A-HJ-NPR-Z0-9]{11,17})\b"#)
    add(.vehicle, #"\b((?=[A-HJ-NPR-Z0-9]*[A-Z])(?=[A-HJ-NPR-Z0-9]*\d)[A-HJ-NPR-Z0-9]{17})\b"#)
    add(
      .ssn,
      #"(?i:\b(?:SSN|SS#|SS|social[ \t]+security(?:[ \t]+(?:number|no\.?|#))?))"# + P.keySeparator
        + #"(\d{3}[ -]?\d{2}[ -]?\d{4})\b"#)
    add(.ssn, #"\b(\d{3}-\d{2}-\d{4})\b"#)
    add(.accession, #"(?i:\b(?:accession|acc\.?|accn))"# + P.keySeparator + idValue)
    add(
      .mrn,
      #"(?i:\b(?:MRN|MR#|MR[ \t]+no\.?|medical[ \t]+record|hospital[ \t]+(?:number|no\.?|#)|"#
        + #"unit[ \t]+(?:number|no\.?)|chart(?:[ \t]+number)?|EMR|EHR))"# + P.keySeparator + idValue)
    add(
      .healthPlan,
      #"(?i:\b(?:health[ \t]+plan|insurance|insurer|member|subscriber|policy|medicaid|medicare|"#
        + #"beneficiary|group|HICN|MBI|payer))(?:[ \t]+(?:plan|policy|member|beneficiary))?"# + P.keySeparator
        + idValue)
    add(.account, #"(?i:\b(?:account|acct\.?|billing|encounter|visit|FIN|CSN|HAR))"# + P.keySeparator + idValue)
    add(
      .license,
      #"(?i:\b(?:licen[cs]e|DEA|NPI|certificate|cert\.?|driver'?s[ \t]+licen[cs]e|DL|"#
        + #"registration|board[ \t]+certification))"# + P.keySeparator + idValue)
    add(
      .device,
      #"(?i:\b(?:serial|S/N|SN|device[ \t]+(?:id|identifier|serial)|UDI|lot|implant[ \t]+id|"#
        + #"generator[ \t]+serial|transducer[ \t]+id|unit[ \t]+serial))"# + P.keySeparator + idValue)
    add(
      .biometric,
      #"(?i:\b(?:finger[ \t]?print|voice[ \t]?print|retina(?:l)?[ \t]+scan|iris[ \t]+(?:scan|template)|"#
        + #"biometric|palm[ \t]?print|face[ \t]+template|gait[ \t]+signature))(?:[ \t]+(?:template|record|scan))?"#
        + P.keySeparator + idValue)
    add(
      .photo,
      #"(?i:\b(?:photo(?:graph)?|picture|image[ \t]+file|headshot|portrait|selfie))"#
        + #"(?:[ \t]+(?:file|record|on[ \t]+file))?"# + P.keySeparator
        + #"([A-Za-z0-9_./-]*\.(?i:jpe?g|png|tiff?|heic|bmp|gif)|"# + P.identifier + ")")
    add(.photo, #"\b([A-Za-z0-9_-]+\.(?i:jpe?g|png|heic|bmp|gif))\b"#)
    add(
      .otherID,
      #"(?i:\b(?:patient[ \t]+id|ID|identifier|study[ \t]+id|record[ \t]+id|employee|badge|passport|"#
        + #"case|specimen|requisition|order|ticket|tracking|reference|ref\.?|claim|enrollment|trial))"#
        + P.keySeparator + idValue)
    add(
      .room,
      #"(?i:\b(?:room|rm\.?|bed|bay|ward|cubicle|stretcher|suite|bed[ \t]+space))[ \t]*(?:#|no\.?|number)?"#
        + #"[ \t]*:?[ \t]*(\d{1,4}[A-Za-z]?(?:-\d{1,3}[A-Za-z]?)?|[A-Za-z]-?\d{1,4}[A-Za-z]?|[A-H])\b(?![ \t]*(?:mm|cm))"#
    )
    add(.ssn, #"(?i:\b(?:SSN|social[ \t]+security[ \t]+number))[ \t]*:?[ \t]*(\d{9})\b"#)
    // Shapes.
    add(.email, #"\b([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})\b"#)
    add(.url, #"((?i:https?://|ftp://|www\.)[^\s<>"')\]]+[^\s<>"')\].,;:!?])"#)
    add(
      .url, #"\b((?:[a-z0-9-]+\.)+(?i:com|org|net|edu|gov|io|info|health|us)(?:/[^\s<>"')\]]*[^\s<>"')\].,;:!?])?)\b"#)
    add(
      .ipAddress,
      #"(?<![\d.])((?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})(?![\d.]*\d)"#)
    add(
      .ipAddress,
      #"(?<![0-9A-Fa-f:])((?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,5})?)(?![0-9A-Fa-f:])"#
    )
    add(
      .phone,
      #"(?i:\b(?:phone|tel|telephone|cell|mobile|pager|beeper|callback|call[ \t]+back|contact|ext\.?|extension|x))"#
        + #"(?:[ \t]*(?:number|no\.?|#))?[ \t]*:?[ \t]*(\d[\d .-]{2,}\d)\b"#)
    add(.phone, "(" + P.phoneNumber + ")")
    // Dates: numeric, ISO, month names; month-day without a year only after a date word.
    add(.date, #"(?<![\d/.-])("# + P.monthNumber + #"([/.-])"# + P.day + #"\2(?:\d{4}|\d{2}))(?![\d/-]|\.\d)"#)
    add(.date, #"(?<![\d/.-])("# + P.day + #"([/.-])"# + P.monthNumber + #"\2\d{4})(?![\d/-]|\.\d)"#)
    add(.date, #"(?<![\d/.-])(\d{4}([/.-])"# + P.monthNumber + #"\2"# + P.day + #")(?![\d/-]|\.\d)"#)
    add(.date, #"\b("# + P.month + #"\.?[ \t]+"# + P.day + #"(?:st|nd|rd|th)?(?:,?[ \t]+\d{4})?)\b"#)
    add(.date, #"\b("# + P.day + #"(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?"# + P.month + #"\.?(?:,?[ \t]+\d{4})?)\b"#)
    add(.date, #"\b("# + P.month + #"\.?,?[ \t]+\d{4})\b"#)
    add(.date, #"\b("# + P.day + #"-"# + P.month + #"-(?:\d{4}|\d{2}))\b"#)
    add(.date, #"\b("# + P.month + #"-"# + P.day + #"-(?:\d{4}|\d{2}))\b"#)
    add(
      .date,
      #"(?i:\b(?:on|dated|from|since|of|date|DOB|DOS|until|through|to|and|born|performed|obtained))"#
        + #"[ \t]*:?[ \t]+("# + P.monthNumber + "/" + P.day + #")(?![\d/])"#)
    add(.date, #"\b("# + P.monthNumber + "/" + P.day + #")(?=[ \t]+(?:at|@)[ \t]+\d)"#)
    // Times.
    add(
      .time, #"(?<![\d:])((?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?:[ \t]*(?:[AaPp]\.[Mm]\.|[AaPp][Mm]\b))?)(?![\d:])"#)
    add(.time, #"\b((?:1[0-2]|0?[1-9])[ \t]*(?:[AaPp]\.[Mm]\.|[AaPp][Mm]\b))"#)
    add(.time, #"\b((?:[01]\d|2[0-3])[0-5]\d[ \t]*(?i:hours|hrs|h)\b)"#)
    add(.time, #"(?i:\b(?:at|@|time:?))[ \t]+((?:[01]\d|2[0-3])[0-5]\d)\b(?![ \t]*(?:mm|cm|ml|mg))"#)
    // Ages over 89.
    add(.age, #"\b(9\d|1[0-4]\d)(?=[ \t]*-?[ \t]*(?i:years?|yrs?|y/?o\b|y\.o\.|year-old|yr-old|-year|yo\b))"#)
    add(.age, #"(?i:\b(?:age|aged|age:))[ \t]*:?[ \t]*(9\d|1[0-4]\d)\b"#)
    // Addresses and places.
    add(
      .location,
      #"\b(\d{1,6}[ \t]+(?:[NSEW]\.?[ \t]+)?(?:(?:[A-Z][a-z]+|\d{1,3}(?:st|nd|rd|th))[ \t]+){1,3}"#
        + P.streetSuffix + #"\.?(?:,?[ \t]+(?i:apt|apartment|unit|suite|ste|#)\.?[ \t]*#?[A-Za-z0-9-]+)?)\b"#)
    add(.location, #"\b(P\.?[ \t]?O\.?[ \t]+Box[ \t]+\d+)\b"#)
    // "MD" and "PA" after a name are credentials, so as states they need a ZIP code.
    add(
      .location,
      #"\b((?:[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+){0,2}),[ \t]+(?:(?!MD\b|PA\b)"# + P.states
        + #"(?:[ \t]+\d{5}(?:-\d{4})?)?|(?:MD|PA)[ \t]+\d{5}(?:-\d{4})?))\b"#)
    add(.location, #"\b("# + P.states + #"[ \t]+\d{5}(?:-\d{4})?)\b"#)
    add(.location, #"(?i:\b(?:zip(?:[ \t]*code)?|postal[ \t]+code))[ \t]*:?[ \t]*(\d{5}(?:-\d{4})?)\b"#)
    add(.location, #"\b([A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+)?[ \t]+County)\b"#)
    add(
      .location,
      #"(?i:\b(?:lives|living|resides|residing|resident|moved|relocated|travel+ed|visiting|"#
        + #"home|address|hometown))(?:[ \t]+(?:in|at|of|to|from|is))?[ \t]*:?[ \t]+((?:[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+){0,2}))\b"#,
      veto: true)
    // Clinicians: titles, credentials, and the people a result was discussed with or signed by.
    add(.clinician, #"\b(?:Dr|DR|Doctor|Prof|Professor)\.?[ \t]+("# + P.person + ")", title: true)
    add(.clinician, "(" + P.person + #"),?[ \t]+"# + P.credential + #"(?![A-Za-z])"#, title: true)
    add(
      .clinician,
      #"(?i:\b(?:discussed|reviewed|communicated|conveyed|relayed|called|paged|notified|informed|"#
        + #"spoke|spoken|talked|reported|telephoned|faxed|sent|given|d/w|signed|dictated|read|interpreted|"#
        + #"transcribed|verified|approved|attending|resident|radiologist|physician|referring|ordering|"#
        + #"consultant|surgeon|clinician|provider|nurse|RN|NP|PA|fellow|technologist|tech|cc))"#
        + #"(?:[ \t]+(?i:with|to|by|from|of))?[ \t]*:?[ \t]*(?:(?i:the)[ \t]+)?"#
        + #"(?:(?i:referring|ordering|attending|covering|treating|primary|on-call|on[ \t]call|ED|ER|ICU|floor)"#
        + #"[ \t]+)?(?:(?i:physician|provider|clinician|doctor|team|nurse|resident|radiologist|surgeon|NP|PA|RN)"#
        + #",?[ \t]+)?(?:(?:Dr|Doctor|Nurse)\.?[ \t]+)?("# + P.person + ")", veto: true)
    // Patients and relatives.
    add(.name, #"\b(?:Mr|Mrs|Ms|Miss|Mx|MR|MRS|MS)\.?[ \t]+("# + P.person + ")", title: true)
    // "Patient:" / "Name:" label a field, so what follows is a name even in capitals.
    add(
      .name,
      #"(?i:\b(?:patient(?:'s)?(?:[ \t]+(?:full[ \t]+)?name)?|pt\.?(?:[ \t]+name)?|name))[ \t]*:"#
        + #"[ \t]*("# + P.person + ")", title: true)
    add(
      .name,
      #"(?i:\b(?:patient(?:'s)?(?:[ \t]+(?:full[ \t]+)?name)?|pt\.?(?:[ \t]+name)?|name))[ \t]*(?::|is|named|-)?"#
        + #"[ \t]*("# + P.person + ")", veto: true)
    add(
      .name,
      #"(?i:\b(?:wife|husband|son|daughter|mother|father|brother|sister|spouse|partner|friend|caregiver|"#
        + #"guardian|relative|niece|nephew|grandson|granddaughter|grandmother|grandfather|aunt|uncle|"#
        + #"cousin|fianc[eé]e?|neighbou?r|roommate|emergency[ \t]+contact|next[ \t]+of[ \t]+kin|NOK))"#
        + #"(?:[ \t]*(?:,|:|is|named))?[ \t]+("# + P.person + ")", veto: true)
    add(
      .name, "(" + P.person + #")(?='s[ \t]+(?i:wife|husband|son|daughter|mother|father|family|chart|record))"#,
      veto: true)
    add(
      .name, "\\b(" + PHINames.firstNamePattern + "(?:[ \\t]+" + P.initial + ")?[ \\t]+" + P.nameWord + ")\\b",
      veto: true)
    // Other long numbers and letter-digit codes with no keyword.
    add(.otherID, #"(?<![\d.,/-])(\d{7,})(?![\d.,/]*\d)(?![ \t]*(?:mm|cm|mg|ml|mL|%))"#)
    add(.otherID, #"\b([A-Z]{1,3}-?\d{6,}[A-Z]?)\b"#)
    self.rules = rules
  }

  /// Whether every rule compiled (checked by the tests).
  var patternsAreValid: Bool { rules.allSatisfy(\.pattern.isValid) }

  /// The identifiers of `text`, sorted by position, none overlapping.
  public func detect(_ text: String) -> [PHISpan] {
    let scalarText = ScalarText(text)
    var candidates: [(range: Range<Int>, label: PHILabel, priority: Int)] = []
    for (priority, rule) in rules.enumerated() {
      for match in scalarText.matches(rule.pattern) {
        guard rule.group < match.count, var range = match[rule.group], !range.isEmpty else { continue }
        if let cutting = rule.cutting {
          guard let kept = PHINames.trimNonNameWords(range, in: scalarText, cutting: cutting) else { continue }
          range = kept
        }
        candidates.append((range, rule.label, priority))
      }
    }
    candidates.sort {
      ($0.range.count, -$0.priority) > ($1.range.count, -$1.priority)
    }
    var accepted: [(range: Range<Int>, label: PHILabel)] = []
    for candidate in candidates where !accepted.contains(where: { $0.range.overlaps(candidate.range) }) {
      accepted.append((candidate.range, candidate.label))
    }
    return accepted.sorted { $0.range.lowerBound < $1.range.lowerBound }.map {
      PHISpan(
        start: $0.range.lowerBound, end: $0.range.upperBound, label: $0.label,
        text: scalarText.substring($0.range))
    }
  }
}
