import Foundation

/// Project-written sentences carrying identifiers of each category in varied formats, with values
/// drawn at random, for the evaluation set. The value pools differ from the detector's word lists
/// (names the detector has never seen, cities it has no list for), so the set measures the rules,
/// not a shared vocabulary.
enum DeidSnippets {
  static let firstNames = [
    "Aleksandra", "Thandiwe", "Siobhan", "Bartholomew", "Xiomara", "Priyanka", "Oluwaseun", "Margaret", "Dmitri",
    "Keiko", "Joaquin", "Evelyn", "Marcus", "Ingrid", "Tobias", "Rosalind", "Kwame", "Leticia", "Anders", "Maria",
    "John", "Fatima", "Desmond", "Yusuf", "Camille",
  ]
  static let lastNames = [
    "Okonkwo", "Nguyen", "Kowalczyk", "Fitzgerald", "O'Neill", "McAllister", "Smith-Jones", "Delgado", "Haddad",
    "Lindqvist", "Abernathy", "Castellanos", "Whitcombe", "Yamamoto", "Oyelaran", "Brzezinski", "Thibodeaux",
    "Hargreaves", "Mbeki", "Rasmussen", "Smith", "Johnson", "Patel", "Kim", "Van Buren",
  ]
  static let cities = [
    "Carmel", "Bloomington", "Terre Haute", "Fishers", "Muncie", "Kokomo", "Greenwood", "Lafayette",
    "Evansville", "South Bend", "Zionsville", "Noblesville", "Brownsburg", "Plainfield",
  ]
  static let streets = ["Meridian", "Washington", "Oak Hollow", "College", "Keystone", "Maple Grove", "Spring Mill"]
  static let streetTypes = ["Street", "St.", "Avenue", "Ave", "Road", "Drive", "Lane", "Blvd", "Court", "Way"]
  static let states = ["IN", "IL", "OH", "KY", "MI"]
  static let months = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December",
  ]

  private static func t(_ text: String) -> InjectedPart { InjectedPart(text) }
  private static func v(_ label: PHILabel, _ text: String) -> InjectedPart { InjectedPart(text, label: label) }
  private static func c(_ text: String) -> InjectedPart { InjectedPart(text, clinical: true) }

  static func digits(_ count: Int, _ random: inout DeidRandom) -> String {
    (0..<count).map { index in String(index == 0 ? random.below(9) + 1 : random.below(10)) }.joined()
  }

  static func letters(_ count: Int, _ random: inout DeidRandom) -> String {
    let alphabet = Array("ABCDEFGHJKLMNPRSTUVWXYZ")
    return String((0..<count).map { _ in alphabet[random.below(alphabet.count)] })
  }

  static func date(_ random: inout DeidRandom) -> String {
    let year = 1995 + random.below(30)
    let month = random.below(12) + 1
    let day = random.below(28) + 1
    let name = months[month - 1]
    switch random.below(13) {
    case 9: return "\(day)-\(name.prefix(3))-\(year)"
    case 10: return "\(name) \(ordinal(day))"
    case 11: return "\(ordinal(day)) of \(name) \(year)"
    case 12: return String(format: "%04d/%02d/%02d", year, month, day)
    case 0: return String(format: "%02d/%02d/%04d", month, day, year)
    case 1: return "\(month)/\(day)/\(String(format: "%02d", year % 100))"
    case 2: return String(format: "%04d-%02d-%02d", year, month, day)
    case 3: return "\(name) \(day), \(year)"
    case 4: return "\(day) \(name.prefix(3)) \(year)"
    case 5: return "\(name.prefix(3)). \(day)"
    case 6: return "\(name) \(year)"
    case 7: return String(format: "%02d-%02d-%04d", month, day, year)
    default: return String(format: "%02d.%02d.%04d", day, month, year)
    }
  }

  static func ordinal(_ day: Int) -> String {
    switch day {
    case 1, 21, 31: return "\(day)st"
    case 2, 22: return "\(day)nd"
    case 3, 23: return "\(day)rd"
    default: return "\(day)th"
    }
  }

  static func time(_ random: inout DeidRandom) -> String {
    let hour = random.below(24)
    let minute = random.below(60)
    switch random.below(4) {
    case 0: return String(format: "%02d:%02d", hour, minute)
    case 1: return String(format: "%d:%02d %@", hour % 12 == 0 ? 12 : hour % 12, minute, hour < 12 ? "AM" : "PM")
    case 2: return String(format: "%02d%02d hours", hour, minute)
    default: return String(format: "%d:%02d%@", hour % 12 == 0 ? 12 : hour % 12, minute, hour < 12 ? "am" : "pm")
    }
  }

  static func phone(_ random: inout DeidRandom) -> String {
    let area = digits(3, &random)
    let exchange = digits(3, &random)
    let line = String(format: "%04d", random.below(10000))
    switch random.below(4) {
    case 0: return "(\(area)) \(exchange)-\(line)"
    case 1: return "\(area)-\(exchange)-\(line)"
    case 2: return "\(area).\(exchange).\(line)"
    default: return "+1 \(area) \(exchange) \(line)"
    }
  }

  /// A snippet of `label` (one of several formats).
  static func make(_ label: PHILabel, _ random: inout DeidRandom) -> [InjectedPart] {
    let first = random.pick(firstNames)
    let last = random.pick(lastNames)
    switch label {
    case .name:
      switch random.below(11) {
      case 8: return [t("PATIENT: "), v(.name, "\(first.uppercased()) \(last.uppercased())")]
      case 9: return [t("Name: "), v(.name, "\(last), \(first) \(letters(1, &random)).")]
      case 10: return [t("Spoke with "), v(.name, "\(first) \(last)"), t("'s mother about the exam.")]
      case 0: return [t("Patient: "), v(.name, "\(first) \(last)"), t(".")]
      case 1: return [t("Patient name: "), v(.name, "\(last.uppercased()), \(first.uppercased())"), t(".")]
      case 2: return [t("Mr. "), v(.name, last), t(" was positioned upright.")]
      case 3: return [t("Ms. "), v(.name, "\(first) \(last)"), t(" tolerated the exam well.")]
      case 4: return [t("History obtained from the patient's daughter "), v(.name, first), t(".")]
      case 5: return [t("Her husband, "), v(.name, "\(first) \(last)"), t(", was present.")]
      case 6: return [t("Pt "), v(.name, "\(last), \(first)"), t(" arrived from the emergency department.")]
      default: return [t("Emergency contact: "), v(.name, "\(first) \(last)"), t(".")]
      }
    case .clinician:
      switch random.below(11) {
      case 8: return [t("Discussed with "), v(.clinician, "\(first) \(last)"), t(", PA-C, at the bedside.")]
      case 9: return [t("Preliminary read by "), v(.clinician, "\(first) \(last)"), t(".")]
      case 10: return [t("cc: "), v(.clinician, "\(first.prefix(1)). \(last)"), t(", DO")]
      case 0: return [t("Findings discussed with Dr. "), v(.clinician, last), t(" by telephone.")]
      case 1: return [t("Results were communicated to "), v(.clinician, "\(first) \(last)"), t(", NP.")]
      case 2:
        return [t("Critical result called to Dr. "), v(.clinician, "\(first) \(letters(1, &random)). \(last)"), t(".")]
      case 3: return [t("Electronically signed by: "), v(.clinician, "\(first) \(last)"), t(", MD")]
      case 4: return [t("Dictated by "), v(.clinician, "\(first) \(last)"), t(" MD.")]
      case 5:
        return [t("These findings were discussed with the referring physician, Dr. "), v(.clinician, last), t(".")]
      case 6: return [t("D/w Dr "), v(.clinician, last.uppercased()), t(".")]
      default: return [t("Reviewed with attending radiologist "), v(.clinician, "\(first) \(last)"), t(".")]
      }
    case .date:
      let value = date(&random)
      switch random.below(6) {
      case 0: return [t("Comparison with chest radiograph dated "), v(.date, value), t(".")]
      case 1: return [t("Prior study from "), v(.date, value), t(" is unchanged.")]
      case 2: return [v(.date, value), t(": portable chest.")]
      case 3: return [t("DOB: "), v(.date, value)]
      case 4: return [t("Exam date "), v(.date, value), t(".")]
      default: return [t("Compared to "), v(.date, value), t(" and "), v(.date, date(&random)), t(".")]
      }
    case .age:
      let age = String(90 + random.below(16))
      switch random.below(5) {
      case 0: return [v(.age, age), t("-year-old female with dyspnea.")]
      case 1: return [t("Age: "), v(.age, age), t(".")]
      case 2: return [v(.age, age), t(" yo male with cough.")]
      case 3: return [t("Patient aged "), v(.age, age), t(" years.")]
      default: return [v(.age, age), t(" y/o with fall.")]
      }
    case .time:
      let value = time(&random)
      switch random.below(4) {
      case 0: return [t("Exam performed at "), v(.time, value), t(".")]
      case 1: return [t("Called at "), v(.time, value), t(" to the floor.")]
      case 2: return [t("Time of study: "), v(.time, value)]
      default: return [t("Comparison: "), v(.date, date(&random)), t(" at "), v(.time, value), t(".")]
      }
    case .location:
      let number = digits(1 + random.below(5), &random)
      let city = random.pick(cities)
      let state = random.pick(states)
      let zip = digits(5, &random)
      switch random.below(6) {
      case 0:
        return [
          t("Address: "),
          v(.location, "\(number) \(random.pick(streets)) \(random.pick(streetTypes)), Apt \(digits(2, &random))"),
          t("."),
        ]
      case 1: return [t("Lives in "), v(.location, "\(city), \(state) \(zip)"), t(".")]
      case 2: return [t("Patient resides in "), v(.location, city), t(".")]
      case 3: return [t("Transferred from "), v(.location, "\(random.pick(cities)) County"), t(".")]
      case 4: return [t("ZIP code "), v(.location, zip), t(".")]
      default: return [t("Mail to "), v(.location, "P.O. Box \(digits(4, &random))"), t(".")]
      }
    case .phone:
      switch random.below(4) {
      case 0: return [t("Please call "), v(.phone, phone(&random)), t(" with questions.")]
      case 1: return [t("Reading room phone: "), v(.phone, phone(&random)), t(".")]
      case 2: return [t("Pager "), v(.phone, digits(5, &random)), t(".")]
      default: return [t("Call back number "), v(.phone, phone(&random)), t(".")]
      }
    case .fax:
      switch random.below(2) {
      case 0: return [t("Fax: "), v(.fax, phone(&random)), t(".")]
      default: return [t("Report faxed to "), v(.fax, phone(&random)), t(".")]
      }
    case .email:
      let user = "\(first.lowercased()).\(last.lowercased().filter(\.isLetter))"
      switch random.below(2) {
      case 0: return [t("Contact "), v(.email, "\(user)@iuhealth.org"), t(".")]
      default: return [t("Email: "), v(.email, "\(user)\(digits(2, &random))@gmail.com")]
      }
    case .ssn:
      let a = digits(3, &random)
      let b = String(format: "%02d", random.below(99) + 1)
      let c = String(format: "%04d", random.below(9999) + 1)
      switch random.below(3) {
      case 0: return [t("SSN: "), v(.ssn, "\(a)-\(b)-\(c)"), t(".")]
      case 1: return [t("Social security number "), v(.ssn, "\(a) \(b) \(c)"), t(".")]
      default: return [t("SS# "), v(.ssn, "\(a)\(b)\(c)")]
      }
    case .mrn:
      let value = random.below(2) == 0 ? digits(7 + random.below(3), &random) : "E\(digits(7, &random))"
      switch random.below(4) {
      case 0: return [t("MRN: "), v(.mrn, value), t(".")]
      case 1: return [t("Medical record number "), v(.mrn, value), t(".")]
      case 2: return [t("(MR# "), v(.mrn, value), t(")")]
      default: return [t("Chart number: "), v(.mrn, value)]
      }
    case .healthPlan:
      switch random.below(4) {
      case 0: return [t("Medicaid ID "), v(.healthPlan, digits(10, &random)), t(".")]
      case 1:
        return [t("Insurance member ID: "), v(.healthPlan, "\(letters(3, &random))\(digits(9, &random))"), t(".")]
      case 2: return [t("Policy number "), v(.healthPlan, digits(8, &random)), t(".")]
      default:
        return [
          t("Medicare MBI "),
          v(
            .healthPlan,
            "\(digits(1, &random))\(letters(2, &random))\(digits(1, &random))-\(letters(2, &random))\(digits(1, &random))-\(letters(2, &random))\(digits(2, &random))"
          ), t("."),
        ]
      }
    case .account:
      switch random.below(4) {
      case 0: return [t("Account number: "), v(.account, digits(9, &random)), t(".")]
      case 1: return [t("Acct #"), v(.account, digits(8, &random))]
      case 2: return [t("Billing account "), v(.account, "\(letters(2, &random))\(digits(7, &random))"), t(".")]
      default: return [t("Encounter "), v(.account, digits(10, &random)), t(".")]
      }
    case .license:
      switch random.below(4) {
      case 0: return [t("License number "), v(.license, "\(letters(1, &random))\(digits(7, &random))"), t(".")]
      case 1: return [t("DEA # "), v(.license, "\(letters(2, &random))\(digits(7, &random))"), t(".")]
      case 2: return [t("NPI "), v(.license, digits(10, &random)), t(".")]
      default:
        return [
          t("Driver's license "), v(.license, "\(digits(4, &random))-\(digits(2, &random))-\(digits(4, &random))"),
          t("."),
        ]
      }
    case .vehicle:
      let vinAlphabet = Array("ABCDEFGHJKLMNPRSTUVWXYZ0123456789")
      let vin = String((0..<17).map { index in index == 9 ? "7" : vinAlphabet[random.below(vinAlphabet.count)] })
      switch random.below(3) {
      case 0: return [t("License plate "), v(.vehicle, "\(letters(3, &random)) \(digits(4, &random))"), t(".")]
      case 1: return [t("VIN "), v(.vehicle, vin), t(".")]
      default: return [t("Vehicle identification number: "), v(.vehicle, vin)]
      }
    case .device:
      switch random.below(4) {
      case 0:
        return [
          c("Pacemaker"), t(" serial number "), v(.device, "\(letters(3, &random))\(digits(6, &random))S"), t("."),
        ]
      case 1: return [t("S/N: "), v(.device, digits(8, &random)), t(".")]
      case 2: return [t("Device ID "), v(.device, "\(letters(2, &random))-\(digits(6, &random))"), t(".")]
      default: return [c("ICD"), t(" generator serial "), v(.device, digits(9, &random)), t(".")]
      }
    case .url:
      switch random.below(3) {
      case 0:
        return [t("Images at "), v(.url, "https://portal.example-health.org/results/\(digits(6, &random))"), t(".")]
      case 1:
        return [
          t("See "), v(.url, "www.\(last.lowercased().filter(\.isLetter))clinic.com/patient/\(digits(5, &random))"),
          t("."),
        ]
      default: return [t("Viewer: "), v(.url, "http://pacs.hospital.local/viewer?study=\(digits(7, &random))")]
      }
    case .ipAddress:
      let address = "\(random.below(223) + 1).\(random.below(256)).\(random.below(256)).\(random.below(254) + 1)"
      switch random.below(3) {
      case 0: return [t("Images routed from "), v(.ipAddress, address), t(".")]
      case 1: return [t("Workstation IP "), v(.ipAddress, address)]
      default:
        let groups = (0..<8).map { _ in String(random.below(65536), radix: 16) }.joined(separator: ":")
        return [t("Sent from "), v(.ipAddress, groups), t(".")]
      }
    case .biometric:
      switch random.below(3) {
      case 0: return [t("Fingerprint ID "), v(.biometric, "\(letters(2, &random))\(digits(8, &random))"), t(".")]
      case 1: return [t("Voiceprint record: "), v(.biometric, digits(9, &random))]
      default: return [t("Retinal scan "), v(.biometric, "RS-\(digits(7, &random))"), t(".")]
      }
    case .photo:
      switch random.below(3) {
      case 0: return [t("Full-face photograph on file: "), v(.photo, "IMG_\(digits(4, &random)).JPG")]
      case 1: return [t("Photo ID "), v(.photo, digits(8, &random)), t(".")]
      default: return [t("Patient photo "), v(.photo, "face_\(digits(6, &random)).png"), t(" attached.")]
      }
    case .otherID:
      switch random.below(4) {
      case 0: return [t("Patient ID: "), v(.otherID, "\(letters(1, &random))\(digits(8, &random))")]
      case 1: return [t("Study ID "), v(.otherID, digits(9, &random)), t(".")]
      case 2: return [t("Requisition number "), v(.otherID, digits(8, &random)), t(".")]
      default: return [t("Order # "), v(.otherID, digits(7, &random)), t(".")]
      }
    case .accession:
      switch random.below(4) {
      case 0: return [t("Accession: "), v(.accession, "\(letters(1, &random))\(digits(8, &random))")]
      case 1: return [t("Acc # "), v(.accession, digits(9, &random)), t(".")]
      case 2: return [t("ACC no. "), v(.accession, digits(8, &random)), t(".")]
      default: return [t("Accession number "), v(.accession, "CR-\(digits(7, &random))"), t(".")]
      }
    case .room:
      switch random.below(4) {
      case 0: return [t("Portable exam in Room "), v(.room, digits(3, &random)), t(".")]
      case 1:
        return [
          t("Room "), v(.room, "\(digits(1, &random))B"), t(", bed "), v(.room, String(random.below(4) + 1)), t("."),
        ]
      case 2: return [t("ICU bed "), v(.room, String(random.below(30) + 1)), t(".")]
      default: return [t("Rm. "), v(.room, digits(4, &random)), t(".")]
      }
    }
  }

  /// Clinical sentences that look like identifiers to a careless rule and must be kept whole.
  static func distractor(_ random: inout DeidRandom) -> [InjectedPart] {
    let sentences = [
      "\(45 + random.below(44))-year-old male.", "Right internal jugular Swan-Ganz catheter in place.",
      "Port-A-Cath tip in the SVC.", "Medtronic pacemaker leads are intact.", "Kerley B lines are present.",
      "History of Hodgkin lymphoma.", "Patient on room air.", "Lasix 40 mg given.", "T11 compression deformity.",
      "Nodule measures 12 mm on series 3 image 45.", "History of Graves disease.", "Paget disease of the pelvis.",
      "PICC line tip at the cavoatrial junction.", "Foley catheter noted.", "Dobhoff tube in the stomach.",
      "Omnipaque 350 was given.", "Fleischner Society guidelines apply.", "Aortic knob calcification, 2 views.",
    ]
    return [c(random.pick(sentences))]
  }
}
