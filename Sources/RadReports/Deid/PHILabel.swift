/// The kinds of identifier de-identification removes: the 18 HIPAA Safe Harbor categories
/// (45 CFR 164.514(b)(2)) and the radiology ones (accession numbers, exam times, clinicians named
/// in the report, room and bed). The raw values are the labels written in JSON and tags.
public enum PHILabel: String, Sendable, CaseIterable, Codable, Comparable {
  /// (1) Names of the patient, relatives, household members.
  case name = "NAME"
  /// Clinicians named in the report ("discussed with Dr. …", "signed by …"): names too (1).
  case clinician = "CLINICIAN"
  /// (2) Geographic subdivisions smaller than a state: street address, city, county, ZIP code.
  case location = "LOCATION"
  /// (3) Dates (all elements but the year).
  case date = "DATE"
  /// (3) Ages over 89.
  case age = "AGE"
  /// Exam times (radiology: the time of a study or of a call).
  case time = "TIME"
  /// (4) Telephone numbers.
  case phone = "PHONE"
  /// (5) Fax numbers.
  case fax = "FAX"
  /// (6) E-mail addresses.
  case email = "EMAIL"
  /// (7) Social security numbers.
  case ssn = "SSN"
  /// (8) Medical record numbers.
  case mrn = "MRN"
  /// (9) Health plan beneficiary numbers.
  case healthPlan = "HEALTH_PLAN"
  /// (10) Account numbers.
  case account = "ACCOUNT"
  /// (11) Certificate and license numbers.
  case license = "LICENSE"
  /// (12) Vehicle identifiers and serial numbers, licence plates.
  case vehicle = "VEHICLE"
  /// (13) Device identifiers and serial numbers.
  case device = "DEVICE_ID"
  /// (14) Web addresses.
  case url = "URL"
  /// (15) IP addresses.
  case ipAddress = "IP"
  /// (16) Biometric identifiers (finger, voice, retina, iris prints).
  case biometric = "BIOMETRIC"
  /// (17) Full-face photographs and comparable images (references to them in text).
  case photo = "PHOTO"
  /// (18) Any other unique identifying number, characteristic or code.
  case otherID = "ID"
  /// Radiology: accession numbers.
  case accession = "ACCESSION"
  /// Radiology: room and bed numbers.
  case room = "ROOM"

  public static func < (lhs: PHILabel, rhs: PHILabel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One identifier found in a text: code-point offsets into the input, the label and the text.
public struct PHISpan: Sendable, Equatable, Codable, Hashable {
  public let start: Int
  public let end: Int
  public let label: PHILabel
  public let text: String

  public init(start: Int, end: Int, label: PHILabel, text: String) {
    self.start = start
    self.end = end
    self.label = label
    self.text = text
  }
}
