/// The building blocks of the identifier rules (ICU regular expressions, as raw strings).
enum PHIPatterns {
  /// A capitalised name word: Smith, O'Brien, McDonald, Smith-Jones, DeShawn.
  static let nameWord = #"(?:[A-Z]['’])?[A-Z][a-z]*[A-Z]?[a-z]+(?:-[A-Z][a-z]*[A-Z]?[a-z]+)?"#
  static let upperWord = #"(?:[A-Z]['’])?[A-Z]{2,}(?:['’-][A-Z]+)?"#
  static let initial = #"[A-Z]\."#
  static let particle = #"(?:van|von|de|der|den|del|della|da|di|du|la|le|bin|al|el)"#
  /// A person's name as written in reports: "Jane Doe", "Jane Q. Doe", "Doe, Jane", "J. Doe",
  /// "Ludwig van Beethoven", "DOE, JANE", "JANE DOE".
  static let person =
    "(?:\(nameWord)(?:[ \\t]+\(nameWord))?,[ \\t]*\(nameWord)(?:[ \\t]+\(initial))?"
    + "|\(initial)[ \\t]*(?:\(initial)[ \\t]*)?(?:\(particle)[ \\t]+)?\(nameWord)(?:[ \\t]+\(nameWord))?"
    + "|\(nameWord)(?:[ \\t]+(?:\(initial)|\(nameWord)|\(particle)[ \\t]+\(nameWord))){0,3}"
    + "|\(upperWord)(?:[ \\t]+\(upperWord))?,[ \\t]*\(upperWord)|\(upperWord)(?:[ \\t]+\(upperWord)){0,2})"
  /// A clinical credential after a name (case as written).
  static let credential =
    #"(?:M\.?D\.?|D\.?O\.|DO|R\.?N\.?|NP|PA-C|APRN|CRNA|RRT|MBBS|Ph\.?D\.?|FRCR|FRCPC|DNP|RPA|MSN|BSN|CNS)"#
  /// An identifier value: letters, digits and - . / with at least one digit.
  static let identifier = #"(?=[A-Za-z0-9./-]*\d)[A-Za-z0-9](?:[A-Za-z0-9./-]*[A-Za-z0-9])?"#
  /// Between a keyword and its value: "MRN: ", "MRN # ", "number is ", "no. ", "(MRN) ".
  static let keySeparator =
    #"[ \t]*(?:\((?:[A-Za-z ]{1,14})\)[ \t]*)?(?:(?i:number|no\.|no|num|nbr|nr\.?|#|id|identifier|code)[ \t]*)?"#
    + #"(?:[:#=]|(?i:is|was|of))?[ \t]*(?:#[ \t]*)?"#
  static let month =
    #"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|"#
    + #"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?|JAN(?:UARY)?|FEB(?:RUARY)?|MAR(?:CH)?|APR(?:IL)?|MAY|JUNE?|"#
    + #"JULY?|AUG(?:UST)?|SEP(?:T(?:EMBER)?)?|OCT(?:OBER)?|NOV(?:EMBER)?|DEC(?:EMBER)?)"#
  static let day = #"(?:0?[1-9]|[12]\d|3[01])"#
  static let monthNumber = #"(?:0?[1-9]|1[0-2])"#
  static let states =
    #"(?:AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|"#
    + #"OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC)"#
  static let streetSuffix =
    #"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln|Court|Ct|Way|Place|Pl|Parkway|Pkwy|"#
    + #"Circle|Cir|Terrace|Ter|Highway|Hwy|Trail|Trl|Square|Sq|Pike|Row|Alley)"#
  static let phoneNumber =
    #"(?:\+?1[ .-]?)?(?:\(\d{3}\)[ .-]?|\b\d{3}[ .-])\d{3}[ .-]\d{4}\b(?:[ \t]*(?:x|ext\.?|extension)[ \t]*\d{1,6})?"#
}
