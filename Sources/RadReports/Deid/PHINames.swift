import Foundation

/// Word lists for the name rules: common given names (a name rule of their own when a capitalised
/// word follows) and the words that are never part of a person's name in a report — anatomy,
/// findings, eponyms, drugs, devices, departments, sentence starters — which cut a candidate name.
enum PHINames {
  /// Given names frequent in US registers; ambiguous ones (Will, Mark, Hope, May, Bill, Grace …)
  /// are left out so that sentences keep their words.
  static let firstNames: [String] = [
    "James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas", "Charles",
    "Christopher", "Daniel", "Matthew", "Anthony", "Donald", "Steven", "Paul", "Andrew", "Joshua", "Kenneth",
    "Kevin", "Brian", "George", "Timothy", "Ronald", "Edward", "Jason", "Jeffrey", "Ryan", "Jacob", "Gary",
    "Nicholas", "Eric", "Jonathan", "Stephen", "Larry", "Justin", "Scott", "Brandon", "Benjamin", "Samuel",
    "Gregory", "Alexander", "Patrick", "Raymond", "Jack", "Dennis", "Jerry", "Tyler", "Aaron", "Jose", "Adam",
    "Nathan", "Henry", "Douglas", "Zachary", "Peter", "Kyle", "Walter", "Ethan", "Jeremy", "Harold", "Keith",
    "Christian", "Roger", "Noah", "Gerald", "Carl", "Terry", "Sean", "Austin", "Arthur", "Lawrence", "Jesse",
    "Dylan", "Bryan", "Joe", "Jordan", "Billy", "Bruce", "Albert", "Willie", "Gabriel", "Logan", "Alan",
    "Juan", "Wayne", "Roy", "Ralph", "Randy", "Eugene", "Vincent", "Russell", "Elijah", "Louis", "Bobby",
    "Philip", "Johnny", "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica",
    "Sarah", "Karen", "Nancy", "Lisa", "Betty", "Margaret", "Sandra", "Ashley", "Kimberly", "Emily", "Donna",
    "Michelle", "Dorothy", "Carol", "Amanda", "Melissa", "Deborah", "Stephanie", "Rebecca", "Sharon", "Laura",
    "Cynthia", "Kathleen", "Amy", "Shirley", "Angela", "Helen", "Anna", "Brenda", "Pamela", "Nicole", "Emma",
    "Samantha", "Katherine", "Christine", "Debra", "Rachel", "Catherine", "Carolyn", "Janet", "Ruth", "Maria",
    "Heather", "Diane", "Virginia", "Julie", "Joyce", "Victoria", "Olivia", "Kelly", "Christina", "Lauren",
    "Joan", "Evelyn", "Judith", "Megan", "Cheryl", "Andrea", "Hannah", "Martha", "Jacqueline", "Gloria",
    "Teresa", "Ann", "Sara", "Madison", "Frances", "Kathryn", "Janice", "Jean", "Abigail", "Alice", "Julia",
    "Judy", "Sophia", "Denise", "Marilyn", "Beverly", "Charlotte", "Danielle", "Theresa", "Diana", "Natalie",
    "Brittany", "Doris", "Kayla", "Alexis", "Lori", "Marie", "Muhammad", "Mohammed", "Ahmed", "Wei", "Priya",
    "Rahul", "Aisha", "Fatima", "Carlos", "Luis", "Miguel", "Sofia", "Elena", "Ana", "Hiroshi", "Yuki",
    "Olga", "Ivan", "Dmitri", "Chen", "Li", "Mei", "Kwame", "Chidi", "Ngozi", "Oluwaseun", "Santiago", "Lucia",
  ]

  static var firstNamePattern: String { "(?:" + firstNames.joined(separator: "|") + ")" }

  /// Lower-cased words that cut every name candidate, even after a title ("Dr. XXXX").
  static let functionWords: Set<String> = {
    let text = """
      the a an and or of in on at to with for by from no not without there this that these those it its is are
      was were be been has have had xxxx xxx xx x am pm via per please see dr doctor mr mrs ms miss
      january february march april may june july august september october november december monday tuesday
      wednesday thursday friday saturday sunday today yesterday tonight id mrn dob dos ssn acc age sex phone
      photo fax email address room bed veriphy
      """
    return Set(text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
  }()

  /// Lower-cased words that are never (part of) a person's name in a report.
  static let nonNameWords: Set<String> = {
    let text = """
      the a an and or of in on at to with for by from no not without there this that these those it its is are
      was were be been has have had patient patients pt name named report reports reported study studies exam
      examination findings finding impression comparison indication history technique results result today
      yesterday tonight morning evening afternoon am pm xxxx xxx xx x heart lung lungs chest thorax pleural
      pleura mediastinum mediastinal hilar hila hilum cardiac cardiomediastinal silhouette aorta aortic
      thoracic abdomen abdominal pelvis pelvic spine spinal cervical lumbar vertebra vertebrae vertebral rib
      ribs clavicle clavicles sternum scapula shoulder diaphragm hemidiaphragm trachea bronchus bronchi
      airway airways apex apices base bases lobe lobes upper lower middle right left bilateral lingula
      costophrenic angle angles soft tissue tissues bone bones bony osseous skeletal structures liver spleen
      kidney kidneys adrenal pancreas gallbladder bowel colon stomach esophagus brain head neck skull sinus
      breast breasts axilla axillary node nodes lymph nodule nodules mass masses lesion lesions opacity
      opacities consolidation effusion effusions pneumothorax edema atelectasis pneumonia infiltrate
      infiltrates scarring scar fibrosis emphysema granuloma granulomas calcified calcification
      calcifications cardiomegaly enlarged enlargement normal abnormal stable unchanged new old prior
      previous mild moderate severe small large minimal trace focal diffuse acute chronic clear
      unremarkable negative positive possible probable likely suspicious consistent compatible noted seen
      visualized identified demonstrated evidence interval changes change degenerative tortuous
      hyperinflated hyperinflation hyperexpanded postoperative surgical sternotomy wires clips catheter
      catheters tube tubes line lines port pacemaker pacer defibrillator icd stent stents valve prosthesis
      device devices lead leads wire drain picc swan ganz swan-ganz port-a-cath foley dobhoff medtronic boston
      scientific abbott st jude biotronik hickman groshong mediport kerley hodgkin hodgkins non-hodgkin
      parkinson parkinsons graves crohn crohns paget pagets addison addisons cushing cushings alzheimer
      wegener kaposi ewing wilms barrett barretts bochdalek morgagni schatzki zenker zenkers pancoast
      hampton westermark fleischner virchow schmorl modic colles
      monteggia galeazzi bankart hill-sachs segond chance osgood schlatter perthes legg calve kienbock
      preiser lisfranc chopart achilles eustachian wormian sylvian rolandic wernicke broca willis
      luschka magendie monro morison treitz oddi meckel meckels hirschsprung whipple nissen
      roux billroth hartmann lasix furosemide heparin coumadin warfarin aspirin omnipaque isovue
      visipaque gadolinium magnevist dotarem gadavist eovist iohexol iodixanol contrast barium
      gastrografin fdg psma dotatate emergency department ed er icu ccu nicu picu radiology
      radiologist clinic hospital service team floor unit ward nurse nursing physician doctor provider
      clinician surgeon resident attending fellow staff referring ordering covering on-call oncall
      oncology cardiology pulmonology surgery medicine internal family primary care urgent
      critical results findings impression imaging ct mri mr pet us xr cr dx nm ir views view pa ap
      lateral frontal portable upright supine decubitus oblique recumbent inspiration expiration film
      films radiograph radiographs image images series phone telephone call called page paged
      please see note notes addendum discussed communicated notified informed by via per dr doctor
      mr mrs ms miss sir madam january february march april may june july august september october
      november december monday tuesday wednesday thursday friday saturday sunday
      """
    return Set(text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)).union(functionWords)
  }()

  /// A name candidate cut at its first word that is never a name, after leading such words are
  /// dropped; nil when nothing name-like is left.
  static func trimNonNameWords(_ range: Range<Int>, in text: ScalarText, cutting: Set<String>) -> Range<Int>? {
    let candidate = text.substring(range)
    let scalars = Array(candidate.unicodeScalars)
    var words: [Range<Int>] = []
    var index = 0
    while index < scalars.count {
      if isSeparator(scalars[index]) {
        index += 1
        continue
      }
      let start = index
      while index < scalars.count, !isSeparator(scalars[index]) { index += 1 }
      words.append(start..<index)
    }
    func isNonName(_ word: Range<Int>) -> Bool {
      var view = String.UnicodeScalarView()
      view.append(contentsOf: scalars[word])
      let written = String(view)
      // An initial ("A.") is part of a name even when the letter is also a word.
      if written.count == 2, written.hasSuffix("."), written.first?.isUppercase == true { return false }
      let lower = written.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ".,"))
      return cutting.contains(lower)
    }
    var first = 0
    while first < words.count, isNonName(words[first]) { first += 1 }
    guard first < words.count else { return nil }
    var last = first
    while last + 1 < words.count, !isNonName(words[last + 1]) { last += 1 }
    var upper = words[last].upperBound
    // A name does not end in a comma or period unless the period closes an initial.
    while upper > words[first].lowerBound, scalars[upper - 1] == "," { upper -= 1 }
    // After a weak cue (not a title or credential), an all-capitals run is an abbreviation
    // ("AFIB", "CXR SFWP") rather than a name unless written "LAST, FIRST"; two letters are too few.
    if cutting.count > functionWords.count {
      var view = String.UnicodeScalarView()
      view.append(contentsOf: scalars[words[first].lowerBound..<upper])
      let kept = String(view)
      if !kept.contains(where: \.isLowercase) && !kept.contains(",") { return nil }
      if kept.count <= 2 { return nil }
    }
    return (range.lowerBound + words[first].lowerBound)..<(range.lowerBound + upper)
  }

  private static func isSeparator(_ scalar: Unicode.Scalar) -> Bool {
    scalar == " " || scalar == "\t" || scalar == "," || scalar == "\n"
  }
}
