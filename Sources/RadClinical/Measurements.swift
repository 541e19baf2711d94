/// Numbers a report states about findings: sizes (normalised to millimetres), SUVmax values and
/// Deauville scores, each with its code-point range, so sections can be compared value by value.
struct Measurement {
  enum Kind: String { case size, suv, deauville }
  let kind: Kind
  let value: Double
  let start: Int
  let end: Int
}

enum Measurements {
  static func find(in text: ClinicalText) -> [Measurement] {
    let words = text.words
    var out: [Measurement] = []
    var i = 0
    while i < words.count {
      let w = words[i].lower
      // SUV / SUVmax (of | =) value
      if w == "suv" || w == "suvmax" || w == "suvmax." {
        var j = i + 1
        if j < words.count && words[j].lower == "max" { j += 1 }
        if j < words.count && ["of", "is", "was", "measuring"].contains(words[j].lower) { j += 1 }
        if j < words.count, let v = Double(words[j].lower), j - i <= 3 {
          out.append(Measurement(kind: .suv, value: v, start: words[j].start, end: words[j].end))
          i = j + 1
          continue
        }
      }
      if w == "deauville" || w == "ds" {
        var j = i + 1
        while j < words.count && j - i <= 3 && ["score", "of", "is", "was"].contains(words[j].lower) { j += 1 }
        if j < words.count, let v = Double(words[j].lower), (1...5).contains(v) {
          out.append(Measurement(kind: .deauville, value: v, start: words[j].start, end: words[j].end))
          i = j + 1
          continue
        }
      }
      // "12mm" as one word
      for (suffix, scale) in [("mm", 1.0), ("cm", 10.0)] where w.hasSuffix(suffix) {
        if let v = Double(w.dropLast(2)) {
          out.append(Measurement(kind: .size, value: v * scale, start: words[i].start, end: words[i].end - 2))
        }
      }
      // value (x value)* unit
      if let first = Double(w) {
        var values = [(i, first)]
        var j = i + 1
        while j + 1 < words.count && ["x", "by"].contains(words[j].lower), let v = Double(words[j + 1].lower) {
          values.append((j + 1, v))
          j += 2
        }
        if j < words.count {
          let unit = words[j].lower
          let scale: Double? =
            ["mm", "millimeter", "millimeters"].contains(unit) ? 1 : ["cm", "centimeter", "centimeters"].contains(unit) ? 10 : nil
          if let scale {
            for (index, v) in values {
              out.append(Measurement(kind: .size, value: v * scale, start: words[index].start, end: words[index].end))
            }
            i = j + 1
            continue
          }
        }
      }
      i += 1
    }
    return out
  }
}
